"""Reviews lock when the review phase ends: at the deadline, when the programme office closes it
early, and at publication. Reviewers review what was submitted, never the live draft."""

import re
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from accelerator.accounts.models import User
from accelerator.applications import services as application_services
from accelerator.applications.attachments import add_attachment
from accelerator.applications.enums import ApplicationStatus, AttachmentKind
from accelerator.applications.models import Attachment
from accelerator.calls.models import Call
from accelerator.calls.services import close_review_phase
from accelerator.core.clock import utcnow
from accelerator.core.models import AuditEntry
from accelerator.extensions import db
from accelerator.reviews.models import Assignment
from accelerator.reviews.services import ReviewDeadlinePassed, save_review
from tests.conftest import post_form, sign_in
from tests.factories import PDF_BYTES, make_application
from tests.reviews.reviewing_helpers import (
    assign,
    full_scores,
    make_manager,
    make_reviewable,
    make_reviewer,
    review_call,
    review_form,
    stored,
    submit_review,
)

COMMENTS = ["Clear.", "Real need.", "Strong team.", "Good fit."]


def assigned_in_closed_call(reviewer=None, **fields):
    """An application assigned to the reviewer (a new one unless given) in a call that closed
    yesterday; the review deadline is still 40 days away."""
    call = review_call()
    assignment = assign(make_reviewable(call, **fields), reviewer or make_reviewer())
    call.closes_at = utcnow().replace(microsecond=0) - timedelta(days=1)
    db.session.commit()
    return assignment


def published(call):
    call.results_published_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    return call


def closed_early(call):
    close_review_phase(call, by=make_manager(), now=utcnow() - timedelta(minutes=1))
    return call


def draft(assignment, *, submit=False):
    call = assignment.application.call
    return save_review(
        assignment,
        scores=full_scores(call),
        overall_comment="Draft thoughts.",
        recommendation="select",
        submit=submit,
        by=assignment.reviewer,
        now=utcnow(),
    )


@pytest.fixture
def scene(app):
    assignment = assigned_in_closed_call()
    call = assignment.application.call
    client = app.test_client()
    sign_in(client, assignment.reviewer)
    return call, assignment, client


PUBLISHED = (
    r"The results of this call were published on .+ \(Madrid time\): reviews can no longer "
    r"change\."
)
CLOSED_EARLY = (
    r"The programme office closed the review phase on .+ \(Madrid time\); reviews are "
    r"read-only now\."
)


@pytest.mark.parametrize(("end", "message"), [(published, PUBLISHED), (closed_early, CLOSED_EARLY)])
@pytest.mark.parametrize("submit", [False, True])
def test_no_review_can_be_created_once_the_review_phase_ended(scene, end, message, submit):
    call, assignment, _client = scene
    end(call)

    with pytest.raises(ReviewDeadlinePassed) as refused:
        draft(assignment, submit=submit)

    assert re.fullmatch(message, str(refused.value))
    assert stored(assignment) is None


@pytest.mark.parametrize(("end", "message"), [(published, PUBLISHED), (closed_early, CLOSED_EARLY)])
def test_no_review_can_be_edited_or_submitted_once_the_review_phase_ended(scene, end, message):
    call, assignment, _client = scene
    draft(assignment)
    before = stored(assignment)
    end(call)

    with pytest.raises(ReviewDeadlinePassed) as refused:
        draft(assignment, submit=True)

    assert re.fullmatch(message, str(refused.value))
    assert stored(assignment) == before


def test_review_page_after_publication_is_read_only_and_says_why(scene):
    call, assignment, client = scene
    submit_review(assignment, now=utcnow())
    published(call)

    page = client.get(f"/reviews/{assignment.id}").get_data(as_text=True)

    [notice] = re.findall(r'<div[^>]*id="review-locked"[^>]*>([^<]*)</div>', page)
    assert re.fullmatch(PUBLISHED, notice)
    assert "<select" not in page
    assert 'name="submit"' not in page
    assert 'name="save"' not in page


def test_review_posted_after_publication_is_refused_with_the_reason_and_unchanged(scene):
    call, assignment, client = scene
    page = client.get(f"/reviews/{assignment.id}").get_data(as_text=True)
    published(call)

    response = post_form(
        client,
        f"/reviews/{assignment.id}",
        review_form(
            call,
            scores=["4"] * 4,
            comments=COMMENTS,
            overall="Too late.",
            recommendation="select",
            action="submit",
        ),
        page=f"/reviews/{assignment.id}",
    )

    assert page  # the form was open when the reviewer loaded it
    assert response.status_code == 200
    [message] = re.findall(
        r'<div class="alert alert-danger" role="alert">([^<]*)</div>',
        response.get_data(as_text=True),
    )
    assert re.fullmatch(PUBLISHED, message)
    assert stored(assignment) is None


def to_do_and_finished(page: str) -> tuple[list[str], list[str]]:
    """The application titles under "To do" and under "Submitted or closed"."""
    to_do, _, finished = page.partition('id="finished"')
    titles = r'<a href="/reviews/\d+">([^<]*)</a>'
    return re.findall(titles, to_do), re.findall(titles, finished)


def test_reviewer_queue_no_longer_lists_a_published_call_as_to_do(app, scene):
    call, assignment, client = scene
    assigned_in_closed_call(assignment.reviewer, title="Still open")
    before = to_do_and_finished(client.get("/reviews").get_data(as_text=True))

    published(call)

    after = to_do_and_finished(client.get("/reviews").get_data(as_text=True))
    title = assignment.application.title
    assert (sorted(before[0]), before[1]) == (sorted([title, "Still open"]), [])
    assert after == (["Still open"], [title])


# --- reviewers review what was submitted ----------------------------------------------------


def edited_after_submission(call):
    """An application submitted as "Submitted title" with deck A, then edited (title, summary)
    and given deck B without submitting again; screened eligible once the call closed."""
    with current_app.test_request_context():
        application = make_application(call, submitted=True, title="Submitted title")
    member = db.session.get(User, application.created_by_id)
    now = utcnow()
    application_services.save_draft(
        application,
        by=member,
        now=now,
        fields={"title": "Live title", "summary": "Edited after submitting."},
        eligibility={},
    )
    add_attachment(
        application,
        kind=AttachmentKind.PITCH_DECK,
        filename="deck-b.pdf",
        content=PDF_BYTES + b"%B",
        by=member,
        now=now,
    )
    call.opens_at, call.closes_at = now - timedelta(days=30), now - timedelta(seconds=1)
    application.status = ApplicationStatus.ELIGIBLE
    db.session.commit()
    return application


def test_review_page_shows_the_submitted_snapshot_not_the_live_draft(app):
    call = review_call()
    application = edited_after_submission(call)
    assignment = assign(application, make_reviewer())
    client = app.test_client()
    sign_in(client, assignment.reviewer)

    page = client.get(f"/reviews/{assignment.id}").get_data(as_text=True)
    dashboard = client.get("/reviews").get_data(as_text=True)

    assert "Submitted title" in page
    assert "A subretinal AAV8 vector restoring RPGR expression." in page
    assert "Live title" not in page
    assert "Edited after submitting." not in page
    assert ("Submitted title" in dashboard, "Live title" in dashboard) == (True, False)


def test_review_downloads_are_the_files_the_snapshot_names(app):
    call = review_call()
    application = edited_after_submission(call)
    assignment = assign(application, make_reviewer())
    client = app.test_client()
    sign_in(client, assignment.reviewer)
    submitted_deck, live_deck = db.session.scalars(
        select(Attachment)
        .where(Attachment.application_id == application.id)
        .order_by(Attachment.id)
    ).all()

    page = client.get(f"/reviews/{assignment.id}").get_data(as_text=True)
    with client.get(f"/reviews/{assignment.id}/attachments/{submitted_deck.id}") as named:
        named_file = (named.status_code, named.data)
    with client.get(f"/reviews/{assignment.id}/attachments/{live_deck.id}") as live:
        live_status = live.status_code

    assert re.findall(r"/reviews/\d+/attachments/(\d+)", page) == [str(submitted_deck.id)]
    assert named_file == (200, PDF_BYTES)
    assert live_status == 404


# --- reviews racing the end of the review phase -----------------------------------------------


def test_reviews_submitted_as_the_review_phase_closes_land_before_it_or_are_refused(
    app, at_the_same_instant
):
    """Nineteen reviewers submit at the instant a manager closes the review phase: every
    review that was saved was saved before the close (its audit entry comes first), and every
    other one is refused; none slips in after."""
    call = review_call()
    application = make_reviewable(call)
    assignments = [assign(application, make_reviewer()) for _ in range(19)]
    call.closes_at = utcnow().replace(microsecond=0) - timedelta(days=1)
    db.session.commit()
    call_id, manager_id = call.id, make_manager().id

    def submit(assignment_id: int):
        def prepare():
            assignment = db.session.get(Assignment, assignment_id)
            scores = full_scores(assignment.application.call)

            def act():
                save_review(
                    assignment,
                    scores=scores,
                    overall_comment="In time?",
                    recommendation="select",
                    submit=True,
                    by=assignment.reviewer,
                    now=utcnow(),
                )
                return "submitted"

            return act

        return prepare

    def close():
        the_call = db.session.get(Call, call_id)
        manager = db.session.get(User, manager_id)

        def act():
            close_review_phase(the_call, by=manager, now=utcnow())
            return "closed"

        return act

    results = at_the_same_instant([close, *[submit(a.id) for a in assignments]])

    assert results[0] == "closed", results
    assert set(results[1:]) <= {"submitted", "ReviewDeadlinePassed"}, results
    entries = db.session.execute(
        select(AuditEntry.action, AuditEntry.id).order_by(AuditEntry.id)
    ).all()
    closed_at = next(
        entry_id for action, entry_id in entries if action == "call.review_phase_closed"
    )
    submitted = [entry_id for action, entry_id in entries if action == "review.submitted"]
    assert len(submitted) == results.count("submitted")
    assert [entry_id for entry_id in submitted if entry_id > closed_at] == []
