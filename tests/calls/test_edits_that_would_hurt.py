"""Call edits that would hurt someone are refused or need a confirmation, and the review phase
can be closed early (once, whoever clicks at the same instant)."""

from datetime import timedelta

import pytest

from accelerator.accounts.models import User
from accelerator.calls.models import Call
from accelerator.calls.services import (
    BlindReviewLocked,
    ClosingWithDrafts,
    ReviewPhaseNotOpen,
    close_review_phase,
    update_call,
)
from accelerator.core.clock import as_madrid, utcnow
from accelerator.extensions import db
from tests.calls.conftest import audit_trail, call_form, field_errors
from tests.conftest import post_form
from tests.factories import make_application, make_call
from tests.selection.deciding_helpers import add_review, make_decidable, make_reviewer


def typed(moment) -> str:
    """A UTC moment as the call form takes it: Madrid wall-clock time."""
    return as_madrid(moment).strftime("%Y-%m-%dT%H:%M")


def form_of(call, **overrides) -> dict:
    values = {
        "title": call.title,
        "year": str(call.year),
        "opens_at": typed(call.opens_at),
        "closes_at": typed(call.closes_at),
        "review_deadline": typed(call.review_deadline),
    }
    return call_form(**{**values, **overrides})


def edit(client, call, **overrides):
    return post_form(client, f"/manage/calls/{call.id}/edit", form_of(call, **overrides))


def fields_of(call, **overrides) -> dict:
    return {
        "title": call.title,
        "year": call.year,
        "opens_at": call.opens_at,
        "closes_at": call.closes_at,
        "review_deadline": call.review_deadline,
        "selection_quota": call.selection_quota,
        "blind_review": call.blind_review,
        **overrides,
    }


# --- closing the call early while drafts are written -----------------------------------------


def test_closing_date_moved_into_the_past_with_drafts_is_refused_next_to_closes(manager_client):
    call = make_call()
    closes_at = call.closes_at
    make_application(call)
    make_application(call)

    response = edit(manager_client, call, closes_at=typed(utcnow() - timedelta(hours=1)))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_errors(page, "closes_at") == [
        "2 draft application(s) have not been submitted yet: closing the call now ends their "
        "chance to submit. Confirm below to close it anyway."
    ]
    assert 'name="close_with_drafts"' in page
    db.session.expire_all()
    assert call.closes_at == closes_at
    assert audit_trail("call.updated") == []


def test_closing_date_moved_into_the_past_with_drafts_is_saved_once_confirmed(manager_client):
    call = make_call()
    closes_at = call.closes_at
    make_application(call)
    earlier = (utcnow() - timedelta(hours=1)).replace(second=0, microsecond=0)

    response = edit(manager_client, call, closes_at=typed(earlier), close_with_drafts="y")

    assert response.status_code == 302
    db.session.expire_all()
    assert call.closes_at == earlier
    changed = audit_trail("call.updated")[0].details["changed"]
    assert changed["closes_at"] == {"from": closes_at.isoformat(), "to": earlier.isoformat()}


def test_closing_date_moved_into_the_past_without_drafts_is_saved(manager):
    call = make_call()
    now = utcnow()

    update_call(call, by=manager, now=now, **fields_of(call, closes_at=now - timedelta(hours=1)))

    assert call.closes_at == now - timedelta(hours=1)


def test_closing_date_moved_earlier_but_still_ahead_needs_no_confirmation(manager):
    call = make_call()
    make_application(call)
    now = utcnow()

    update_call(call, by=manager, now=now, **fields_of(call, closes_at=now + timedelta(days=1)))

    assert call.closes_at == now + timedelta(days=1)


def test_closing_with_drafts_refused_by_the_service_names_the_count(manager):
    call = make_call()
    make_application(call)
    now = utcnow()

    with pytest.raises(ClosingWithDrafts) as refused:
        update_call(call, by=manager, now=now, **fields_of(call, closes_at=now))

    assert refused.value.drafts == 1


# --- blind review once reviews are in ---------------------------------------------------------


def reviewed_call(**fields) -> Call:
    call = make_call(**fields)
    application = make_decidable(call)
    add_review(application, make_reviewer(), scores=[4, 4, 4, 4], comments=["Good."] * 4)
    return call


@pytest.mark.parametrize("blind_before", [False, True])
def test_blind_review_cannot_be_switched_once_a_review_is_submitted(manager_client, blind_before):
    call = reviewed_call(blind_review=blind_before)

    response = edit(manager_client, call, **({} if blind_before else {"blind_review": "y"}))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_errors(page, "blind_review") == [
        "Blind review cannot be switched on or off once a review has been submitted: the "
        "reviewers have already read the applications that way."
    ]
    db.session.expire_all()
    assert call.blind_review is blind_before


def test_blind_review_can_be_switched_on_before_any_review_is_submitted(manager):
    call = make_call()
    make_decidable(call)

    update_call(call, by=manager, now=utcnow(), **fields_of(call, blind_review=True))

    assert call.blind_review is True


def test_blind_review_refused_by_the_service_keeps_the_call(manager):
    call = reviewed_call()

    with pytest.raises(BlindReviewLocked):
        update_call(call, by=manager, now=utcnow(), **fields_of(call, blind_review=True))

    db.session.expire_all()
    assert call.blind_review is False


# --- closing the review phase early -------------------------------------------------------------


def closed_call() -> Call:
    now = utcnow()
    return make_call(opens_at=now - timedelta(days=40), closes_at=now - timedelta(days=1))


def test_review_phase_closed_early_is_recorded_and_audited(manager):
    call = closed_call()
    now = utcnow()

    close_review_phase(call, by=manager, now=now)

    assert call.review_closed_at == now
    assert [(e.actor_id, e.object_id) for e in audit_trail("call.review_phase_closed")] == [
        (manager.id, call.id)
    ]


def test_review_phase_cannot_close_before_the_call_has_closed(manager):
    call = make_call()

    with pytest.raises(ReviewPhaseNotOpen) as refused:
        close_review_phase(call, by=manager, now=utcnow())

    assert str(refused.value) == "The review phase starts once the call has closed."
    assert call.review_closed_at is None


def test_review_phase_closed_twice_is_refused_the_second_time(manager):
    call = closed_call()
    close_review_phase(call, by=manager, now=utcnow())

    with pytest.raises(ReviewPhaseNotOpen) as refused:
        close_review_phase(call, by=manager, now=utcnow())

    assert str(refused.value) == "The review phase of this call is already over."
    assert len(audit_trail("call.review_phase_closed")) == 1


def test_review_phase_closed_by_five_managers_at_once_is_closed_once(manager, at_the_same_instant):
    call_id, manager_id = closed_call().id, manager.id

    def attempt():
        call = db.session.get(Call, call_id)
        by = db.session.get(User, manager_id)

        def act():
            close_review_phase(call, by=by, now=utcnow())
            return "closed"

        return act

    results = at_the_same_instant([attempt] * 5)

    assert sorted(results) == ["ReviewPhaseNotOpen"] * 4 + ["closed"], results
    assert len(audit_trail("call.review_phase_closed")) == 1


def test_close_review_phase_button_closes_it_from_the_call_page(manager_client):
    call = closed_call()
    page = manager_client.get(f"/manage/calls/{call.id}").get_data(as_text=True)
    assert "Close the review phase now" in page

    response = post_form(
        manager_client,
        f"/manage/calls/{call.id}/close-review",
        {},
        page=f"/manage/calls/{call.id}",
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert call.review_closed_at is not None
    page = manager_client.get(f"/manage/calls/{call.id}").get_data(as_text=True)
    assert "Close the review phase now" not in page
