"""After closes_at the server refuses every change, to the second, whatever the page showed."""

import io
from datetime import timedelta

import pytest

from accelerator.applications import services
from accelerator.applications.attachments import add_attachment, remove_attachment
from accelerator.applications.enums import ApplicationStatus, AttachmentKind
from accelerator.applications.services import DeadlinePassed
from tests.applications.conftest import (
    CLOSES_AT,
    NOW,
    SECOND,
    apply_at,
    call_at,
    close_call_now,
    current_attachments,
    flashes,
    member_of,
    submissions_of,
    token_of,
)
from tests.conftest import sign_in
from tests.factories import PDF_BYTES, make_application, make_call

# CLOSES_AT is 2030-03-05 10:00 UTC: 11:00 in Madrid (CET), which is what the message shows.
CLOSED_MESSAGE = (
    "The call closed on Mar 5, 2030, 11:00:00\u202fAM (Madrid time); "
    "applications can no longer change."
)


def _submit(application, member, now):
    services.submit_application(application, by=member, now=now)


def _save_draft(application, member, now):
    services.save_draft(
        application, by=member, now=now, fields={"title": "Changed title"}, eligibility={}
    )


def _withdraw(application, member, now):
    services.withdraw_application(application, by=member, now=now)


def _add_attachment(application, member, now):
    add_attachment(
        application,
        kind=AttachmentKind.LETTER,
        filename="letter.pdf",
        content=PDF_BYTES,
        by=member,
        now=now,
    )


def _remove_attachment(application, member, now):
    remove_attachment(current_attachments(application)[0], by=member, now=now)


ACTIONS = {
    "submit": _submit,
    "save_draft": _save_draft,
    "withdraw": _withdraw,
    "add_attachment": _add_attachment,
    "remove_attachment": _remove_attachment,
}

# What each accepted action leaves behind, read back from the database.
EFFECTS = {
    "submit": lambda a: [(s.number, s.submitted_at) for s in submissions_of(a)],
    "save_draft": lambda a: (a.title, a.updated_at),
    "withdraw": lambda a: (a.status, a.updated_at),
    "add_attachment": lambda a: [(x.kind, x.uploaded_at) for x in current_attachments(a)],
    "remove_attachment": lambda a: (current_attachments(a), a.updated_at),
}
LAST_SECOND = CLOSES_AT - SECOND
EXPECTED = {
    "submit": [(1, LAST_SECOND)],
    "save_draft": ("Changed title", LAST_SECOND),
    "withdraw": (ApplicationStatus.WITHDRAWN, LAST_SECOND),
    "add_attachment": [(AttachmentKind.PITCH_DECK, NOW), (AttachmentKind.LETTER, LAST_SECOND)],
    "remove_attachment": ([], LAST_SECOND),
}


def _state(application):
    """What an action could change: status, fields, files and snapshots."""
    return (
        application.status,
        application.title,
        application.updated_at,
        [(a.id, a.kind, a.removed_at) for a in current_attachments(application)],
        [s.number for s in submissions_of(application)],
    )


@pytest.mark.parametrize("action", ACTIONS)
def test_change_one_second_before_closing_is_accepted(app, action):
    call = call_at()
    member = member_of()
    application = apply_at(call, member=member, complete=True)

    ACTIONS[action](application, member, LAST_SECOND)

    assert EFFECTS[action](application) == EXPECTED[action]


@pytest.mark.parametrize("offset", [timedelta(0), SECOND], ids=["at-closes-at", "one-second-late"])
@pytest.mark.parametrize("action", ACTIONS)
def test_change_at_or_after_closing_is_refused(app, action, offset):
    call = call_at()
    member = member_of()
    application = apply_at(call, member=member, complete=True)
    before = _state(application)

    with pytest.raises(DeadlinePassed) as refused:
        ACTIONS[action](application, member, CLOSES_AT + offset)

    assert str(refused.value) == CLOSED_MESSAGE
    assert _state(application) == before


def test_submission_one_second_early_is_accepted_as_submission_1(app):
    call = call_at()
    member = member_of()
    application = apply_at(call, member=member, complete=True)

    submission = services.submit_application(application, by=member, now=CLOSES_AT - SECOND)

    assert (submission.number, submission.submitted_at) == (1, CLOSES_AT - SECOND)
    assert application.status == ApplicationStatus.SUBMITTED


def test_reopen_after_closing_is_refused(app):
    call = call_at()
    member = member_of()
    application = apply_at(call, member=member, complete=True)
    services.withdraw_application(application, by=member, now=NOW)

    with pytest.raises(DeadlinePassed):
        services.reopen_application(application, by=member, now=CLOSES_AT)

    assert application.status == ApplicationStatus.WITHDRAWN


def test_start_after_closing_is_refused(app):
    call = call_at()

    with pytest.raises(DeadlinePassed):
        services.start_application(call, by=member_of(), now=CLOSES_AT + SECOND)


# --- through HTTP: the page was loaded while the call was open, the POST comes too late ---


@pytest.fixture
def late_applicant(client):
    """A member whose draft page (and CSRF token) was loaded before the call closed."""
    call = make_call()
    member = member_of()
    application = make_application(call, member=member, complete=True)
    sign_in(client, member)
    token = token_of(client, f"/applications/{application.id}")
    close_call_now(call)
    return application, token


def test_late_draft_save_over_http_changes_nothing(client, late_applicant):
    application, token = late_applicant
    before = _state(application)

    response = client.post(
        f"/applications/{application.id}/edit",
        data={"csrf_token": token, "title": "Too late"},
    )

    assert response.status_code == 200
    assert "applications can no longer change." in response.get_data(as_text=True)
    assert _state(application) == before


@pytest.mark.parametrize("action", ["submit", "withdraw"])
def test_late_status_change_over_http_changes_nothing(client, late_applicant, action):
    application, token = late_applicant
    before = _state(application)

    response = client.post(f"/applications/{application.id}/{action}", data={"csrf_token": token})

    assert response.status_code == 302
    assert response.headers["Location"] == f"/applications/{application.id}"
    [(category, message)] = flashes(client)
    assert category == "error"
    assert message.endswith("(Madrid time); applications can no longer change.")
    assert _state(application) == before


def test_late_upload_over_http_is_refused_next_to_the_file_field(client, late_applicant):
    application, token = late_applicant
    before = _state(application)

    response = client.post(
        f"/applications/{application.id}/attachments",
        data={"csrf_token": token, "kind": "letter", "file": (io.BytesIO(PDF_BYTES), "late.pdf")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 400
    # The upload form is gone from the closed application's page, which says why.
    page = response.get_data(as_text=True)
    assert "The call has closed: the application can no longer change." in page
    assert f'action="/applications/{application.id}/attachments"' not in page
    assert _state(application) == before


def test_late_attachment_removal_over_http_changes_nothing(client, late_applicant):
    application, token = late_applicant
    [deck] = current_attachments(application)
    before = _state(application)

    response = client.post(f"/attachments/{deck.id}/delete", data={"csrf_token": token})

    assert response.status_code == 302
    [(category, message)] = flashes(client)
    assert category == "error"
    assert message.endswith("applications can no longer change.")
    assert _state(application) == before
