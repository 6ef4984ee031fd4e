"""A manager decides a call in a real browser (two selected, one waitlisted) and publishes the
results; an applicant of a selected organisation then signs in and reads the decision with the
reviewers' anonymised comments. The same applicant, now a member of a project, adds an at-risk
milestone and submits the current quarter's KPI report in the project space; the manager then
finds the project, the milestone and the KPI figures on the cohort dashboard. axe-core checks the
decisions page, the letters and publishing page, the applicant's result page, the project space
and the cohort dashboard."""

import re
from datetime import date, timedelta

import pytest
from babel.dates import format_date
from playwright.sync_api import expect
from sqlalchemy import select

from accelerator.accounts.enums import Role
from accelerator.applications.enums import ApplicationStatus
from accelerator.applications.models import Application
from accelerator.cohorts import services
from accelerator.cohorts.models import Project
from accelerator.core.clock import as_madrid, utcnow
from accelerator.core.models import OutboxMessage
from accelerator.extensions import db
from tests.browser.test_accessibility import report, serious_violations
from tests.factories import PASSWORD, make_call, make_organisation, make_user
from tests.selection.deciding_helpers import add_review, make_decidable, make_reviewer

# Titles in ranking order: the reviewers' scores put them first, second and third.
RETINA = "AAV gene therapy for retinitis pigmentosa"
CART = "CAR-T for solid tumours"
BONE = "Bone scaffold with MSCs"
CRITERIA = (
    "Excellence and innovation",
    "Unmet need and impact",
    "Team and implementation",
    "Fit with the programme",
)
RETINA_COMMENTS = (
    "A novel capsid with strong preclinical data.",
    "No approved therapy: a large unmet need.",
    "An experienced team with a credible plan.",
    "Vector suite time would speed the GLP work.",
)
# What the project member records in the project space.
MILESTONE = "GMP batch of the AAV vector released"
MILESTONE_DUE = date(as_madrid(utcnow()).year + 1, 3, 31)  # ahead, so at risk but not overdue
MILESTONE_DUE_TEXT = format_date(MILESTONE_DUE, "medium", locale="en")  # e.g. "Mar 31, 2027"
FUNDING = "1250000.50"
FUNDING_TEXT = "€1,250,000.50"
HEADCOUNT = "12"
PATENTS = "3"
REGULATORY = "ATMP classification granted by the EMA's CAT"
TRIAL_STATUS = "CTA submitted"


@pytest.fixture
def manager(app):
    return make_user(
        Role.PROGRAMME_MANAGER, name="Montse Ribas", email="montse@programme.example.net"
    )


@pytest.fixture
def applicant(app):
    return make_user(
        name="Núria Puig",
        email="nuria@retigene.example.org",
        organisation=make_organisation(legal_name="Retigene SL"),
    )


@pytest.fixture
def call(app, applicant):
    """A call of quota 2 with three applications, each reviewed by two reviewers."""
    call = make_call(title="ATMP Catalyst 2031", year=2031, selection_quota=2)
    first = make_reviewer(name="Ingrid Valdemarsson", email="ingrid@karolinska.example.net")
    second = make_reviewer(name="Teodoro Anzaldua", email="teodoro@unav.example.net")
    for title, member, score in (
        (RETINA, applicant, "4.5"),
        (CART, None, "3.5"),
        (BONE, None, "2.5"),
    ):
        application = make_decidable(call, member=member, title=title)
        comments = RETINA_COMMENTS if title == RETINA else (f"About {title}.",) * 4
        add_review(application, first, scores=(score,) * 4, comments=comments, overall="Fund it.")
        add_review(application, second, scores=(score,) * 4, comments=("Second opinion.",) * 4)
    call.closes_at = utcnow() - timedelta(days=1)  # closed, its review phase still open
    db.session.commit()
    return call


def sign_in(page, user) -> None:
    page.goto("/login")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("status").first).to_contain_text(f"Welcome, {user.name}.")


def decide_in_page(page, title: str, outcome: str) -> None:
    page.get_by_label(f"Decision for {title}").select_option(label=outcome)
    page.get_by_role("row").filter(has_text=title).get_by_role("button", name="Save").click()
    # Each application has 2 of its 3 expected reviews: the manager is told.
    expect(page.get_by_role("status").first).to_have_text(
        "Decision recorded. 1 of 3 expected reviews of this application are still outstanding."
    )


def assert_accessible(page) -> None:
    violations = serious_violations(page)
    assert violations == [], report(violations)


def stored_statuses(call) -> dict[str, ApplicationStatus]:
    db.session.expire_all()
    query = select(Application.title, Application.status).where(Application.call_id == call.id)
    return dict(db.session.execute(query).all())


def publish_decisions(page, manager, call, applicant) -> None:
    """The manager selects RETINA and CART, waitlists BONE and publishes the results."""
    sign_in(page, manager)
    page.goto(f"/manage/calls/{call.id}/decisions")
    expect(page.get_by_role("heading", level=1)).to_have_text("Decisions")
    expect(page.get_by_role("row").nth(1)).to_contain_text(RETINA)
    assert_accessible(page)

    decide_in_page(page, RETINA, "Selected")
    decide_in_page(page, CART, "Selected")
    decide_in_page(page, BONE, "Waitlisted")
    expect(page.get_by_text("2 of 2 places taken in this call")).to_be_visible()
    assert stored_statuses(call) == {
        RETINA: ApplicationStatus.SELECTED,
        CART: ApplicationStatus.SELECTED,
        BONE: ApplicationStatus.WAITLISTED,
    }

    page.get_by_role("link", name="Letters and publishing").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Decision letters and publishing")
    expect(page.get_by_text(f"To: Núria Puig <{applicant.email}>")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Check and publish the results…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Publish the results of ATMP Catalyst 2031"
    )
    expect(page.locator("#missing-reviews")).to_have_text("3 expected reviews are missing.")
    assert_accessible(page)
    page.get_by_role("button", name="Close the review phase now").click()
    expect(page.get_by_role("status").first).to_have_text(
        "The review phase is closed: reviews are read-only now."
    )
    page.get_by_label(
        "I have read what publishing will do, and I want to publish the results now."
    ).check()
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("^Publish the results and send")).click()
    expect(page.get_by_role("status").first).to_have_text(
        re.compile(r"^Results published: \d+ letters are on their way\.$")
    )


def read_result(reader) -> None:
    """The applicant reads the decision and both reviewers' comments, without their names."""
    reader.goto("/applications")
    reader.get_by_role("link", name=RETINA).click()
    reader.get_by_role("link", name="Read your result and the reviewers' comments").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text(f"Result of {RETINA}")
    expect(reader.locator(".lead")).to_have_text("ATMP Catalyst 2031: Selected")
    first = reader.get_by_role("region", name="Reviewer A")
    expect(first.locator("dt")).to_have_text([*CRITERIA, "Overall"])
    expect(first.locator("dd")).to_have_text([*RETINA_COMMENTS, "Fund it."])
    second = reader.get_by_role("region", name="Reviewer B")
    expect(second.locator("dd")).to_have_text(["Second opinion."] * 4 + ["A fair application."])
    text = reader.locator("main").inner_text()
    assert [
        name for name in ("Valdemarsson", "Anzaldua", "karolinska", "unav") if name in text
    ] == []
    assert_accessible(reader)


def open_project_space(member) -> None:
    """From the main navigation: "Projects", then the one project of the member's organisation."""
    member.get_by_role("navigation", name="Main").get_by_role("link", name="Projects").click()
    expect(member.get_by_role("heading", level=1)).to_have_text("Projects")
    projects = member.get_by_role("table", name="Projects of your organisation in the programme.")
    expect(projects.get_by_role("row")).to_have_count(2)  # the header and RETINA; not CART
    projects.get_by_role("link", name=RETINA).click()
    # The application factory gives every proposal the acronym RETIGENE.
    expect(member.get_by_role("heading", level=1)).to_have_text(f"{RETINA} (RETIGENE)")


def add_milestone(member) -> None:
    member.get_by_role("link", name="Add a milestone").click()
    expect(member.get_by_role("heading", level=1)).to_have_text("Add a milestone")
    member.get_by_label("Title").fill(MILESTONE)
    member.get_by_label("Due date").fill(MILESTONE_DUE.isoformat())
    member.get_by_label("Status").select_option(label="At risk")
    member.get_by_role("button", name="Save milestone").click()
    expect(member.get_by_role("status").first).to_have_text("The milestone is saved.")
    expect_milestone_row(member, [f"Edit {MILESTONE}"])


def expect_milestone_row(page, actions: list[str]) -> None:
    """The project space lists the one milestone; `actions` is its last column, if any."""
    milestones = page.get_by_role("table", name="Milestones by due date")
    expect(milestones.get_by_role("row")).to_have_count(2)
    expect(milestones.get_by_role("row").nth(1).get_by_role("cell")).to_have_text(
        [MILESTONE, MILESTONE_DUE_TEXT, "At risk", "", *actions]
    )


def submit_kpi_report(member, year: int, quarter: int) -> None:
    """Records the current quarter's figures (the form proposes that quarter) and submits them."""
    member.get_by_role("link", name="Add a KPI report").click()
    expect(member.get_by_role("heading", level=1)).to_have_text("New KPI report")
    expect(member.get_by_label("Year")).to_have_value(str(year))
    expect(member.get_by_label("Quarter", exact=True)).to_have_value(str(quarter))
    member.get_by_label("Funding raised in the quarter (EUR)").fill(FUNDING)
    member.get_by_label("Headcount").fill(HEADCOUNT)
    member.get_by_label("Patents filed in the quarter").fill(PATENTS)
    member.get_by_label("Regulatory milestones").fill(REGULATORY)
    member.get_by_label("Clinical trial status").select_option(label=TRIAL_STATUS)
    member.get_by_role("button", name="Submit report").click()
    expect(member.get_by_role("status").first).to_have_text("The report is submitted.")
    submitted = expect_submitted_report(member, f"{year} Q{quarter}")
    expect(submitted.get_by_role("link")).to_have_count(0)  # locked: nothing left to edit


def expect_submitted_report(page, quarter_label: str):
    """The project space lists the one report, submitted, with the figures entered."""
    reports = page.get_by_role("table", name="KPI reports, latest quarter first")
    expect(reports.get_by_role("rowheader")).to_have_text([quarter_label])
    submitted = reports.get_by_role("row", name=quarter_label)
    expect(submitted.get_by_role("cell")).to_have_text(
        [
            FUNDING_TEXT,
            HEADCOUNT,
            PATENTS,
            REGULATORY,
            TRIAL_STATUS,
            re.compile(r"^\s*Submitted\s.+ · Núria Puig\s*$", re.DOTALL),
        ]
    )
    return submitted


def check_cohort_dashboard(page, year: int, quarter: int) -> None:
    """The manager's cohort 2031: both projects, the at-risk milestone and the KPI figures."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cohorts").click()
    expect(page).to_have_url(re.compile(r"/manage/cohorts$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cohorts")
    page.get_by_role("navigation", name="Cohorts").get_by_role("link", name="2031").click()
    expect(page).to_have_url(re.compile(r"/manage/cohorts\?year=2031$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cohort 2031")

    totals = page.get_by_role("region", name="Totals · cohort 2031")
    expect(totals.get_by_role("term")).to_have_text(
        [
            "Active projects",
            "Funding raised",
            "Headcount (latest reports)",
            "Patents filed",
            "Milestones overdue",
            "Milestones at risk",
        ]
    )
    expect(totals.get_by_role("definition")).to_have_text(
        ["2", FUNDING_TEXT, HEADCOUNT, PATENTS, "0", "1"]
    )

    retina, cart = entry_trls()
    projects = page.get_by_role("table", name="Projects", exact=True)
    # Each named by its label (both acronyms are RETIGENE), its title below.
    expect(projects.get_by_role("rowheader")).to_have_text(
        [re.compile(rf"^RETIGENE \(cohort 2031\){re.escape(title)} · ") for title in (RETINA, CART)]
    )
    expect(projects.get_by_role("rowheader").first).to_contain_text("Retigene SL")
    # Cohort, entry and current TRL, milestones, overdue, at risk, reports, funding, headcount,
    # patents.
    expect(projects.get_by_role("row").filter(has_text=RETINA).get_by_role("cell")).to_have_text(
        ["2031", retina, retina, "1", "0", "1", "1", FUNDING_TEXT, HEADCOUNT, PATENTS]
    )
    expect(projects.get_by_role("row").filter(has_text=CART).get_by_role("cell")).to_have_text(
        ["2031", cart, cart, "0", "0", "0", "0", "€0.00", "—", "0"]
    )

    attention = page.get_by_role("table", name="Earliest due first")
    expect(attention.get_by_role("row").nth(1).get_by_role("cell")).to_have_text(
        ["RETIGENE (cohort 2031)", MILESTONE, MILESTONE_DUE_TEXT, "At risk"]
    )
    expect(attention.get_by_role("row")).to_have_count(2)

    trend = page.get_by_role("table", name="Submitted reports, added up per quarter")
    expect(trend.get_by_role("row", name=f"{year} Q{quarter}").get_by_role("cell")).to_have_text(
        ["1", FUNDING_TEXT, HEADCOUNT, PATENTS]
    )
    assert_accessible(page)


def read_project_as_manager(page, year: int, quarter: int) -> None:
    """From the dashboard, the manager reads the project space: the same entries, read-only."""
    projects = page.get_by_role("table", name="Projects", exact=True)
    projects.get_by_role("row").filter(has_text=RETINA).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{RETINA} (RETIGENE)")
    expect_milestone_row(page, [])
    expect_submitted_report(page, f"{year} Q{quarter}")
    expect(page.get_by_role("link", name=re.compile("^Add a"))).to_have_count(0)


def entry_trls() -> tuple[str, str]:
    db.session.expire_all()
    trls = dict(db.session.execute(select(Project.title, Project.entry_trl)).all())
    return str(trls[RETINA]), str(trls[CART])


def test_manager_publishes_the_applicant_reads_the_result_and_reports_on_the_project(
    browser, live_server, page, manager, applicant, call
):
    publish_decisions(page, manager, call, applicant)

    db.session.expire_all()
    assert call.results_published_at is not None
    projects = db.session.scalars(select(Project.title).order_by(Project.title)).all()
    assert projects == [RETINA, CART]
    letters = db.session.scalars(
        select(OutboxMessage.subject).where(OutboxMessage.recipient == applicant.email)
    ).all()
    assert letters[-1] == "Your application to ATMP Catalyst 2031 is selected"

    # The applicant, in a browser of their own.
    year, quarter = services.current_quarter(utcnow())
    context = browser.new_context(base_url=live_server, bypass_csp=True)
    context.set_default_timeout(5_000)
    try:
        reader = context.new_page()
        sign_in(reader, applicant)
        read_result(reader)

        # Selected, the applicant's organisation has a project now: its members keep it current.
        open_project_space(reader)
        add_milestone(reader)
        submit_kpi_report(reader, year, quarter)
        assert_accessible(reader)
    finally:
        context.close()

    # The manager, still signed in, reads the dashboard of cohort 2031, then the project.
    check_cohort_dashboard(page, year, quarter)
    read_project_as_manager(page, year, quarter)
