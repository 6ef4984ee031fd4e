"""Unused places of a decided call move to the programme's next call, audited."""

import pytest

from accelerator.calls.enums import CallStatus
from accelerator.core.clock import utcnow
from accelerator.extensions import db
from accelerator.selection.enums import Outcome
from accelerator.selection.publishing import publish_results
from accelerator.selection.services import DecisionNotAllowed, NoNextCall, carry_forward
from tests.conftest import post_form, sign_in
from tests.factories import make_call
from tests.selection.deciding_helpers import (
    audit_trail,
    decide,
    end_review_phase,
    flashes,
    make_decidable,
)


def decided_call(manager, *, year=2031, quota=6, selected=4):
    """A call whose results are published with `selected` of its `quota` places used."""
    call = make_call(year=year, selection_quota=quota)
    for _ in range(selected):
        decide(make_decidable(call), Outcome.SELECTED, by=manager)
    decide(make_decidable(call), Outcome.REJECTED, by=manager)
    end_review_phase(call)
    publish_results(call, by=manager, now=utcnow())
    return call


def quotas(*calls) -> list[int]:
    db.session.expire_all()
    return [call.selection_quota for call in calls]


def test_carry_forward_moves_the_unused_places_to_the_next_call(app, manager):
    call = decided_call(manager)
    following = make_call(year=2032, selection_quota=6)

    places = carry_forward(call, by=manager, now=utcnow())

    assert places == 2
    assert quotas(call, following) == [4, 8]
    entries = audit_trail("call.places_carried_forward")
    assert [(e.actor_id, e.object_type, e.object_id, e.details) for e in entries] == [
        (manager.id, "call", call.id, {"places": 2, "to_call_id": following.id})
    ]


def test_carry_forward_goes_to_the_nearest_later_call(app, manager):
    earlier = make_call(year=2030, selection_quota=6)
    call = decided_call(manager, year=2031)
    later = make_call(year=2033, selection_quota=6)
    following = make_call(year=2032, selection_quota=6)

    carry_forward(call, by=manager, now=utcnow())

    assert quotas(earlier, call, following, later) == [6, 4, 8, 6]


def test_carry_forward_twice_moves_the_places_once(app, manager):
    call = decided_call(manager)
    following = make_call(year=2032, selection_quota=6)
    carry_forward(call, by=manager, now=utcnow())

    with pytest.raises(DecisionNotAllowed) as refused:
        carry_forward(call, by=manager, now=utcnow())

    assert str(refused.value) == "This call has no unused places."
    assert quotas(call, following) == [4, 8]


def test_carry_forward_without_unused_places_is_refused(app, manager):
    call = decided_call(manager, quota=4, selected=4)
    following = make_call(year=2032, selection_quota=6)

    with pytest.raises(DecisionNotAllowed) as refused:
        carry_forward(call, by=manager, now=utcnow())

    assert str(refused.value) == "This call has no unused places."
    assert quotas(call, following) == [4, 6]
    assert audit_trail("call.places_carried_forward") == []


@pytest.mark.parametrize("status", [CallStatus.OPEN, CallStatus.CLOSED, CallStatus.IN_REVIEW])
def test_carry_forward_of_a_call_not_decided_is_refused(app, manager, status):
    call = make_call(year=2031, selection_quota=6)
    decide(make_decidable(call), Outcome.SELECTED, by=manager)
    call.status = status
    db.session.commit()
    following = make_call(year=2032, selection_quota=6)

    with pytest.raises(DecisionNotAllowed) as refused:
        carry_forward(call, by=manager, now=utcnow())

    assert str(refused.value) == "Places are carried forward once the call is decided."
    assert quotas(call, following) == [6, 6]


def test_carry_forward_without_a_later_call_is_refused(app, manager):
    make_call(year=2030, selection_quota=6)
    call = decided_call(manager, year=2031)

    with pytest.raises(NoNextCall) as refused:
        carry_forward(call, by=manager, now=utcnow())

    assert str(refused.value) == "Create the next call first; the places go to it."
    assert quotas(call) == [6]


def test_carry_forward_button_moves_the_places_and_says_how_many(app, client, manager):
    call = decided_call(manager)
    following = make_call(year=2032, selection_quota=6)
    sign_in(client, manager)
    page = client.get(f"/manage/calls/{call.id}/decisions").get_data(as_text=True)
    assert "Carry 2 unused place(s) forward to the next call" in page

    response = post_form(
        client,
        f"/manage/calls/{call.id}/carry-forward",
        {},
        page=f"/manage/calls/{call.id}/decisions",
    )

    assert response.status_code == 302
    assert flashes(client) == [("success", "2 place(s) carried forward to the next call.")]
    assert quotas(call, following) == [4, 8]
    page = client.get(f"/manage/calls/{call.id}/decisions").get_data(as_text=True)
    assert "unused place(s) forward" not in page
