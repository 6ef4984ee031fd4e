"""A reviewer scores an assigned application in a real browser, saves a draft, comes back to
it and submits; the manager then finds it in the call's ranking. axe-core checks the review
form (as opened and with errors shown) and the ranking page."""

import re
from decimal import Decimal

import pytest
from flask import current_app
from playwright.sync_api import expect
from sqlalchemy import select

from accelerator.accounts.enums import Role
from accelerator.applications.enums import ApplicationStatus
from accelerator.core.clock import utcnow
from accelerator.extensions import db
from accelerator.reviews.assignment import assign_reviewer
from accelerator.reviews.enums import Recommendation, ReviewStatus
from accelerator.reviews.models import Review
from tests.browser.test_accessibility import report, serious_violations
from tests.factories import PASSWORD, make_application, make_call, make_organisation, make_user

TITLE = "AAV gene therapy for retinitis pigmentosa"  # the factory's complete application
CRITERIA = (
    "Excellence and innovation",
    "Unmet need and impact",
    "Team and implementation",
    "Fit with the programme",
)
# The reviewer's scores, in rubric order (weights 30, 30, 25, 15):
# (30·4 + 30·3.5 + 25·4 + 15·3) / 100 = (120 + 105 + 100 + 45) / 100 = 3.70
SCORES = ("4.0", "3.5", "4.0", "3.0")
EXPECTED_SCORE = "3.70"
REVIEW_PATH = re.compile(r"/reviews/(\d+)$")


@pytest.fixture
def manager():
    return make_user(
        Role.PROGRAMME_MANAGER, name="Montse Ribas", email="montse@programme.example.net"
    )


@pytest.fixture
def reviewer():
    # An address outside example.org, the applicants' domain: the same domain is a conflict.
    return make_user(Role.REVIEWER, name="Pau Ferrer", email="pau@reviewers.example.net")


@pytest.fixture
def call():
    return make_call(title="ATMP Catalyst 2031", reviews_per_application=1)


@pytest.fixture
def application(call, manager, reviewer):
    """A submitted application, screened eligible and assigned to the reviewer."""
    member = make_user(organisation=make_organisation(legal_name="Retigene SL"))
    with current_app.test_request_context():  # the submission receipt builds links
        application = make_application(call, member=member, submitted=True)
    application.status = ApplicationStatus.ELIGIBLE
    db.session.commit()
    assign_reviewer(application, reviewer, by=manager, now=utcnow())
    return application


def sign_in(page, user) -> None:
    page.goto("/login")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("status").first).to_contain_text(f"Welcome, {user.name}.")


def open_my_reviews(page, *, status: str):
    """ "My reviews" from the menu; the assigned application's row, in the given status."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My reviews").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My reviews")
    row = page.get_by_role("row").filter(has_text=TITLE)
    expect(row.get_by_role("cell").nth(1)).to_have_text("ATMP Catalyst 2031")
    expect(row.get_by_role("cell").nth(3)).to_have_text(status)
    return row


def open_assigned_review(page, *, status: str = "Not started") -> None:
    """From anywhere: "My reviews", then the assigned application."""
    open_my_reviews(page, status=status).get_by_role("link", name=TITLE).click()
    expect(page).to_have_url(REVIEW_PATH)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{TITLE} (RETIGENE)")


def score_field(page, criterion):
    return page.get_by_label(f"Score for {criterion}")


def comment_field(page, criterion):
    return page.get_by_label(f"Comment on {criterion}")


def stored_review() -> Review:
    db.session.expire_all()
    return db.session.scalars(select(Review)).one()


def test_reviewer_scores_saves_a_draft_submits_and_manager_sees_the_ranking(
    page, manager, reviewer, call, application
):
    sign_in(page, reviewer)
    open_assigned_review(page)

    # A first sitting: two scores and one comment, saved as a draft.
    score_field(page, CRITERIA[0]).select_option(label=SCORES[0])
    comment_field(page, CRITERIA[0]).fill("Novel codon-optimised cassette.")
    score_field(page, CRITERIA[1]).select_option(label=SCORES[1])
    page.get_by_role("button", name="Save draft").click()

    expect(page.get_by_role("status").first).to_have_text("Draft saved.")
    expect(score_field(page, CRITERIA[0])).to_have_value(SCORES[0])
    expect(comment_field(page, CRITERIA[0])).to_have_value("Novel codon-optimised cassette.")
    expect(score_field(page, CRITERIA[1])).to_have_value(SCORES[1])
    expect(score_field(page, CRITERIA[2])).to_have_value("")
    draft = stored_review()
    assert draft.status == ReviewStatus.DRAFT
    assert sorted((s.criterion.position, s.score) for s in draft.scores) == [
        (1, Decimal("4.0")),
        (2, Decimal("3.5")),
        (3, None),
        (4, None),
    ]

    # Back later from the dashboard, which shows the draft: complete everything and submit.
    open_assigned_review(page, status="Draft")
    for criterion, score in zip(CRITERIA, SCORES, strict=True):
        score_field(page, criterion).select_option(label=score)
        comment_field(page, criterion).fill(f"Comment on {criterion.lower()}.")
    page.get_by_label("Overall comment").fill("A strong, well-planned project.")
    page.get_by_role("radio", name="Select", exact=True).check()
    page.get_by_role("button", name="Submit review").click()

    expect(page.get_by_role("status").first).to_have_text("Review submitted. Thank you.")
    submitted = stored_review()
    assert submitted.status == ReviewStatus.SUBMITTED
    assert submitted.recommendation == Recommendation.SELECT
    assert submitted.overall_comment == "A strong, well-planned project."
    assert [str(s.score) for s in sorted(submitted.scores, key=lambda s: s.criterion.position)] == [
        "4.0",
        "3.5",
        "4.0",
        "3.0",
    ]
    open_my_reviews(page, status="Submitted")
    expect(page.get_by_text("1 of 1 submitted.")).to_be_visible()

    # The manager signs in and finds the application ranked with the reviewer's score.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, manager)
    page.goto(f"/manage/calls/{call.id}/ranking")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ranking")
    ranked = page.get_by_role("row").filter(has_text=TITLE)
    expect(ranked.get_by_role("cell")).to_have_text(
        [
            "1",
            re.compile(f"^{TITLE}\\s*Retigene SL$"),
            EXPECTED_SCORE,
            "4.00",
            "3.50",
            "4.00",
            "3.00",
            "1 / 1",
            "—",
        ]
    )


def test_review_form_has_no_serious_accessibility_violations(page, reviewer, application):
    sign_in(page, reviewer)
    open_assigned_review(page)

    # The form as first opened.
    violations = serious_violations(page)
    assert violations == [], report(violations)

    # The form with errors: submitting with one score out of the comments is refused.
    score_field(page, CRITERIA[0]).select_option(label="2.5")
    page.get_by_role("button", name="Submit review").click()
    expect(page.get_by_role("alert").first).to_have_text(
        "The review is not complete: see the marked fields."
    )
    comment = comment_field(page, CRITERIA[0])
    expect(comment).to_have_attribute("aria-invalid", "true")
    expect(comment).to_have_accessible_description(re.compile("Explain the score in a comment."))
    expect(score_field(page, CRITERIA[1])).to_have_accessible_description(
        re.compile("Give a score.")
    )
    expect(score_field(page, CRITERIA[0])).to_have_value("2.5")
    violations = serious_violations(page)
    assert violations == [], report(violations)


def test_ranking_page_has_no_serious_accessibility_violations(
    page, manager, reviewer, call, application
):
    sign_in(page, reviewer)
    open_assigned_review(page)
    for criterion, score in zip(CRITERIA, SCORES, strict=True):
        score_field(page, criterion).select_option(label=score)
        comment_field(page, criterion).fill("Reasoned.")
    page.get_by_label("Overall comment").fill("Fine.")
    page.get_by_role("radio", name="Do not select").check()
    page.get_by_role("button", name="Submit review").click()
    expect(page.get_by_role("status").first).to_have_text("Review submitted. Thank you.")
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, manager)

    for query in ("", "?normalise=1"):
        page.goto(f"/manage/calls/{call.id}/ranking{query}")
        expect(page.get_by_role("row").filter(has_text=TITLE)).to_contain_text(EXPECTED_SCORE)

        violations = serious_violations(page)

        assert violations == [], report(violations)
