"""axe-core finds no serious or critical accessibility violation on the account pages."""

import json
from pathlib import Path

from playwright.sync_api import expect

from tests.factories import PASSWORD, make_user

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# Only what axe reports back to Python: the rule, its impact and where it failed.
RUN_AXE = """
async () => (await axe.run()).violations.map(violation => ({
  id: violation.id,
  impact: violation.impact,
  help: violation.help,
  targets: violation.nodes.map(node => node.target.join(" ")),
}))
"""


def serious_violations(page) -> list[dict]:
    assert AXE.exists(), f"{AXE} is missing: run `npm ci` (package.json lists axe-core)"
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(RUN_AXE)
    return [violation for violation in violations if violation["impact"] in {"serious", "critical"}]


def report(violations: list[dict]) -> str:
    return json.dumps(violations, indent=2, ensure_ascii=False)


def test_login_page_has_no_serious_accessibility_violations(page):
    page.goto("/login")

    violations = serious_violations(page)

    assert violations == [], report(violations)


def test_registration_page_has_no_serious_accessibility_violations(page):
    page.goto("/register")

    violations = serious_violations(page)

    assert violations == [], report(violations)


def test_registration_page_with_errors_has_no_serious_accessibility_violations(page):
    page.goto("/register")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_have_text("Please correct the fields marked below.")

    violations = serious_violations(page)

    assert violations == [], report(violations)


def test_dashboard_has_no_serious_accessibility_violations(page):
    user = make_user(name="Jordi Serra")
    page.goto("/login")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Jordi Serra")

    violations = serious_violations(page)

    assert violations == [], report(violations)
