"""Submitting: everything is checked, a snapshot is kept that nothing can change, a receipt
is emailed; withdrawing and reopening before the deadline."""

import copy
import re
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from accelerator.applications import services
from accelerator.applications.enums import ApplicationStatus
from accelerator.applications.models import Submission
from accelerator.extensions import db
from tests.applications.conftest import (
    NOW,
    apply_at,
    audit_trail,
    call_at,
    checklist,
    emails_to,
    flashes,
    member_of,
    submissions_of,
    token_of,
)
from tests.conftest import sign_in
from tests.factories import COMPLETE_APPLICATION, make_application, make_call

HOUR = timedelta(hours=1)
QUESTIONS = (
    "Is the product an advanced therapy (cell, gene or tissue-engineered)?",
    "Is the organisation registered in Spain or another EU member state?",
    "Has the project already received a marketing authorisation?",
)
# What a draft holding only a title still needs, in checklist order.
MISSING_AFTER_TITLE = [
    ("acronym", "Acronym"),
    ("summary", "Public summary"),
    ("unmet_need", "Unmet medical need"),
    ("innovation", "Innovation and science"),
    ("development_plan", "Development and regulatory plan"),
    ("team", "Team"),
    ("programme_use", "Use of the programme"),
    ("atmp_class", "ATMP class"),
    ("cell_source", "Cell or vector source"),
    ("therapeutic_area", "Therapeutic area"),
    ("target_indication", "Target indication"),
    ("development_stage", "Development stage"),
    ("trl", "Technology readiness level"),
    ("gmp_readiness", "GMP readiness"),
    ("manufacturing_model", "Manufacturing"),
    ("ip_status", "IP status"),
    ("funding_raised_cents", "Funding raised to date"),
    ("funding_sought_cents", "Funding sought"),
]


def _eligibility_items(call) -> list[tuple[str, str]]:
    return [
        (f"eligibility_{question.id}", f"Eligibility: {text}")
        for question, text in zip(call.eligibility_questions, QUESTIONS, strict=True)
    ]


def _reloaded(submission: Submission) -> dict:
    db.session.expire_all()
    return db.session.get(Submission, submission.id).content


# --- completeness ------------------------------------------------------------------------


def test_partial_draft_submission_is_refused_with_the_missing_items(app):
    call = call_at()
    member = member_of()
    application = apply_at(call, member=member, title="Only a title")

    with pytest.raises(services.ApplicationIncomplete) as refused:
        services.submit_application(application, by=member, now=NOW)

    assert str(refused.value) == "The application is not complete yet: 22 item(s) missing."
    assert [(item.field, item.label) for item in refused.value.missing] == [
        *MISSING_AFTER_TITLE,
        *_eligibility_items(call),
        ("pitch_deck", "Pitch deck (PDF)"),
    ]
    assert submissions_of(application) == []
    assert application.status == ApplicationStatus.DRAFT


def test_submission_without_an_eligibility_answer_is_refused(app):
    call = call_at()
    member = member_of()
    application = apply_at(call, member=member, complete=True)
    second = call.eligibility_questions[1]
    services.save_draft(application, by=member, now=NOW, fields={}, eligibility={second.id: None})

    with pytest.raises(services.ApplicationIncomplete) as refused:
        services.submit_application(application, by=member, now=NOW)

    assert [(item.field, item.label) for item in refused.value.missing] == [
        (f"eligibility_{second.id}", f"Eligibility: {QUESTIONS[1]}")
    ]
    assert submissions_of(application) == []


def test_checklist_on_the_application_page_lists_what_is_missing(client):
    call = make_call()
    member = member_of()
    application = make_application(call, member=member, title="Only a title")
    sign_in(client, member)

    page = client.get(f"/applications/{application.id}").get_data(as_text=True)

    assert checklist(page) == [
        *(label for _field, label in MISSING_AFTER_TITLE),
        *(label for _field, label in _eligibility_items(call)),
        "Pitch deck (PDF)",
    ]


def test_checklist_of_a_complete_application_is_empty(client):
    member = member_of()
    application = make_application(make_call(), member=member, complete=True)
    sign_in(client, member)

    page = client.get(f"/applications/{application.id}").get_data(as_text=True)

    assert checklist(page) == []
    assert "Everything required is filled in." in page


def test_partial_draft_submitted_over_http_is_refused_with_a_message(client):
    member = member_of()
    application = make_application(make_call(), member=member, title="Only a title")
    sign_in(client, member)
    token = token_of(client, f"/applications/{application.id}")

    response = client.post(f"/applications/{application.id}/submit", data={"csrf_token": token})

    assert response.headers["Location"] == f"/applications/{application.id}"
    assert flashes(client) == [
        ("error", "The application is not complete yet: 22 item(s) missing.")
    ]
    assert submissions_of(application) == []


# --- snapshots ---------------------------------------------------------------------------


def test_snapshot_is_unchanged_by_a_later_draft_save(app):
    call = call_at()
    member = member_of()
    application = apply_at(call, member=member, submit=True)
    [submission] = submissions_of(application)
    submitted = copy.deepcopy(submission.content)

    services.save_draft(
        application, by=member, now=NOW + HOUR, fields={"title": "A new title"}, eligibility={}
    )

    assert application.title == "A new title"
    assert _reloaded(submission) == submitted
    assert submitted["title"] == COMPLETE_APPLICATION["title"]


def test_resubmission_adds_submission_2_and_keeps_submission_1(app):
    call = call_at()
    member = member_of()
    application = apply_at(call, member=member, submit=True)
    [first] = submissions_of(application)
    first_content = copy.deepcopy(first.content)
    services.save_draft(
        application, by=member, now=NOW + HOUR, fields={"acronym": "RETI2"}, eligibility={}
    )

    services.submit_application(application, by=member, now=NOW + 2 * HOUR)

    assert [
        (s.number, s.submitted_at, s.content["acronym"]) for s in submissions_of(application)
    ] == [
        (1, NOW, "RETIGENE"),
        (2, NOW + 2 * HOUR, "RETI2"),
    ]
    assert _reloaded(first) == first_content
    assert application.submitted_at == NOW + 2 * HOUR


def test_snapshot_holds_the_submitted_content(app):
    call = call_at()
    member = member_of()
    application = apply_at(call, member=member, submit=True)

    [submission] = submissions_of(application)

    content = submission.content
    assert {name: content[name] for name in COMPLETE_APPLICATION} == COMPLETE_APPLICATION
    assert content["organisation"] == application.organisation.legal_name
    assert content["eligibility"] == [
        {"question": QUESTIONS[0], "answer": True},
        {"question": QUESTIONS[1], "answer": True},
        {"question": QUESTIONS[2], "answer": False},
    ]
    assert [(a["kind"], a["filename"]) for a in content["attachments"]] == [
        ("pitch_deck", "deck.pdf")
    ]


def test_sql_update_of_a_submission_is_refused_by_the_database(app):
    member = member_of()
    application = apply_at(call_at(), member=member, submit=True)
    [submission] = submissions_of(application)
    submitted = copy.deepcopy(submission.content)

    with pytest.raises(DBAPIError, match="submissions are immutable"):
        db.session.execute(
            text("UPDATE submissions SET content = :content WHERE id = :id"),
            {"content": '{"title": "forged"}', "id": submission.id},
        )
    db.session.rollback()

    assert _reloaded(submission) == submitted


def test_orm_change_of_a_submission_is_refused_by_the_database(app):
    member = member_of()
    application = apply_at(call_at(), member=member, submit=True)
    [submission] = submissions_of(application)

    submission.submitted_at = NOW - HOUR
    with pytest.raises(DBAPIError, match="submissions are immutable"):
        db.session.commit()
    db.session.rollback()

    assert submissions_of(application)[0].submitted_at == NOW


# --- receipt -----------------------------------------------------------------------------


def test_submission_over_http_emails_a_receipt_with_the_submission_link(client):
    call = make_call()
    member = member_of()
    application = make_application(call, member=member, complete=True)
    sign_in(client, member)
    token = token_of(client, f"/applications/{application.id}")

    response = client.post(f"/applications/{application.id}/submit", data={"csrf_token": token})

    receipt_path = f"/applications/{application.id}/submissions/1"
    assert response.headers["Location"] == receipt_path
    [receipt] = emails_to(member.email)
    assert receipt.subject == f"Receipt: {COMPLETE_APPLICATION['title']} submitted to {call.title}"
    assert re.findall(r"https?://\S+", receipt.body_text) == [
        f"http://127.0.0.1:5000{receipt_path}"
    ]
    assert "This is submission number 1." in receipt.body_text
    assert receipt.sent_at is not None
    page = client.get(receipt_path).get_data(as_text=True)
    assert "Receipt: submission 1" in page


def test_submission_is_audited_with_its_number(app):
    member = member_of()
    application = apply_at(call_at(), member=member, submit=True)

    [entry] = audit_trail("application.submitted")

    assert (entry.actor_id, entry.object_id, entry.details) == (
        member.id,
        application.id,
        {"submission": 1},
    )


# --- withdraw and reopen -----------------------------------------------------------------


def test_withdrawal_before_the_deadline_is_recorded(app):
    member = member_of()
    application = apply_at(call_at(), member=member, submit=True)

    services.withdraw_application(application, by=member, now=NOW + HOUR)

    assert application.status == ApplicationStatus.WITHDRAWN
    [entry] = audit_trail("application.withdrawn")
    assert (entry.actor_id, entry.object_id, entry.created_at) == (
        member.id,
        application.id,
        NOW + HOUR,
    )


@pytest.mark.parametrize("submitted", [False, True], ids=["draft", "submitted"])
def test_withdrawn_application_cannot_be_submitted(app, submitted):
    member = member_of()
    application = apply_at(call_at(), member=member, complete=True, submit=submitted)
    services.withdraw_application(application, by=member, now=NOW + HOUR)

    with pytest.raises(services.StatusDoesNotAllow) as refused:
        services.submit_application(application, by=member, now=NOW + 2 * HOUR)

    assert str(refused.value) == "An application that is Withdrawn cannot be changed."
    assert len(submissions_of(application)) == (1 if submitted else 0)
    assert application.status == ApplicationStatus.WITHDRAWN


def test_withdrawn_application_cannot_be_edited(app):
    member = member_of()
    application = apply_at(call_at(), member=member, complete=True)
    services.withdraw_application(application, by=member, now=NOW + HOUR)

    with pytest.raises(services.StatusDoesNotAllow):
        services.save_draft(
            application, by=member, now=NOW + 2 * HOUR, fields={"title": "x"}, eligibility={}
        )

    assert application.title == COMPLETE_APPLICATION["title"]


def test_reopened_application_can_be_submitted_again(app):
    member = member_of()
    application = apply_at(call_at(), member=member, submit=True)
    services.withdraw_application(application, by=member, now=NOW + HOUR)

    services.reopen_application(application, by=member, now=NOW + 2 * HOUR)
    services.submit_application(application, by=member, now=NOW + 3 * HOUR)

    assert application.status == ApplicationStatus.SUBMITTED
    assert [s.number for s in submissions_of(application)] == [1, 2]
    assert [e.action for e in audit_trail() if e.action.startswith("application.")][-3:] == [
        "application.withdrawn",
        "application.reopened",
        "application.submitted",
    ]


def test_withdraw_and_reopen_over_http(client):
    member = member_of()
    application = make_application(make_call(), member=member, submitted=True)
    sign_in(client, member)
    token = token_of(client, f"/applications/{application.id}")

    withdrawn = client.post(f"/applications/{application.id}/withdraw", data={"csrf_token": token})
    assert flashes(client) == [("success", "The application is withdrawn.")]
    status_after_withdrawal = application.status
    reopened = client.post(f"/applications/{application.id}/reopen", data={"csrf_token": token})

    assert [withdrawn.status_code, reopened.status_code] == [302, 302]
    assert status_after_withdrawal == ApplicationStatus.WITHDRAWN
    assert application.status == ApplicationStatus.DRAFT
