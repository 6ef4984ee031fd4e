"""axe-core on the pages of every demo role: each navigation link, and the first detail page of
every list those pages show. No serious or critical violation anywhere.

The demo data fills every page the way a newcomer sees it after `make run`. Accessibility does
not depend on the database, so this runs on one backend only.
"""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from accelerator.core.clock import utcnow
from accelerator.demo import seed_demo
from tests.browser.test_accessibility import report, serious_violations

DEMO_ROLES = {
    "anonymous": None,
    "programme manager": ("manager@demo.atmpcatalyst.eu", "demo-manager-2026"),
    "applicant": ("jordi.ferrer@cellvia.example.org", "demo-applicant-2026"),
    "applicant with a project": ("laura@genret.example.org", "demo-applicant-2026"),
    "reviewer": ("reviewer@demo.atmpcatalyst.eu", "demo-reviewer-2026"),
    "mentor and reviewer": ("mentor@demo.atmpcatalyst.eu", "demo-mentor-2026"),
    "mentor with sessions": ("montserrat.rius@mentors.example.net", "demo-mentor-2026"),
    "lab manager": ("labmanager@demo.atmpcatalyst.eu", "demo-labmanager-2026"),
}
# Links that answer with a file, a calendar or another site, not a page axe can read.
NOT_A_PAGE = re.compile(r"\.(csv|xlsx|ics|pdf)(\?|$)|/attachments/|/evidence|/download|^mailto:")
# Where a list page keeps its items: table rows, list groups and cards of the main content.
FIRST_ITEM = "main table tbody a[href^='/'], main .list-group a[href^='/'], main .card a[href^='/']"


@pytest.fixture
def demo(app, backend):
    if backend != "sqlite":
        pytest.skip("accessibility does not depend on the database")
    seed_demo(now=utcnow())


def sign_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("status").first).to_contain_text("Welcome")


def local_links(page, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        selector, "links => links.map(link => link.getAttribute('href'))"
    )
    return [href for href in hrefs if href and href.startswith("/") and not NOT_A_PAGE.search(href)]


def violations_on(page, url: str) -> list[dict]:
    response = page.goto(url)
    assert response.status == 200, f"{url} answered {response.status}"
    return serious_violations(page)


@pytest.mark.parametrize("role", DEMO_ROLES)
def test_every_page_a_demo_role_reaches_has_no_serious_accessibility_violation(demo, page, role):
    if DEMO_ROLES[role]:
        sign_in(page, *DEMO_ROLES[role])
    navigation = ["/", "/dashboard", *local_links(page, "#main-nav a.nav-link")]
    visited: dict[str, list[dict]] = {}
    for url in dict.fromkeys(navigation):
        visited[url] = violations_on(page, url)
        for detail in local_links(page, FIRST_ITEM)[:1]:
            path = urlsplit(detail).path
            if path not in visited and detail not in navigation:
                visited[detail] = violations_on(page, detail)

    failing = {url: found for url, found in visited.items() if found}
    assert len(visited) >= 2, visited
    assert failing == {}, report(failing)


def test_every_application_page_of_the_demo_applicant_has_no_serious_violation(demo, page):
    """One in the open call, one decided and published: each page shows its own notices and
    buttons (the result notice failed the contrast check)."""
    sign_in(page, *DEMO_ROLES["applicant"])
    page.goto("/applications")
    applications = dict.fromkeys(local_links(page, "main a[href^='/applications/']"))

    failing = {url: found for url in applications if (found := violations_on(page, url))}

    assert len(applications) >= 2, applications
    assert failing == {}, report(failing)
