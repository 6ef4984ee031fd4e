"""The call lifecycle: the manager's transitions, the clock's, and what each allows."""

import re
from datetime import timedelta

import pytest

from accelerator.calls.enums import CallStatus
from accelerator.calls.services import (
    TransitionNotAllowed,
    WeightsDoNotSumTo100,
    change_call_status,
)
from accelerator.core.clock import utcnow
from accelerator.extensions import db
from tests.calls.conftest import NOW, audit_trail, flashes
from tests.conftest import post_form
from tests.factories import make_call

SECOND = timedelta(seconds=1)


def _statuses_offered(page: str) -> list[str]:
    select = re.search(r'<select[^>]*name="target"[^>]*>(.*?)</select>', page, re.S)
    return re.findall(r'<option[^>]*value="([^"]*)"', select[1]) if select else []


def _blocked_statuses(page: str) -> list[str]:
    """The statuses the page does not offer, each with why."""
    listed = re.search(r'<ul[^>]*id="blocked-statuses"[^>]*>(.*?)</ul>', page, re.S)
    items = re.findall(r"<li>(.*?)</li>", listed[1], re.S) if listed else []
    return [" ".join(item.split()) for item in items]


def _unbalance_rubric(call) -> None:
    call.criteria[-1].weight = 5  # 30 + 30 + 25 + 5 = 90
    db.session.commit()


# --- the service --------------------------------------------------------------------------------


def test_draft_call_with_weights_summing_to_100_opens_and_is_audited(manager):
    call = make_call(now=NOW, status=CallStatus.DRAFT)

    change_call_status(call, CallStatus.OPEN, by=manager, now=NOW)

    assert call.status == CallStatus.OPEN
    (entry,) = audit_trail("call.status_changed")
    assert (entry.actor_id, entry.object_id) == (manager.id, call.id)
    assert entry.details == {"from": "draft", "to": "open"}


def test_draft_call_with_weights_summing_to_90_does_not_open(manager):
    call = make_call(now=NOW, status=CallStatus.DRAFT)
    _unbalance_rubric(call)

    with pytest.raises(WeightsDoNotSumTo100) as raised:
        change_call_status(call, CallStatus.OPEN, by=manager, now=NOW)

    assert str(raised.value) == "Fix the rubric first: its weights must add up to 100 %."
    db.session.expire_all()
    assert call.status == CallStatus.DRAFT
    assert audit_trail("call.status_changed") == []


def test_open_call_before_closes_at_cannot_go_in_review(manager):
    call = make_call(now=NOW, status=CallStatus.OPEN)

    with pytest.raises(TransitionNotAllowed) as raised:
        change_call_status(call, CallStatus.IN_REVIEW, by=manager, now=call.closes_at - SECOND)

    assert str(raised.value) == "Review can start only after the call has closed."
    db.session.expire_all()
    assert call.status == CallStatus.OPEN
    assert audit_trail("call.status_changed") == []


def test_open_call_at_closes_at_goes_in_review_and_is_audited(manager):
    call = make_call(now=NOW, status=CallStatus.OPEN)

    change_call_status(call, CallStatus.IN_REVIEW, by=manager, now=call.closes_at)

    assert call.status == CallStatus.IN_REVIEW
    assert [e.details for e in audit_trail("call.status_changed")] == [
        {"from": "open", "to": "in_review"}
    ]


def test_call_goes_through_its_whole_lifecycle_with_one_audit_entry_a_step(manager):
    call = make_call(now=NOW, status=CallStatus.DRAFT)
    later = call.review_deadline

    for target in (CallStatus.OPEN, CallStatus.IN_REVIEW, CallStatus.DECIDED, CallStatus.ARCHIVED):
        change_call_status(call, target, by=manager, now=later)

    assert call.status == CallStatus.ARCHIVED
    assert [(e.details["from"], e.details["to"]) for e in audit_trail("call.status_changed")] == [
        ("draft", "open"),
        ("open", "in_review"),
        ("in_review", "decided"),
        ("decided", "archived"),
    ]


@pytest.mark.parametrize(
    ("current", "target", "message"),
    [
        (CallStatus.DRAFT, CallStatus.IN_REVIEW, "A call that is Draft cannot become In review."),
        (CallStatus.DRAFT, CallStatus.ARCHIVED, "A call that is Draft cannot become Archived."),
        (CallStatus.OPEN, CallStatus.DRAFT, "A call that is Open cannot become Draft."),
        (CallStatus.OPEN, CallStatus.CLOSED, "A call that is Open cannot become Closed."),
        (CallStatus.OPEN, CallStatus.DECIDED, "A call that is Open cannot become Decided."),
        (CallStatus.IN_REVIEW, CallStatus.OPEN, "A call that is In review cannot become Open."),
        (CallStatus.ARCHIVED, CallStatus.DRAFT, "A call that is Archived cannot become Draft."),
    ],
)
def test_illegal_status_jump_is_refused_with_a_message(manager, current, target, message):
    call = make_call(now=NOW, status=current)

    with pytest.raises(TransitionNotAllowed) as raised:
        change_call_status(call, target, by=manager, now=call.review_deadline)

    assert str(raised.value) == message
    db.session.expire_all()
    assert call.status == current
    assert audit_trail("call.status_changed") == []


# --- the clock ----------------------------------------------------------------------------------


def test_open_call_status_at_is_open_until_closes_at_then_closed():
    call = make_call(now=NOW, status=CallStatus.OPEN)

    assert call.status_at(call.closes_at - SECOND) == CallStatus.OPEN
    assert call.status_at(call.closes_at) == CallStatus.CLOSED
    assert call.status_at(call.closes_at + timedelta(days=400)) == CallStatus.CLOSED
    assert call.status == CallStatus.OPEN


@pytest.mark.parametrize("status", [CallStatus.DRAFT, CallStatus.IN_REVIEW, CallStatus.DECIDED])
def test_call_not_open_keeps_its_status_after_closes_at(status):
    call = make_call(now=NOW, status=status)

    assert call.status_at(call.closes_at + SECOND) == status


def test_open_call_accepts_applications_from_opens_at_until_just_before_closes_at():
    call = make_call(now=NOW, status=CallStatus.OPEN)

    assert call.is_accepting_applications(call.opens_at - SECOND) is False
    assert call.is_accepting_applications(call.opens_at) is True
    assert call.is_accepting_applications(call.closes_at - SECOND) is True
    assert call.is_accepting_applications(call.closes_at) is False


def test_open_call_is_upcoming_only_before_opens_at():
    call = make_call(now=NOW, status=CallStatus.OPEN, opens_at=NOW + timedelta(days=1))

    assert call.is_upcoming(NOW) is True
    assert call.is_upcoming(call.opens_at) is False


def test_draft_call_is_neither_upcoming_nor_accepting_applications():
    call = make_call(now=NOW, status=CallStatus.DRAFT, opens_at=NOW + timedelta(days=1))

    assert call.is_upcoming(NOW) is False
    assert call.is_accepting_applications(call.opens_at) is False


# --- the page -----------------------------------------------------------------------------------


def test_manage_page_offers_only_the_next_status(manager_client):
    now = utcnow()
    draft = make_call(status=CallStatus.DRAFT)
    closed_call = make_call(
        status=CallStatus.OPEN, opens_at=now - timedelta(days=30), closes_at=now - timedelta(days=1)
    )
    archived = make_call(status=CallStatus.ARCHIVED)

    pages = {
        call.status: manager_client.get(f"/manage/calls/{call.id}").get_data(as_text=True)
        for call in (draft, closed_call, archived)
    }

    assert _statuses_offered(pages[CallStatus.DRAFT]) == ["open"]
    assert _statuses_offered(pages[CallStatus.OPEN]) == ["in_review"]
    assert _statuses_offered(pages[CallStatus.ARCHIVED]) == []


def test_manage_page_offers_no_status_the_rules_would_refuse_and_says_why(manager_client):
    still_open = make_call(status=CallStatus.OPEN)
    unbalanced = make_call(status=CallStatus.DRAFT)
    _unbalance_rubric(unbalanced)
    in_review = make_call(status=CallStatus.IN_REVIEW)

    pages = [
        manager_client.get(f"/manage/calls/{call.id}").get_data(as_text=True)
        for call in (still_open, unbalanced, in_review)
    ]

    assert [_statuses_offered(page) for page in pages] == [[], [], []]
    assert [_blocked_statuses(page) for page in pages] == [
        ["Not yet In review: Review can start only after the call has closed."],
        ["Not yet Open: Fix the rubric first: its weights must add up to 100 %."],
        [
            "Not yet Decided: The call is decided once its review phase is over: wait for the "
            "review deadline or close the review phase first."
        ],
    ]


def test_status_form_refuses_to_decide_a_call_whose_review_phase_is_open(manager_client):
    call = make_call(status=CallStatus.IN_REVIEW)

    post_form(
        manager_client,
        f"/manage/calls/{call.id}/status",
        {"target": "decided"},
        page=f"/manage/calls/{call.id}",
    )

    assert flashes(manager_client) == [
        (
            "error",
            "The call is decided once its review phase is over: wait for the review deadline "
            "or close the review phase first.",
        )
    ]
    assert call.status == CallStatus.IN_REVIEW


def test_status_form_opens_a_draft_call(manager_client):
    call = make_call(status=CallStatus.DRAFT)

    response = post_form(
        manager_client,
        f"/manage/calls/{call.id}/status",
        {"target": "open"},
        page=f"/manage/calls/{call.id}",
    )

    assert response.status_code == 302
    assert response.headers["Location"] == f"/manage/calls/{call.id}"
    assert flashes(manager_client) == [("success", "The call is now Open.")]
    assert call.status == CallStatus.OPEN
    assert len(audit_trail("call.status_changed")) == 1


def test_status_form_refuses_to_open_a_call_whose_weights_sum_to_90(manager_client):
    call = make_call(status=CallStatus.DRAFT)
    _unbalance_rubric(call)

    post_form(
        manager_client,
        f"/manage/calls/{call.id}/status",
        {"target": "open"},
        page=f"/manage/calls/{call.id}",
    )

    assert flashes(manager_client) == [
        ("error", "Fix the rubric first: its weights must add up to 100 %.")
    ]
    assert call.status == CallStatus.DRAFT


def test_status_form_refuses_review_before_the_call_closes(manager_client):
    call = make_call(status=CallStatus.OPEN)

    post_form(
        manager_client,
        f"/manage/calls/{call.id}/status",
        {"target": "in_review"},
        page=f"/manage/calls/{call.id}",
    )

    assert flashes(manager_client) == [
        ("error", "Review can start only after the call has closed.")
    ]
    assert call.status == CallStatus.OPEN


def test_status_form_starts_review_once_the_call_has_closed(manager_client):
    now = utcnow()
    call = make_call(
        status=CallStatus.OPEN,
        opens_at=now - timedelta(days=30),
        closes_at=now - timedelta(minutes=1),
    )

    post_form(
        manager_client,
        f"/manage/calls/{call.id}/status",
        {"target": "in_review"},
        page=f"/manage/calls/{call.id}",
    )

    assert flashes(manager_client) == [("success", "The call is now In review.")]
    assert call.status == CallStatus.IN_REVIEW


def test_status_form_refuses_an_illegal_jump_with_a_message(manager_client):
    call = make_call(status=CallStatus.DRAFT)

    post_form(
        manager_client,
        f"/manage/calls/{call.id}/status",
        {"target": "archived"},
        page=f"/manage/calls/{call.id}",
    )

    assert flashes(manager_client) == [("error", "A call that is Draft cannot become Archived.")]
    assert call.status == CallStatus.DRAFT
    assert audit_trail("call.status_changed") == []
