"""A manager decides a call in a real browser (two selected, one waitlisted) and publishes the
results; an applicant of a selected organisation then signs in and reads the decision with the
reviewers' anonymised comments. axe-core checks the decisions page, the letters and publishing
page and the applicant's result page."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from accelerator.accounts.enums import Role
from accelerator.applications.enums import ApplicationStatus
from accelerator.applications.models import Application
from accelerator.cohorts.models import Project
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
    expect(page.get_by_role("status").first).to_have_text("Decision recorded.")


def assert_accessible(page) -> None:
    violations = serious_violations(page)
    assert violations == [], report(violations)


def stored_statuses(call) -> dict[str, ApplicationStatus]:
    db.session.expire_all()
    query = select(Application.title, Application.status).where(Application.call_id == call.id)
    return dict(db.session.execute(query).all())


def test_manager_publishes_and_the_applicant_reads_the_anonymised_result(
    browser, live_server, page, manager, applicant, call
):
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
    page.get_by_role("button", name=re.compile("^Publish results")).click()
    expect(page.get_by_role("status").first).to_have_text(
        re.compile(r"^Results published: \d+ letters are on their way\.$")
    )

    db.session.expire_all()
    assert call.results_published_at is not None
    projects = db.session.scalars(select(Project.title).order_by(Project.title)).all()
    assert projects == [RETINA, CART]
    letters = db.session.scalars(
        select(OutboxMessage.subject).where(OutboxMessage.recipient == applicant.email)
    ).all()
    assert letters[-1] == "Your application to ATMP Catalyst 2031 is selected"

    # The applicant, in a browser of their own.
    context = browser.new_context(base_url=live_server, bypass_csp=True)
    context.set_default_timeout(5_000)
    try:
        reader = context.new_page()
        sign_in(reader, applicant)
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
    finally:
        context.close()
