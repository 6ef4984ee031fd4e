"""The rubric can change until the first review of the call is submitted, then it is locked."""

from datetime import timedelta

import pytest

from accelerator.calls.services import CriterionDraft, RubricLocked, save_rubric
from accelerator.core.clock import utcnow
from accelerator.extensions import db
from accelerator.reviews.services import save_review
from tests.conftest import post_form, sign_in
from tests.reviews.reviewing_helpers import (
    assign,
    audit_trail,
    error_text,
    full_scores,
    make_manager,
    make_reviewable,
    make_reviewer,
    review_call,
    review_form,
    selected_option,
    stored,
    submit_review,
)

DEFAULT_RUBRIC = [
    ("Excellence and innovation", 30),
    ("Unmet need and impact", 30),
    ("Team and implementation", 25),
    ("Fit with the programme", 15),
]
NEW_RUBRIC = [
    CriterionDraft("Science", "Quality of the science.", 60),
    CriterionDraft("Business", "Route to patients.", 40),
]


@pytest.fixture
def manager(app):
    return make_manager()


@pytest.fixture
def call(app):
    return review_call()


@pytest.fixture
def assignment(call):
    return assign(make_reviewable(call), make_reviewer())


def _rubric(call) -> list[tuple[str, int]]:
    db.session.expire_all()
    return [(criterion.name, criterion.weight) for criterion in call.criteria]


def _draft(assignment):
    call = assignment.application.call
    return save_review(
        assignment,
        scores={},
        overall_comment="First impressions.",
        recommendation=None,
        submit=False,
        by=assignment.reviewer,
        now=call.review_deadline - timedelta(days=3),
    )


def test_rubric_without_reviews_can_be_replaced(call, manager):
    save_rubric(call, NEW_RUBRIC, by=manager, now=utcnow())

    assert _rubric(call) == [("Science", 60), ("Business", 40)]


def test_rubric_with_only_draft_reviews_can_be_replaced(call, manager, assignment):
    _draft(assignment)

    save_rubric(call, NEW_RUBRIC, by=manager, now=utcnow())

    assert _rubric(call) == [("Science", 60), ("Business", 40)]
    assert len(audit_trail("call.rubric_saved")) == 1


def test_rubric_after_a_submitted_review_is_locked(call, manager, assignment):
    submit_review(assignment)

    with pytest.raises(RubricLocked) as refused:
        save_rubric(call, NEW_RUBRIC, by=manager, now=utcnow())

    assert str(refused.value) == "The rubric cannot change once a review has been submitted."
    assert _rubric(call) == DEFAULT_RUBRIC
    assert audit_trail("call.rubric_saved") == []


def test_rubric_of_another_call_is_not_locked_by_a_submitted_review(call, manager, assignment):
    submit_review(assignment)
    other = review_call()

    save_rubric(other, NEW_RUBRIC, by=manager, now=utcnow())

    assert _rubric(other) == [("Science", 60), ("Business", 40)]


def test_rubric_page_after_a_submitted_review_refuses_with_the_message(
    app, call, manager, assignment
):
    submit_review(assignment)
    client = app.test_client()
    sign_in(client, manager)

    response = post_form(
        client,
        f"/manage/calls/{call.id}/rubric",
        {
            "criteria-0-name": "Science",
            "criteria-0-description": "",
            "criteria-0-weight": "60",
            "criteria-0-scale_max": "5",
            "criteria-1-name": "Business",
            "criteria-1-description": "",
            "criteria-1-weight": "40",
            "criteria-1-scale_max": "5",
        },
    )

    assert response.status_code == 200
    assert error_text(response.get_data(as_text=True), "criteria") == (
        "The rubric cannot change once a review has been submitted."
    )
    assert _rubric(call) == DEFAULT_RUBRIC


def test_rubric_replaced_after_a_draft_leaves_the_draft_usable(app, call, manager, assignment):
    """The draft's scores belonged to the old criteria; the form now asks for the new ones."""
    review_call()  # its criteria come after the replaced ones: the new ids are all fresh
    save_review(
        assignment,
        scores=full_scores(call, score="3", comment="Old criterion."),
        overall_comment="First impressions.",
        recommendation=None,
        submit=False,
        by=assignment.reviewer,
        now=call.review_deadline - timedelta(days=3),
    )
    save_rubric(call, NEW_RUBRIC, by=manager, now=utcnow())
    db.session.expire_all()
    science, business = call.criteria
    client = app.test_client()
    sign_in(client, assignment.reviewer)

    page = client.get(f"/reviews/{assignment.id}").get_data(as_text=True)
    response = post_form(
        client,
        f"/reviews/{assignment.id}",
        review_form(
            call,
            scores=["4", "2.5"],
            comments=["Good.", "Thin."],
            overall="OK.",
            recommendation="select_with_changes",
            action="submit",
        ),
    )

    assert selected_option(page, f"score_{science.id}") is None
    assert selected_option(page, f"score_{business.id}") is None
    assert "Old criterion." not in page
    assert "First impressions.</textarea>" in page
    assert response.status_code == 302
    assert stored(assignment) == (
        "submitted",
        [("4.0", "Good."), ("2.5", "Thin.")],
        "OK.",
        "select_with_changes",
    )


def test_rubric_replaced_after_a_draft_drops_the_drafts_scores(
    request, backend, call, manager, assignment
):
    save_review(
        assignment,
        scores=full_scores(call, score="3", comment="Old criterion."),
        overall_comment="First impressions.",
        recommendation=None,
        submit=False,
        by=assignment.reviewer,
        now=call.review_deadline - timedelta(days=3),
    )

    save_rubric(call, NEW_RUBRIC, by=manager, now=utcnow())

    assert stored(assignment) == ("draft", [], "First impressions.", None)
