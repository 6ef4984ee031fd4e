"""Creating and editing calls: date order, Madrid time, default quota, one call a year."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

from accelerator.calls.enums import CallStatus
from accelerator.calls.models import Call
from accelerator.calls.services import DatesOutOfOrder, create_call, the_programme, update_call
from accelerator.extensions import db
from tests.calls.conftest import (
    NOW,
    audit_trail,
    call_form,
    error_fields,
    field_errors,
    input_value,
)
from tests.conftest import post_form
from tests.factories import make_call


def _calls() -> list[Call]:
    return list(db.session.scalars(select(Call).order_by(Call.id)))


def _moments(**overrides) -> dict:
    opens_at = datetime(2031, 1, 15, 8, 0, tzinfo=UTC)
    return {
        "title": "ATMP Catalyst 2031",
        "year": 2031,
        "opens_at": opens_at,
        "closes_at": opens_at + timedelta(days=60),
        "review_deadline": opens_at + timedelta(days=90),
        **overrides,
    }


# --- date order ------------------------------------------------------------------------------


def test_new_call_closing_before_it_opens_is_refused_next_to_closes(manager_client):
    response = post_form(
        manager_client,
        "/manage/calls/new",
        call_form(opens_at="2031-03-31T14:00", closes_at="2031-03-31T13:59"),
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert error_fields(page) == ["closes_at"]
    assert field_errors(page, "closes_at") == ["The call must close after it opens."]
    assert _calls() == []


def test_new_call_closing_when_it_opens_is_refused_next_to_closes(manager_client):
    response = post_form(
        manager_client,
        "/manage/calls/new",
        call_form(opens_at="2031-03-31T14:00", closes_at="2031-03-31T14:00"),
    )

    page = response.get_data(as_text=True)
    assert field_errors(page, "closes_at") == ["The call must close after it opens."]
    assert _calls() == []


def test_new_call_review_deadline_before_closing_is_refused_next_to_review_deadline(
    manager_client,
):
    response = post_form(
        manager_client,
        "/manage/calls/new",
        call_form(closes_at="2031-03-31T14:00", review_deadline="2031-03-31T14:00"),
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert error_fields(page) == ["review_deadline"]
    assert field_errors(page, "review_deadline") == [
        "The review deadline must come after the call closes."
    ]
    assert _calls() == []


def test_new_call_without_dates_is_refused_next_to_each_date(manager_client):
    response = post_form(
        manager_client,
        "/manage/calls/new",
        call_form(opens_at="", closes_at="", review_deadline=""),
    )

    page = response.get_data(as_text=True)
    assert error_fields(page) == ["opens_at", "closes_at", "review_deadline"]
    assert field_errors(page, "opens_at") == ["Enter a date and time."]
    assert _calls() == []


def test_edited_call_closing_before_it_opens_is_refused_and_unchanged(manager_client):
    call = make_call(
        opens_at=datetime(2031, 1, 15, 8, 0, tzinfo=UTC),
        closes_at=datetime(2031, 3, 31, 12, 0, tzinfo=UTC),
    )
    title = call.title

    response = post_form(
        manager_client,
        f"/manage/calls/{call.id}/edit",
        call_form(year=str(call.year), opens_at="2031-04-01T09:00", closes_at="2031-03-31T14:00"),
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_errors(page, "closes_at") == ["The call must close after it opens."]
    assert call.opens_at == datetime(2031, 1, 15, 8, 0, tzinfo=UTC)
    assert call.title == title


def test_edited_call_review_deadline_before_closing_is_refused_next_to_review_deadline(
    manager_client,
):
    call = make_call()

    response = post_form(
        manager_client,
        f"/manage/calls/{call.id}/edit",
        call_form(
            year=str(call.year), closes_at="2031-03-31T14:00", review_deadline="2031-03-01T14:00"
        ),
    )

    page = response.get_data(as_text=True)
    assert field_errors(page, "review_deadline") == [
        "The review deadline must come after the call closes."
    ]


def test_create_call_service_with_dates_out_of_order_raises_dates_out_of_order(manager):
    programme = the_programme(now=NOW)
    fields = _moments()
    fields["closes_at"] = fields["opens_at"]

    with pytest.raises(DatesOutOfOrder) as raised:
        create_call(programme, by=manager, now=NOW, **fields)

    assert str(raised.value) == "The call must close after it opens."
    assert _calls() == []


def test_create_call_service_with_review_deadline_before_closing_raises_dates_out_of_order(
    manager,
):
    fields = _moments()
    fields["review_deadline"] = fields["closes_at"] - timedelta(seconds=1)

    with pytest.raises(DatesOutOfOrder) as raised:
        create_call(the_programme(now=NOW), by=manager, now=NOW, **fields)

    assert str(raised.value) == "The review deadline must come after the call closes."


def test_update_call_service_with_dates_out_of_order_raises_and_keeps_the_dates(manager):
    call = create_call(the_programme(now=NOW), by=manager, now=NOW, **_moments())
    fields = _moments(opens_at=call.closes_at + timedelta(days=1))

    with pytest.raises(DatesOutOfOrder):
        update_call(call, by=manager, now=NOW, **fields)

    db.session.expire_all()
    assert call.opens_at == datetime(2031, 1, 15, 8, 0, tzinfo=UTC)
    assert [entry.action for entry in audit_trail("call.updated")] == []


def test_database_refuses_a_call_closing_before_it_opens(app):
    call = make_call()

    with pytest.raises(IntegrityError):
        db.session.execute(
            update(Call)
            .where(Call.id == call.id)
            .values(closes_at=call.opens_at - timedelta(minutes=1))
        )
    db.session.rollback()


def test_database_refuses_a_call_closing_when_it_opens_in_plain_sql(app):
    call = make_call()

    with pytest.raises(IntegrityError):
        db.session.execute(
            text("UPDATE calls SET closes_at = opens_at WHERE id = :id"), {"id": call.id}
        )
    db.session.rollback()


def test_database_refuses_a_review_deadline_before_closing(app):
    call = make_call()

    with pytest.raises(IntegrityError):
        db.session.execute(
            update(Call)
            .where(Call.id == call.id)
            .values(review_deadline=call.closes_at - timedelta(minutes=1))
        )
    db.session.rollback()


# --- Madrid time -----------------------------------------------------------------------------


def test_new_call_in_winter_is_stored_one_hour_earlier_in_utc(manager_client):
    post_form(
        manager_client,
        "/manage/calls/new",
        call_form(
            opens_at="2031-01-15T09:00",
            closes_at="2031-02-28T23:59",
            review_deadline="2031-03-20T12:00",
        ),
    )

    (call,) = _calls()
    assert call.opens_at == datetime(2031, 1, 15, 8, 0, tzinfo=UTC)
    assert call.closes_at == datetime(2031, 2, 28, 22, 59, tzinfo=UTC)
    assert call.review_deadline == datetime(2031, 3, 20, 11, 0, tzinfo=UTC)


def test_new_call_in_summer_is_stored_two_hours_earlier_in_utc(manager_client):
    post_form(
        manager_client,
        "/manage/calls/new",
        call_form(
            opens_at="2031-06-02T09:00",
            closes_at="2031-07-31T14:00",
            review_deadline="2031-09-30T00:30",
        ),
    )

    (call,) = _calls()
    assert call.opens_at == datetime(2031, 6, 2, 7, 0, tzinfo=UTC)
    assert call.closes_at == datetime(2031, 7, 31, 12, 0, tzinfo=UTC)
    assert call.review_deadline == datetime(2031, 9, 29, 22, 30, tzinfo=UTC)


def test_edit_form_shows_the_stored_times_back_in_madrid_time(manager_client):
    call = make_call(
        opens_at=datetime(2031, 1, 15, 8, 0, tzinfo=UTC),
        closes_at=datetime(2031, 7, 31, 12, 0, tzinfo=UTC),
        review_deadline=datetime(2031, 9, 29, 22, 30, tzinfo=UTC),
    )

    page = manager_client.get(f"/manage/calls/{call.id}/edit").get_data(as_text=True)

    assert input_value(page, "opens_at") == "2031-01-15T09:00"
    assert input_value(page, "closes_at") == "2031-07-31T14:00"
    assert input_value(page, "review_deadline") == "2031-09-30T00:30"


def test_edit_form_saved_unchanged_keeps_the_stored_times(manager_client):
    call = make_call(
        opens_at=datetime(2031, 1, 15, 8, 0, tzinfo=UTC),
        closes_at=datetime(2031, 7, 31, 12, 0, tzinfo=UTC),
        review_deadline=datetime(2031, 9, 29, 22, 30, tzinfo=UTC),
    )
    page = manager_client.get(f"/manage/calls/{call.id}/edit").get_data(as_text=True)
    shown = {name: input_value(page, name) for name in ("opens_at", "closes_at", "review_deadline")}

    response = post_form(
        manager_client, f"/manage/calls/{call.id}/edit", call_form(year=str(call.year), **shown)
    )

    assert error_fields(response.get_data(as_text=True)) == []
    assert response.status_code == 302
    assert (call.opens_at, call.closes_at, call.review_deadline) == (
        datetime(2031, 1, 15, 8, 0, tzinfo=UTC),
        datetime(2031, 7, 31, 12, 0, tzinfo=UTC),
        datetime(2031, 9, 29, 22, 30, tzinfo=UTC),
    )


# --- creating: defaults, quota and year --------------------------------------------------------


def test_new_call_is_a_draft_with_the_default_rubric_and_is_audited(manager_client, manager):
    response = post_form(manager_client, "/manage/calls/new", call_form())

    (call,) = _calls()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/manage/calls/{call.id}"
    assert call.status == CallStatus.DRAFT
    assert call.title == "ATMP Catalyst 2031"
    assert call.year == 2031
    assert call.reviews_per_application == 3
    assert call.blind_review is False
    assert [(c.position, c.name, c.weight) for c in call.criteria] == [
        (1, "Excellence and innovation", 30),
        (2, "Unmet need and impact", 30),
        (3, "Team and implementation", 25),
        (4, "Fit with the programme", 15),
    ]
    assert [(q.position, q.qualifying_answer) for q in call.eligibility_questions] == [
        (1, True),
        (2, True),
        (3, False),
    ]
    assert [(e.actor_id, e.object_id) for e in audit_trail("call.created")] == [
        (manager.id, call.id)
    ]


def test_new_call_with_empty_quota_gets_cap_divided_by_calls(manager_client):
    post_form(manager_client, "/manage/calls/new", call_form(selection_quota=""))

    (call,) = _calls()
    assert (call.programme.selection_cap, call.programme.number_of_calls) == (18, 3)
    assert call.selection_quota == 6


def test_new_call_with_a_quota_keeps_that_quota(manager_client):
    post_form(manager_client, "/manage/calls/new", call_form(selection_quota="4"))

    (call,) = _calls()
    assert call.selection_quota == 4


def test_new_call_with_quota_zero_keeps_zero(manager_client):
    post_form(manager_client, "/manage/calls/new", call_form(selection_quota="0"))

    (call,) = _calls()
    assert call.selection_quota == 0


def test_second_call_for_the_same_year_is_refused_next_to_year(manager_client):
    post_form(manager_client, "/manage/calls/new", call_form(year="2031"))

    response = post_form(
        manager_client, "/manage/calls/new", call_form(title="Another call", year="2031")
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert error_fields(page) == ["year"]
    assert field_errors(page, "year") == ["The programme already has a call for this year."]
    assert [call.title for call in _calls()] == ["ATMP Catalyst 2031"]
    assert db.session.scalar(select(func.count()).select_from(Call)) == 1


def test_edited_call_moved_to_a_taken_year_is_refused_next_to_year(manager_client):
    make_call(year=2031)
    call = make_call(year=2032)

    response = post_form(manager_client, f"/manage/calls/{call.id}/edit", call_form(year="2031"))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_errors(page, "year") == ["The programme already has a call for this year."]
    assert call.year == 2032


def test_edited_call_is_saved_and_audited(manager_client, manager):
    call = make_call(year=2031)

    response = post_form(
        manager_client,
        f"/manage/calls/{call.id}/edit",
        call_form(year="2031", title="Renamed", selection_quota="5", blind_review="y"),
    )

    assert response.status_code == 302
    assert (call.title, call.selection_quota, call.blind_review) == ("Renamed", 5, True)
    assert [(e.actor_id, e.object_id) for e in audit_trail("call.updated")] == [
        (manager.id, call.id)
    ]


def test_new_call_year_outside_2000_to_2100_is_refused_next_to_year(manager_client):
    response = post_form(manager_client, "/manage/calls/new", call_form(year="1999"))

    page = response.get_data(as_text=True)
    assert field_errors(page, "year") == ["Enter a year between 2000 and 2100."]
    assert _calls() == []


def test_edited_call_with_empty_quota_gets_cap_divided_by_calls(manager_client):
    call = make_call(year=2031, selection_quota=2)

    response = post_form(
        manager_client, f"/manage/calls/{call.id}/edit", call_form(year="2031", selection_quota="")
    )

    assert response.status_code == 302
    assert call.selection_quota == 6
