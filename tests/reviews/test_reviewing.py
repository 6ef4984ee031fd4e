"""Writing a review at /reviews/<assignment_id>: drafts, submission, the scale, the deadline,
and the privacy of other reviewers' scores."""

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest

from accelerator.core.clock import utcnow
from accelerator.core.errors import NotAllowed
from accelerator.extensions import db
from accelerator.reviews.services import (
    CriterionInput,
    ReviewDeadlinePassed,
    ReviewIncomplete,
    allowed_scores,
    parse_score,
    save_review,
)
from tests.conftest import csrf_token_from, post_form, sign_in
from tests.reviews.reviewing_helpers import (
    SECOND,
    assign,
    audit_trail,
    error_fields,
    error_text,
    flashes,
    full_scores,
    make_reviewable,
    make_reviewer,
    review_call,
    review_form,
    selected_option,
    stored,
    submit_review,
)

OUT_OF_SCALE = "Give a score from 0 to 5.0 in steps of 0.5."
COMMENTS = ["Novel vector.", "Clear need.", "Strong team.", "Good fit."]


@pytest.fixture
def call(app):
    return review_call()


@pytest.fixture
def reviewer(app):
    return make_reviewer()


@pytest.fixture
def assignment(call, reviewer):
    return assign(make_reviewable(call), reviewer)


@pytest.fixture
def reviewer_client(app, reviewer):
    client = app.test_client()
    sign_in(client, reviewer)
    return client


def _url(assignment) -> str:
    return f"/reviews/{assignment.id}"


def _criterion_ids(call) -> list[int]:
    return [criterion.id for criterion in call.criteria]


# --- drafts and submission through the page ------------------------------------------------


def test_review_draft_with_partial_scores_is_saved_as_draft(reviewer_client, call, assignment):
    response = post_form(
        reviewer_client,
        _url(assignment),
        review_form(
            call, scores=["3.5", "", "", ""], comments=["Novel vector.", "", "", ""], action="save"
        ),
    )

    assert response.status_code == 302
    assert response.headers["Location"] == _url(assignment)
    assert flashes(reviewer_client) == [("success", "Draft saved.")]
    assert stored(assignment) == (
        "draft",
        [("3.5", "Novel vector."), (None, ""), (None, ""), (None, "")],
        "",
        None,
    )
    assert audit_trail("review.submitted") == []


def test_review_draft_is_shown_again_in_the_form(reviewer_client, call, assignment):
    post_form(
        reviewer_client,
        _url(assignment),
        review_form(
            call,
            scores=["3.5", "", "", ""],
            comments=["Novel vector.", "", "", ""],
            overall="So far so good.",
            recommendation="select_with_changes",
            action="save",
        ),
    )

    page = reviewer_client.get(_url(assignment)).get_data(as_text=True)

    first, second = _criterion_ids(call)[:2]
    assert selected_option(page, f"score_{first}") == "3.5"
    assert selected_option(page, f"score_{second}") == ""
    assert "Novel vector.</textarea>" in page
    assert "So far so good.</textarea>" in page
    assert re.search(r'<input checked[^>]*value="select_with_changes"', page)


def test_review_submission_with_everything_is_submitted_and_audited(
    reviewer_client, call, assignment, reviewer
):
    response = post_form(
        reviewer_client,
        _url(assignment),
        review_form(
            call,
            scores=["4.5", "3", "5.0", "0"],
            comments=COMMENTS,
            overall="Fund it.",
            recommendation="select",
            action="submit",
        ),
    )

    assert response.status_code == 302
    assert flashes(reviewer_client) == [("success", "Review submitted. Thank you.")]
    assert stored(assignment) == (
        "submitted",
        [
            ("4.5", "Novel vector."),
            ("3.0", "Clear need."),
            ("5.0", "Strong team."),
            ("0.0", "Good fit."),
        ],
        "Fund it.",
        "select",
    )
    [entry] = audit_trail("review.submitted")
    assert (entry.actor_id, entry.object_type, entry.object_id) == (
        reviewer.id,
        "application",
        assignment.application_id,
    )
    assert assignment.review.submitted_at is not None


@pytest.mark.parametrize("missing", ["score", "comment"])
def test_review_submission_with_a_missing_field_is_refused_next_to_it(
    reviewer_client, call, assignment, missing
):
    post_form(
        reviewer_client,
        _url(assignment),
        review_form(call, scores=["2", "", "", ""], comments=["Early.", "", "", ""], action="save"),
    )
    before = stored(assignment)
    scores = ["4.5", "3", "5", "1"]
    comments = list(COMMENTS)
    if missing == "score":
        scores[2] = ""
    else:
        comments[2] = "   "
    third = _criterion_ids(call)[2]

    response = post_form(
        reviewer_client,
        _url(assignment),
        review_form(
            call,
            scores=scores,
            comments=comments,
            overall="Fund it.",
            recommendation="select",
            action="submit",
        ),
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert error_fields(page) == [f"{missing}_{third}"]
    expected = "Give a score." if missing == "score" else "Explain the score in a comment."
    assert error_text(page, f"{missing}_{third}") == expected
    assert "The review is not complete: see the marked fields." in page
    assert stored(assignment) == before
    assert audit_trail("review.submitted") == []


def test_review_submission_without_overall_comment_or_recommendation_is_refused(
    reviewer_client, call, assignment
):
    response = post_form(
        reviewer_client,
        _url(assignment),
        review_form(call, scores=["4", "4", "4", "4"], comments=COMMENTS, action="submit"),
    )

    page = response.get_data(as_text=True)
    assert error_fields(page) == ["overall_comment", "recommendation"]
    assert error_text(page, "overall_comment") == "Write an overall comment."
    assert error_text(page, "recommendation") == "Choose a recommendation."
    assert stored(assignment) is None


@pytest.mark.parametrize("score", ["7", "4.3", "-1", "abc", "5.5", "NaN", "sNaN", "Infinity"])
@pytest.mark.parametrize("action", ["save", "submit"])
def test_review_score_out_of_scale_is_refused_through_the_form(
    reviewer_client, call, assignment, score, action
):
    first = _criterion_ids(call)[0]

    response = post_form(
        reviewer_client,
        _url(assignment),
        review_form(
            call,
            scores=[score, "4", "4", "4"],
            comments=COMMENTS,
            overall="Fund it.",
            recommendation="select",
            action=action,
        ),
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert error_fields(page) == [f"score_{first}"]
    assert error_text(page, f"score_{first}") == OUT_OF_SCALE
    assert stored(assignment) is None


@pytest.mark.parametrize("score", ["7", "4.3", "-1", "5.5", "0.25", "NaN", "sNaN", "Infinity"])
def test_review_score_out_of_scale_is_refused_by_the_service(call, assignment, score):
    scores = full_scores(call)
    first = _criterion_ids(call)[0]
    scores[first] = CriterionInput(Decimal(score), "Out of scale.")

    with pytest.raises(ReviewIncomplete) as refused:
        save_review(
            assignment,
            scores=scores,
            overall_comment="Fund it.",
            recommendation="select",
            submit=True,
            by=assignment.reviewer,
            now=call.review_deadline - timedelta(days=1),
        )

    assert refused.value.problems == {f"score_{first}": OUT_OF_SCALE}
    assert stored(assignment) is None


@pytest.mark.parametrize("text", ["abc", "NaN", "sNaN", "Infinity", "-Infinity", "1e999"])
def test_parse_score_of_unreadable_or_infinite_text_is_out_of_scale(app, call, text):
    assert parse_score(text) not in allowed_scores(call.criteria[0])


def test_allowed_scores_are_0_to_5_in_half_points(call):
    assert [str(value) for value in allowed_scores(call.criteria[0])] == [
        "0.0",
        "0.5",
        "1.0",
        "1.5",
        "2.0",
        "2.5",
        "3.0",
        "3.5",
        "4.0",
        "4.5",
        "5.0",
    ]


def test_review_recommendation_outside_the_list_is_refused(call, assignment):
    with pytest.raises(ReviewIncomplete) as refused:
        save_review(
            assignment,
            scores=full_scores(call),
            overall_comment="Fund it.",
            recommendation="maybe",
            submit=True,
            by=assignment.reviewer,
            now=call.review_deadline - timedelta(days=1),
        )

    assert refused.value.problems == {"recommendation": "Choose one of the recommendations."}


def test_review_by_another_reviewer_is_not_allowed(call, assignment):
    with pytest.raises(NotAllowed):
        save_review(
            assignment,
            scores=full_scores(call),
            overall_comment="",
            recommendation=None,
            submit=False,
            by=make_reviewer(),
            now=call.review_deadline - timedelta(days=1),
        )


# --- the review deadline -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "refused"), [(-SECOND, False), (0 * SECOND, True), (SECOND, True)]
)
def test_review_edit_at_the_deadline_is_refused_and_before_it_accepted(
    call, assignment, offset, refused
):
    def save():
        return submit_review(assignment, now=call.review_deadline + offset)

    if refused:
        with pytest.raises(ReviewDeadlinePassed):
            save()
        assert stored(assignment) is None
    else:
        save()
        assert stored(assignment)[0] == "submitted"


def test_review_draft_after_the_deadline_is_refused(call, assignment):
    with pytest.raises(ReviewDeadlinePassed):
        save_review(
            assignment,
            scores={},
            overall_comment="Late thoughts.",
            recommendation=None,
            submit=False,
            by=assignment.reviewer,
            now=call.review_deadline,
        )

    assert stored(assignment) is None


DEADLINE_PASSED = r"The review deadline passed on .+ \(Madrid time\); reviews are read-only now\."


def locked_notice(page: str) -> str:
    """The read-only notice of the review page, which says why the review can no longer change."""
    [notice] = re.findall(r'<div[^>]*id="review-locked"[^>]*>([^<]*)</div>', page)
    return html.unescape(notice)


def test_review_page_after_the_deadline_is_read_only(reviewer_client, call, assignment):
    submit_review(assignment, comment="Kept on record.")
    now = utcnow().replace(microsecond=0)
    call.closes_at, call.review_deadline = now - timedelta(days=5), now - SECOND
    db.session.commit()

    page = reviewer_client.get(_url(assignment)).get_data(as_text=True)

    assert re.fullmatch(DEADLINE_PASSED, locked_notice(page))
    assert "<select" not in page
    assert 'name="submit"' not in page
    assert "Kept on record. (Excellence and innovation)" in page


def test_review_posted_after_the_deadline_is_refused_unchanged(reviewer_client, call, assignment):
    submit_review(assignment)
    token = csrf_token_from(reviewer_client.get(_url(assignment)).get_data(as_text=True))
    before = stored(assignment)
    now = utcnow().replace(microsecond=0)
    call.closes_at, call.review_deadline = now - timedelta(days=5), now - SECOND
    db.session.commit()

    response = reviewer_client.post(
        _url(assignment),
        data={
            "csrf_token": token,
            **review_form(
                call,
                scores=["1", "1", "1", "1"],
                comments=COMMENTS,
                overall="Changed.",
                recommendation="do_not_select",
                action="submit",
            ),
        },
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    [message] = re.findall(r'<div class="alert alert-danger" role="alert">([^<]*)</div>', page)
    assert re.fullmatch(DEADLINE_PASSED, html.unescape(message))
    assert re.fullmatch(DEADLINE_PASSED, locked_notice(page))
    assert stored(assignment) == before


def test_submitted_review_can_be_edited_before_the_deadline(reviewer_client, call, assignment):
    submit_review(assignment)

    response = post_form(
        reviewer_client,
        _url(assignment),
        review_form(
            call,
            scores=["1", "1.5", "2", "2.5"],
            comments=COMMENTS,
            overall="On reflection, no.",
            recommendation="do_not_select",
            action="submit",
        ),
    )

    assert response.status_code == 302
    assert stored(assignment) == (
        "submitted",
        [
            ("1.0", "Novel vector."),
            ("1.5", "Clear need."),
            ("2.0", "Strong team."),
            ("2.5", "Good fit."),
        ],
        "On reflection, no.",
        "do_not_select",
    )
    assert len(audit_trail("review.submitted")) == 2


def test_submitted_review_saved_as_draft_must_stay_complete(reviewer_client, call, assignment):
    submit_review(assignment)
    before = stored(assignment)
    first = _criterion_ids(call)[0]

    response = post_form(
        reviewer_client,
        _url(assignment),
        review_form(
            call,
            scores=["", "4", "4", "4"],
            comments=COMMENTS,
            overall="Fund it.",
            recommendation="select",
            action="save",
        ),
    )

    assert response.status_code == 200
    assert error_text(response.get_data(as_text=True), f"score_{first}") == "Give a score."
    assert stored(assignment) == before


# --- other reviewers' scores ---------------------------------------------------------------


def test_reviewer_never_sees_another_reviewers_scores_or_comments(app, call, assignment):
    application = assignment.application
    submit_review(assignment, score="3.5", comment="Secret opinion of the first reviewer")
    second = make_reviewer()
    other = assign(application, second)
    client = app.test_client()
    sign_in(client, second)

    page = client.get(_url(other)).get_data(as_text=True)
    dashboard = client.get("/reviews").get_data(as_text=True)

    assert "Secret opinion of the first reviewer" not in page
    assert "A fine application." not in page
    assert [selected_option(page, f"score_{cid}") for cid in _criterion_ids(call)] == [None] * 4
    assert "<input checked" not in page
    assert "Submitted" not in page
    assert "Secret opinion" not in dashboard
    assert client.get(_url(assignment)).status_code == 404
