"""axe-core finds no serious or critical accessibility violation on the project space and the
cohort dashboard, with data on them (charts, flags, tables) and with a form showing errors."""

from datetime import date

from playwright.sync_api import expect

from accelerator.accounts.enums import Role
from accelerator.cohorts import services
from accelerator.cohorts.enums import MilestoneStatus
from accelerator.core.clock import utcnow
from tests.browser.test_accessibility import report, serious_violations
from tests.cohorts.conftest import make_project, make_report, member_of
from tests.factories import PASSWORD, PDF_BYTES, make_user


def _sign_in(page, user) -> None:
    page.goto("/login")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def _project_with_data():
    member = member_of()
    project = make_project(member=member, title="CAR-T for glioblastoma", acronym="GLIOCAR")
    services.update_trl(project, trl=5, note="GLP toxicology", by=member, now=utcnow())
    for due, status in (
        (date(2020, 1, 15), MilestoneStatus.PLANNED),
        (date(2099, 6, 30), MilestoneStatus.AT_RISK),
    ):
        services.add_milestone(
            project,
            title=f"Milestone {due}",
            due_date=due,
            status=status,
            evidence=services.EvidencePdf("evidence.pdf", PDF_BYTES),
            by=member,
            now=utcnow(),
        )
    make_report(project, member, 2025, 1, funding_raised_cents=250_000_00, headcount=6)
    make_report(project, member, 2025, 2, submit=False)
    return project, member


def test_project_space_has_no_serious_accessibility_violations(page):
    project, member = _project_with_data()
    _sign_in(page, member)
    page.goto(f"/projects/{project.id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("CAR-T for glioblastoma")

    violations = serious_violations(page)

    assert violations == [], report(violations)


def test_kpi_report_form_with_errors_has_no_serious_accessibility_violations(page):
    project, member = _project_with_data()
    _sign_in(page, member)
    page.goto(f"/projects/{project.id}/reports/new")
    page.get_by_label("Headcount").fill("-3")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#headcount-error")).to_have_text("Enter a whole number ≥ 0.")

    violations = serious_violations(page)

    assert violations == [], report(violations)


def test_cohort_dashboard_has_no_serious_accessibility_violations(page):
    _project_with_data()
    _sign_in(page, make_user(Role.PROGRAMME_MANAGER, name="Marta Vidal"))
    page.goto("/manage/cohorts")
    expect(page.get_by_role("img", name="TRL at entry and now, per project")).to_be_visible()

    violations = serious_violations(page)

    assert violations == [], report(violations)
