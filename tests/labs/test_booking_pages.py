"""The booking pages: the form and its refusals next to their fields, a taken time with its
offers, my bookings, one booking's page and its answers, and the approval queue.

Pages run on the real clock, so bookings are made next week (Madrid), on a lab open on weekdays
08:00–20:00, and a booking that must be over is made with a `now` two weeks ago.
"""

import html
import re
from datetime import datetime, time, timedelta

import pytest
from babel.dates import format_datetime
from sqlalchemy import func, select

from accelerator.accounts.enums import Role
from accelerator.core.clock import MADRID, as_madrid, madrid_to_utc, utcnow
from accelerator.core.models import OutboxMessage
from accelerator.extensions import db
from accelerator.labs.enums import BookingStatus
from accelerator.labs.models import LabBooking
from tests.cohorts.conftest import field_errors, make_namesakes, make_project, member_of, text_of
from tests.conftest import post_form, sign_in
from tests.factories import make_user
from tests.labs.conftest import (
    authorise,
    book,
    make_lab,
    make_lab_manager,
    make_resource,
    make_training,
)


def next_week(weekday: int = 2):
    """A Madrid date of next week (Wednesday unless told): always more than a day ahead."""
    today = as_madrid(utcnow()).date()
    return today - timedelta(days=today.weekday()) + timedelta(days=7 + weekday)


def at(day, hour: int, minute: int = 0) -> datetime:
    return madrid_to_utc(datetime.combine(day, time(hour, minute)))


def moment(instant: datetime) -> str:
    """How the booking service names a time in its messages."""
    return format_datetime(instant, "d MMM y, HH:mm", tzinfo=MADRID, locale="en")


def booking_data(project, operator, day, start="10:00", end="12:00", **changes) -> dict:
    return {
        "project": str(project.id),
        "day": day.isoformat(),
        "starts": start,
        "ends": end,
        "end_day": "",
        "operator": str(operator.id),
        "purpose": "CAR-T expansion run",
        **changes,
    }


@pytest.fixture
def setting(app):
    """A clean room needing a gowning training the member holds, the member's project, and a
    project of another organisation."""
    lab = make_lab(name="Parc Científic")
    gowning = make_training(lab, "Grade B gowning")
    resource = make_resource(lab, name="Clean room B1", trainings=[gowning])
    member = member_of()
    project = make_project(member=member, title="Retinal gene therapy", acronym="RETIGENE")
    today = as_madrid(utcnow()).date()
    authorise(
        member,
        gowning,
        granted_on=today - timedelta(days=30),
        expires_on=today + timedelta(days=365),
    )
    rival = member_of()
    rival_project = make_project(member=rival, title="Secret CAR-T", acronym="SECRETCAR")
    authorise(
        rival,
        gowning,
        granted_on=today - timedelta(days=30),
        expires_on=today + timedelta(days=365),
    )
    return {
        "lab": lab,
        "gowning": gowning,
        "resource": resource,
        "member": member,
        "project": project,
        "rival": rival,
        "rival_project": rival_project,
    }


def book_url(resource) -> str:
    return f"/labs/resources/{resource.id}/book"


def test_booking_through_the_form_shows_in_my_bookings_and_the_week(client, setting):
    resource, member, project = setting["resource"], setting["member"], setting["project"]
    day = next_week()
    sign_in(client, member)

    response = post_form(client, book_url(resource), booking_data(project, member, day))

    booking = db.session.scalar(select(LabBooking))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/labs/bookings/{booking.id}"
    assert (booking.starts_at, booking.ends_at, booking.status) == (
        at(day, 10),
        at(day, 12),
        BookingStatus.APPROVED,
    )
    assert (booking.project_id, booking.operator_id, booking.purpose) == (
        project.id,
        member.id,
        "CAR-T expansion run",
    )
    mine = client.get("/labs/bookings").get_data(as_text=True)
    assert text_of(mine, f"booking-{booking.id}").startswith(
        format_datetime(at(day, 10), "MMMM d, y", tzinfo=MADRID, locale="en")
    )
    week = client.get(f"/labs/resources/{resource.id}?week={day.isoformat()}").text
    assert week.count(f'href="/labs/bookings/{booking.id}"') == 4  # 10:00 to 12:00, four steps


def test_booking_form_prefills_the_time_from_the_week_view_link(client, setting):
    resource, member = setting["resource"], setting["member"]
    day = next_week()
    sign_in(client, member)

    page = client.get(f"{book_url(resource)}?start={day.isoformat()}T10:30").text

    assert f'value="{day.isoformat()}"' in page
    assert 'id="starts" name="starts" required step="1800" type="time" value="10:30"' in page
    assert (
        'id="ends" name="ends" required step="1800" type="time" value="11:00"' in page
    )  # shortest
    assert f'<option selected value="{setting["project"].id}">' in page


def test_booking_form_tells_apart_two_projects_with_one_acronym_in_two_cohorts(client, setting):
    member, older, newer = make_namesakes()
    sign_in(client, member)

    page = client.get(book_url(setting["resource"])).text

    assert re.findall(r'<option (?:selected )?value="(\d+)">([^<]+)</option>', page)[:2] == [
        (str(older.id), "RETIGENE (cohort 2024)"),
        (str(newer.id), "RETIGENE (cohort 2025)"),
    ]


def _field_case(change, field_id, message):
    return pytest.param(change, field_id, message, id=field_id + ":" + message[:30])


@pytest.mark.parametrize(
    ("change", "field_id", "message"),
    [
        _field_case({"start": "12:00", "end": "10:00"}, "ends", "The end must be after the start."),
        _field_case(
            {"start": "07:15"},
            "starts",
            "Bookings start and end on 30-minute steps, such as 07:00 and 07:30.",
        ),
        _field_case({"past": True}, "starts", "This time has passed."),
        _field_case({"end_day": 21, "end": "06:00"}, "ends", "Book at most 8 h."),
        _field_case({"end": "10:00", "start": "09:30"}, "ends", "Book at least 1 h."),
        _field_case(
            {"start": "19:00", "end": "21:00"},
            "starts",
            "Parc Científic is open 08:00–20:00 on Wednesday (Madrid time);"
            " book within these hours.",
        ),
        _field_case({"weekday": 5}, "starts", "Parc Científic is closed on Saturday."),
        _field_case({"day": ""}, "day", "Enter the date."),
        _field_case({"day": "next wednesday"}, "day", "Not a valid date value."),
        _field_case({"day": "0999-01-01"}, "day", "Enter a date between 2000 and 2100."),
        _field_case({"start": "ten"}, "starts", "Not a valid time value."),
        _field_case({"end": ""}, "ends", "Enter the end time, as 12:00."),
        _field_case({"purpose": "  "}, "purpose", "Say what the booking is for."),
        _field_case({"operator": "999999"}, "operator", "Not a valid choice."),
    ],
)
def test_bad_booking_input_gets_its_message_next_to_its_field(
    client, setting, change, field_id, message
):
    resource = make_resource(setting["lab"], name="Bioreactor", minimum_minutes=60)
    member, project = setting["member"], setting["project"]
    change = dict(change)  # the parameters are shared by both backends' runs
    day = next_week(change.pop("weekday", 2))
    if change.pop("past", False):
        day = as_madrid(utcnow()).date() - timedelta(days=7)
    data = booking_data(project, member, day)
    if "end_day" in change:
        data["end_day"] = (day + timedelta(days=change.pop("end_day"))).isoformat()
    for key, name in (("start", "starts"), ("end", "ends")):
        if key in change:
            data[name] = change.pop(key)
    data.update(change)
    sign_in(client, member)

    response = post_form(client, book_url(resource), data)

    assert response.status_code == 200
    assert field_errors(response.text, field_id) == [message]
    assert db.session.scalar(select(func.count(LabBooking.id))) == 0


def test_operator_without_the_training_is_refused_by_name(client, setting):
    member, project = setting["member"], setting["project"]
    colleague = make_user(name="Jordi Operator", organisation=project.organisation)
    sign_in(client, member)

    response = post_form(
        client, book_url(setting["resource"]), booking_data(project, colleague, next_week())
    )

    assert field_errors(response.text, "operator") == [
        "Jordi Operator has no valid authorisation for Grade B gowning on these dates."
    ]


def test_exceeded_quota_shows_next_to_the_project(client, setting):
    member, project = setting["member"], setting["project"]
    day = next_week()
    for number in range(3):  # 3 × 12 h of the quarter's 40 h, on one day (one quarter)
        full_day = make_resource(setting["lab"], name=f"Cryostore {number}", maximum_minutes=720)
        book(full_day, project, member, at(day, 8), at(day, 20), now=utcnow())
    resource = make_resource(setting["lab"], name="Cryostore 4")
    sign_in(client, member)

    response = post_form(
        client, book_url(resource), booking_data(project, member, day, start="08:00", end="13:00")
    )

    [message] = field_errors(response.text, "project")
    assert message.startswith("This booking would exceed the project's hours at Parc Científic")
    assert "4 h left of 40 h" in message


def test_taken_time_names_it_and_offers_the_next_free_time_and_the_waiting_list(client, setting):
    resource, member, project = setting["resource"], setting["member"], setting["project"]
    day = next_week()
    book(
        resource, setting["rival_project"], setting["rival"], at(day, 10), at(day, 12), now=utcnow()
    )
    sign_in(client, member)

    response = post_form(
        client, book_url(resource), booking_data(project, member, day, start="11:00", end="13:00")
    )

    page = response.text
    assert field_errors(page, "starts") == [
        f"{moment(at(day, 10))}–12:00 is already booked. The next free time of the same length"
        f" is {moment(at(day, 12))}–14:00."
    ]
    when = format_datetime(at(day, 12), "EEEE d MMMM HH:mm", tzinfo=MADRID, locale="en")
    assert text_of(page, "book-next-free") == f"Book {when}–14:00"
    assert text_of(page, "join-waitlist") == "Tell me if this time frees up"
    assert "SECRETCAR" not in page
    assert "Secret CAR-T" not in page


def test_booking_the_offered_next_free_time_books_it(client, setting):
    resource, member, project = setting["resource"], setting["member"], setting["project"]
    day = next_week()
    book(
        resource, setting["rival_project"], setting["rival"], at(day, 10), at(day, 12), now=utcnow()
    )
    sign_in(client, member)
    refused = post_form(
        client, book_url(resource), booking_data(project, member, day, start="11:00", end="13:00")
    ).text
    offer = refused[refused.index('id="overlap-offers"') : refused.index('id="book-next-free"')]
    hidden = {
        name: html.unescape(value)
        for name, value in re.findall(r'name="(\w+)" value="([^"]*)"', offer)
        if name != "csrf_token"
    }

    response = post_form(client, book_url(resource), hidden)

    assert response.status_code == 302
    booked = db.session.scalars(select(LabBooking).where(LabBooking.project_id == project.id)).one()
    assert (booked.starts_at, booked.ends_at) == (at(day, 12), at(day, 14))


def test_booking_pages_refuse_people_who_cannot_book(client, setting):
    sign_in(client, make_user())  # no organisation

    assert client.get(book_url(setting["resource"])).status_code == 403
    assert client.get("/labs/bookings").status_code == 403


def test_inactive_resource_cannot_be_booked(client, setting):
    resource = make_resource(setting["lab"], name="Old suite", active=False)
    sign_in(client, setting["member"])

    assert client.get(book_url(resource)).status_code == 404
    assert client.get(f"/labs/resources/{resource.id}").status_code == 404


# --- one booking -------------------------------------------------------------------------


@pytest.fixture
def pending(setting):
    """The member's pending booking of a resource needing approval, and the lab's manager."""
    resource = make_resource(setting["lab"], name="Vector suite", needs_approval=True)
    day = next_week()
    booking = book(
        resource, setting["project"], setting["member"], at(day, 10), at(day, 12), now=utcnow()
    )
    return booking, make_lab_manager(setting["lab"])


def test_rival_applicant_and_another_labs_manager_get_404(client, setting, pending):
    booking, _manager = pending
    other_manager = make_lab_manager(make_lab(name="Leitat"))
    for person in (setting["rival"], other_manager, make_user(Role.REVIEWER)):
        sign_in(client, person)

        assert client.get(f"/labs/bookings/{booking.id}").status_code == 404
        approve = post_form(client, f"/labs/bookings/{booking.id}/approve", {}, page="/confirm")
        assert approve.status_code == 404

    db.session.refresh(booking)
    assert booking.status == BookingStatus.PENDING


def test_lab_manager_approves_from_the_queue_and_the_booker_is_emailed(client, setting, pending):
    booking, manager = pending
    sign_in(client, manager)
    queue = client.get("/labs/manage/queue").text
    assert f'id="pending-{booking.id}"' in queue

    response = post_form(
        client,
        f"/labs/bookings/{booking.id}/approve",
        {"return_to": "queue"},
        page="/labs/manage/queue",
    )

    assert response.headers["Location"] == "/labs/manage/queue"
    db.session.refresh(booking)
    assert booking.status == BookingStatus.APPROVED
    assert "queue-empty" in client.get("/labs/manage/queue").text
    subjects = db.session.scalars(
        select(OutboxMessage.subject).where(
            OutboxMessage.recipient == setting["member"].email,
            OutboxMessage.subject.startswith("Lab booking"),
        )
    ).all()
    assert subjects == ["Lab booking approved: Vector suite"]


def test_project_member_cannot_approve_their_own_booking(client, setting, pending):
    booking, _manager = pending
    sign_in(client, setting["member"])

    page = client.get(f"/labs/bookings/{booking.id}").text
    response = post_form(client, f"/labs/bookings/{booking.id}/approve", {})

    assert 'id="approve"' not in page
    assert response.status_code == 403


def test_rejecting_without_a_reason_shows_a_message_next_to_it(client, setting, pending):
    booking, manager = pending
    sign_in(client, manager)

    response = post_form(client, f"/labs/bookings/{booking.id}/reject", {"rejection_reason": "  "})

    assert response.status_code == 200
    assert field_errors(response.text, "rejection_reason") == [
        "Tell the project why the booking is rejected."
    ]


def test_lab_manager_rejects_with_a_reason_the_member_reads(client, setting, pending):
    booking, manager = pending
    sign_in(client, manager)

    post_form(
        client,
        f"/labs/bookings/{booking.id}/reject",
        {"rejection_reason": "The suite is being validated."},
    )

    sign_in(client, setting["member"])
    page = client.get(f"/labs/bookings/{booking.id}").text
    assert text_of(page, "booking-status") == "Rejected"
    assert "The suite is being validated." in page


def test_member_cancels_their_booking(client, setting, pending):
    booking, _manager = pending
    sign_in(client, setting["member"])

    response = post_form(
        client,
        f"/labs/bookings/{booking.id}/cancel",
        {"cancellation_reason": "Donor material delayed"},
    )

    assert response.headers["Location"] == f"/labs/bookings/{booking.id}"
    db.session.refresh(booking)
    assert (booking.status, booking.cancellation_reason) == (
        BookingStatus.CANCELLED,
        "Donor material delayed",
    )


def test_queue_lists_only_the_managers_labs_oldest_first_and_all_for_programme_managers(
    client, setting, pending
):
    booking, manager = pending
    other_lab = make_lab(name="Leitat")
    elsewhere = make_resource(other_lab, name="Leitat suite", needs_approval=True)
    later = make_resource(setting["lab"], name="Cytometer", needs_approval=True, trainings=[])
    day = next_week(3)
    second = book(
        later, setting["project"], setting["member"], at(day, 9), at(day, 10), now=utcnow()
    )
    third = book(
        elsewhere, setting["project"], setting["member"], at(day, 9), at(day, 10), now=utcnow()
    )

    sign_in(client, manager)
    mine = client.get("/labs/manage/queue").text
    sign_in(client, make_user(Role.PROGRAMME_MANAGER))
    every = client.get("/labs/manage/queue").text

    assert _pending_ids(mine) == [booking.id, second.id]
    assert _pending_ids(every) == [booking.id, second.id, third.id]


def _pending_ids(page: str) -> list[int]:
    return [int(found) for found in re.findall(r'id="pending-(\d+)"', page)]


def test_lab_records_the_outcome_after_the_end(client, setting):
    resource = setting["resource"]
    then = utcnow() - timedelta(days=14)
    day = as_madrid(then).date() + timedelta(days=2)
    while day.weekday() > 4:
        day += timedelta(days=1)
    booking = book(
        resource, setting["project"], setting["member"], at(day, 10), at(day, 11), now=then
    )
    sign_in(client, make_lab_manager(setting["lab"]))

    missing = post_form(client, f"/labs/bookings/{booking.id}/outcome", {})
    response = post_form(client, f"/labs/bookings/{booking.id}/outcome", {"outcome": "no_show"})

    assert field_errors(missing.text, "outcome") == ["Choose completed or no-show."]
    assert response.status_code == 302
    db.session.refresh(booking)
    assert booking.status == BookingStatus.NO_SHOW
