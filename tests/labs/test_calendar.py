"""Calendar invitations in the lab booking emails, and the subscribable feeds of a resource and of
a project (whose feed holds its mentoring sessions too).

NOW is Monday 2 March 2026; Wednesday 11 March is in Madrid winter time (UTC+1), so 10:00–12:00
Madrid is 09:00–11:00 UTC.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from accelerator.accounts.enums import Role
from accelerator.core.errors import NotAllowed
from accelerator.core.models import AuditEntry, OutboxMessage
from accelerator.extensions import db
from accelerator.labs import feeds
from accelerator.labs.booking import approve_booking, cancel_booking, record_outcome, reject_booking
from accelerator.labs.calendar import booking_uid
from accelerator.labs.calendar import feed as lab_calendar_feed
from accelerator.labs.enums import BookingStatus
from accelerator.labs.models import LabStaff
from accelerator.mentoring import feeds as mentoring_feeds
from accelerator.mentoring.booking import confirm_session, request_session
from accelerator.mentoring.calendar import session_uid
from accelerator.mentoring.models import CalendarFeed
from tests.cohorts.conftest import make_project, member_of
from tests.conftest import post_form, sign_in
from tests.factories import make_user
from tests.labs.conftest import (
    NOW,
    WEDNESDAY,
    book,
    madrid,
    make_lab,
    make_lab_manager,
    make_resource,
)
from tests.mentoring.conftest import add_rule, make_mentor

TEN = madrid(WEDNESDAY, 10)
NOON = madrid(WEDNESDAY, 12)
TWO = madrid(WEDNESDAY, 14)
FOUR = madrid(WEDNESDAY, 16)
# Tuesday 10 March, 10:00 Madrid: inside the mentor's weekly availability (add_rule).
TUESDAY_TEN = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def lab_booking(app):
    """A lab with its manager, a resource that needs approval, and a project with a member and
    a colleague who operates."""
    lab = make_lab(name="Leitat")
    manager = make_lab_manager(lab)
    resource = make_resource(lab, name="Clean room B1", needs_approval=True)
    member = member_of()
    operator = member_of(member.organisation)
    project = make_project(member=member, acronym="CARTX")
    return resource, project, member, operator, manager


def emails_with_subject(subject: str) -> list[OutboxMessage]:
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.subject == subject).order_by(OutboxMessage.id)
    ).all()


def only_event(ics: str | bytes) -> tuple[Calendar, dict]:
    calendar = Calendar.from_ical(ics)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def feed_events(response) -> list:
    return Calendar.from_ical(response.data).walk("VEVENT")


def feed_path(token: str) -> str:
    return f"/mentoring/calendar/{token}.ics"


def reset_path(resource) -> str:
    return f"/labs/resources/{resource.id}/calendar/reset"


# --- invitations in the emails -------------------------------------------------------------


def test_approval_emails_the_booker_and_the_operator_a_request_invitation(lab_booking):
    resource, project, member, operator, manager = lab_booking
    booking = book(resource, project, member, TEN, NOON, operator=operator)

    approve_booking(booking, by=manager, now=NOW)

    emails = emails_with_subject("Lab booking approved: Clean room B1")
    assert [email.recipient for email in emails] == [member.email, operator.email]
    for email in emails:
        assert email.attachment_filename == "invitation.ics"
        assert email.attachment_content_type == "text/calendar; method=REQUEST; charset=UTF-8"
        calendar, event = only_event(email.attachment_body)
        assert calendar["METHOD"] == "REQUEST"
        assert event["UID"] == f"lab-booking-{booking.id}@atmp-catalyst.eu"
        assert event.decoded("DTSTART") == booking.starts_at == TEN
        assert event.decoded("DTEND") == booking.ends_at == NOON
        assert event["SEQUENCE"] == 0
        assert event["STATUS"] == "CONFIRMED"
        assert event["LOCATION"] == "Leitat, Parc Científic, Barcelona"
        assert event["SUMMARY"] == "Clean room B1: CARTX"
        assert event["ATTENDEE"] == [f"mailto:{member.email}", f"mailto:{operator.email}"]


def test_invitation_times_are_written_in_utc(lab_booking):
    resource, project, member, _operator, manager = lab_booking
    approve_booking(book(resource, project, member, TEN, NOON), by=manager, now=NOW)

    [email] = emails_with_subject("Lab booking approved: Clean room B1")

    assert "DTSTART:20260311T090000Z" in email.attachment_body.splitlines()
    assert "DTEND:20260311T110000Z" in email.attachment_body.splitlines()


def test_booking_awaiting_approval_sends_the_booker_no_invitation(lab_booking):
    resource, project, member, _operator, manager = lab_booking

    book(resource, project, member, TEN, NOON)

    [to_staff] = emails_with_subject("Booking to approve: Clean room B1")
    assert to_staff.recipient == manager.email
    assert to_staff.attachment_body is None
    assert (
        db.session.scalars(
            select(OutboxMessage.recipient).where(OutboxMessage.attachment_body.is_not(None))
        ).all()
        == []
    )


def test_rejection_emails_a_cancel_with_a_higher_sequence(lab_booking):
    resource, project, member, operator, manager = lab_booking
    booking = book(resource, project, member, TEN, NOON, operator=operator)

    reject_booking(booking, reason="The room is being requalified.", by=manager, now=NOW)

    emails = emails_with_subject("Lab booking rejected: Clean room B1")
    assert [email.recipient for email in emails] == [member.email, operator.email]
    for email in emails:
        assert email.attachment_content_type == "text/calendar; method=CANCEL; charset=UTF-8"
        calendar, event = only_event(email.attachment_body)
        assert calendar["METHOD"] == "CANCEL"
        assert event["UID"] == booking_uid(booking)
        assert event["SEQUENCE"] == 1
        assert event["STATUS"] == "CANCELLED"


def test_cancelling_an_approved_booking_emails_a_cancel_with_the_same_uid(lab_booking):
    resource, project, member, _operator, manager = lab_booking
    booking = approve_booking(book(resource, project, member, TEN, NOON), by=manager, now=NOW)
    [approval] = emails_with_subject("Lab booking approved: Clean room B1")

    cancel_booking(booking, reason="The batch failed.", by=member, now=NOW)

    [email] = emails_with_subject("Lab booking cancelled: Clean room B1")
    assert email.recipient == member.email
    calendar, event = only_event(email.attachment_body)
    assert calendar["METHOD"] == "CANCEL"
    assert event["UID"] == only_event(approval.attachment_body)[1]["UID"]
    assert event["UID"] == f"lab-booking-{booking.id}@atmp-catalyst.eu"
    assert event["SEQUENCE"] == 1
    assert event["STATUS"] == "CANCELLED"
    assert event.decoded("DTSTART") == TEN


def test_resource_without_approval_sends_the_request_at_booking_time(lab_booking):
    resource, project, member, operator, _manager = lab_booking
    instant = make_resource(resource.lab, name="Flow cytometer 1", needs_approval=False)

    booking = book(instant, project, member, TEN, NOON, operator=operator)

    assert booking.status == BookingStatus.APPROVED
    emails = emails_with_subject("Lab booking approved: Flow cytometer 1")
    assert [email.recipient for email in emails] == [member.email, operator.email]
    for email in emails:
        calendar, event = only_event(email.attachment_body)
        assert calendar["METHOD"] == "REQUEST"
        assert event["UID"] == booking_uid(booking)
        assert event["SEQUENCE"] == 0
        assert event.decoded("DTSTART") == TEN
        assert event.decoded("DTEND") == NOON


# --- a resource's feed ---------------------------------------------------------------------


def test_resource_feed_serves_its_pending_and_approved_bookings_only(lab_booking, client):
    resource, project, member, _operator, manager = lab_booking
    pending = book(resource, project, member, TEN, NOON)
    approved = approve_booking(book(resource, project, member, NOON, TWO), by=manager, now=NOW)
    rejected = book(resource, project, member, TWO, FOUR)
    reject_booking(rejected, reason="Maintenance.", by=manager, now=NOW)
    called_off = book(resource, project, member, TWO + timedelta(days=1), FOUR + timedelta(days=1))
    cancel_booking(called_off, reason="", by=member, now=NOW)
    other_resource = make_resource(resource.lab, needs_approval=True)
    book(other_resource, project, member, TEN, NOON)
    token = mentoring_feeds.issue_feed(resource, by=manager, now=NOW)

    response = client.get(feed_path(token))

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, no-store"
    calendar = Calendar.from_ical(response.data)
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["X-WR-CALNAME"] == "ATMP Catalyst: Clean room B1 at Leitat"
    events = feed_events(response)
    assert [str(event["UID"]) for event in events] == [booking_uid(pending), booking_uid(approved)]
    assert [str(event["STATUS"]) for event in events] == ["TENTATIVE", "CONFIRMED"]
    assert [str(event["SUMMARY"]) for event in events] == ["Clean room B1: CARTX"] * 2
    assert "ATTENDEE" not in events[0]


def test_resource_feed_keeps_completed_bookings_for_90_days(lab_booking):
    resource, project, member, _operator, manager = lab_booking
    booking = approve_booking(book(resource, project, member, TEN, NOON), by=manager, now=NOW)
    no_show = approve_booking(book(resource, project, member, TWO, FOUR), by=manager, now=NOW)
    record_outcome(booking, outcome=BookingStatus.COMPLETED, by=manager, now=NOON)
    record_outcome(no_show, outcome=BookingStatus.NO_SHOW, by=manager, now=FOUR)
    mentoring_feeds.issue_feed(resource, by=manager, now=NOW)
    feed = feeds.feed_of_resource(resource, by=manager)

    within = feeds.bookings_for_feed(feed, now=NOON + timedelta(days=90))
    after = feeds.bookings_for_feed(feed, now=NOON + timedelta(days=90, minutes=1))

    assert [b.id for b in within] == [booking.id]
    assert after == []


def test_resource_feed_is_one_row_whoever_of_the_lab_resets_it(lab_booking):
    resource, _project, _member, _operator, manager = lab_booking

    mentoring_feeds.issue_feed(resource, by=manager, now=NOW)
    mentoring_feeds.issue_feed(resource, by=make_user(Role.PROGRAMME_MANAGER), now=NOW)

    [feed] = db.session.scalars(select(CalendarFeed)).all()
    assert (feed.resource_id, feed.mentor_id, feed.project_id) == (resource.id, None, None)


@pytest.mark.parametrize("who", ["manager_of_another_lab", "project_member"])
def test_feed_of_resource_for_anyone_but_its_lab_staff_is_not_allowed(lab_booking, who):
    resource, _project, member, _operator, _manager = lab_booking
    user = make_lab_manager(make_lab()) if who == "manager_of_another_lab" else member

    with pytest.raises(NotAllowed):
        feeds.feed_of_resource(resource, by=user)
    with pytest.raises(NotAllowed):
        mentoring_feeds.issue_feed(resource, by=user, now=NOW)


@pytest.mark.parametrize("bookings", [1, 3])
def test_resource_feed_bookings_are_loaded_in_one_query(lab_booking, count_queries, bookings):
    resource, project, member, _operator, manager = lab_booking
    for number in range(bookings):
        book(resource, project, member, TEN + timedelta(days=number), NOON + timedelta(days=number))
    token = mentoring_feeds.issue_feed(resource, by=manager, now=NOW)
    db.session.expunge_all()  # nothing the query should load may already be in the session
    feed = mentoring_feeds.answering_feed(token)

    with count_queries() as statements:
        loaded = feeds.bookings_for_feed(feed, now=NOW)
        lab_calendar_feed(loaded, name="Clean room B1", now=NOW)

    assert len(loaded) == bookings
    assert len(statements) == 1


@pytest.mark.parametrize("bookings", [1, 3])
def test_resource_feed_calendar_runs_a_bounded_number_of_queries(
    lab_booking, count_queries, bookings
):
    resource, project, member, _operator, manager = lab_booking
    for number in range(bookings):
        book(resource, project, member, TEN + timedelta(days=number), NOON + timedelta(days=number))
    token = mentoring_feeds.issue_feed(resource, by=manager, now=NOW)
    db.session.expunge_all()

    with count_queries() as statements:
        feed = mentoring_feeds.answering_feed(token)
        ics = mentoring_feeds.calendar_of_feed(feed, now=NOW)

    assert len(Calendar.from_ical(ics).walk("VEVENT")) == bookings
    # The feed; its issuer and their roles; the resource, and whether the issuer is on its
    # lab's staff; the resource that names the calendar; its bookings.
    assert len(statements) == 7


def test_lab_manager_resets_the_resource_feed_and_the_old_address_is_not_found(lab_booking, client):
    resource, _project, _member, _operator, manager = lab_booking
    old = mentoring_feeds.issue_feed(resource, by=manager, now=NOW)
    sign_in(client, manager)

    response = post_form(client, reset_path(resource), {}, page="/confirm")

    assert response.status_code == 200
    new = re.search(r'id="calendar-address" [^>]*value="([^"]+)" readonly', response.text)[1]
    assert client.get(feed_path(old)).status_code == 404
    assert client.get(new.removeprefix("http://127.0.0.1:5000")).status_code == 200
    assert f'<a href="/labs/resources/{resource.id}">Back</a>' in response.text
    [entry] = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "calendar_feed.reset")
    ).all()
    feed = feeds.feed_of_resource(resource, by=manager)
    assert (entry.actor_id, entry.object_id) == (manager.id, feed.id)
    assert entry.details["resource_id"] == resource.id


@pytest.mark.parametrize("who", ["manager_of_another_lab", "project_member"])
def test_resource_feed_reset_by_anyone_but_its_lab_staff_is_forbidden(lab_booking, client, who):
    resource, _project, member, _operator, manager = lab_booking
    token = mentoring_feeds.issue_feed(resource, by=manager, now=NOW)
    sign_in(client, make_lab_manager(make_lab()) if who == "manager_of_another_lab" else member)

    response = post_form(client, reset_path(resource), {}, page="/confirm")

    assert response.status_code == 403
    assert client.get(feed_path(token)).status_code == 200


def test_resource_feed_reset_of_a_missing_resource_is_not_found(lab_booking, client):
    _resource, _project, _member, _operator, manager = lab_booking
    sign_in(client, manager)

    response = post_form(client, "/labs/resources/999999/calendar/reset", {}, page="/confirm")

    assert response.status_code == 404


def test_week_view_offers_the_lab_staff_to_create_the_feed_and_writes_nothing(
    lab_booking, client, count_queries
):
    resource, _project, _member, _operator, manager = lab_booking
    sign_in(client, manager)

    with count_queries() as statements:
        page = client.get(f"/labs/resources/{resource.id}").text

    assert [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE"))] == []
    assert db.session.scalars(select(CalendarFeed)).all() == []
    assert (
        f'<form method="post" action="{reset_path(resource)}"'
        ' aria-describedby="resource-calendar-feed-state">'
    ) in page
    assert "Create a calendar address" in page


def test_resource_feed_of_a_manager_detached_from_the_lab_is_not_found(lab_booking, client):
    resource, _project, _member, _operator, manager = lab_booking
    colleague = make_lab_manager(resource.lab)
    token = mentoring_feeds.issue_feed(resource, by=colleague, now=NOW)
    answering = client.get(feed_path(token)).status_code
    db.session.execute(LabStaff.__table__.delete().where(LabStaff.user_id == colleague.id))
    db.session.commit()

    assert (answering, client.get(feed_path(token)).status_code) == (200, 404)


def test_resource_feed_of_a_deactivated_lab_manager_is_not_found(lab_booking, client):
    resource, _project, _member, _operator, manager = lab_booking
    token = mentoring_feeds.issue_feed(resource, by=manager, now=NOW)
    manager.active = False
    db.session.commit()

    assert client.get(feed_path(token)).status_code == 404


def test_resource_feed_reset_emails_the_labs_other_active_staff(lab_booking, client):
    resource, _project, _member, _operator, manager = lab_booking
    colleague = make_lab_manager(resource.lab)
    retired = make_lab_manager(resource.lab)
    retired.active = False
    db.session.commit()
    make_lab_manager(make_lab())  # of another lab
    mentoring_feeds.issue_feed(resource, by=colleague, now=NOW)
    sign_in(client, manager)

    post_form(client, reset_path(resource), {}, page="/confirm")

    [email] = emails_with_subject("The calendar address of Clean room B1 at Leitat was reset")
    assert email.recipient == colleague.email
    assert f"http://127.0.0.1:5000/labs/resources/{resource.id}" in email.body_text


# --- a project's feed ----------------------------------------------------------------------


def confirmed_session(project, member, starts_at=TUESDAY_TEN):
    mentor = make_mentor(buffer_minutes=0)
    add_rule(mentor)
    session = request_session(
        project,
        mentor,
        starts_at=starts_at,
        length_minutes=60,
        agenda="EMA advice",
        by=member,
        now=NOW,
    )
    return confirm_session(session, by=mentor.user, now=NOW)


def test_project_feed_serves_its_sessions_and_lab_bookings_and_nothing_of_another_project(
    lab_booking, client
):
    resource, project, member, _operator, manager = lab_booking
    session = confirmed_session(project, member)
    pending = book(resource, project, member, TEN, NOON)
    approved = approve_booking(book(resource, project, member, TWO, FOUR), by=manager, now=NOW)
    rejected = book(resource, project, member, NOON, TWO)
    reject_booking(rejected, reason="Maintenance.", by=manager, now=NOW)
    rival = member_of()
    rival_project = make_project(member=rival, acronym="RIVAL")
    confirmed_session(rival_project, rival, TUESDAY_TEN + timedelta(hours=1))
    book(resource, rival_project, rival, NOON + timedelta(days=1), TWO + timedelta(days=1))
    token = mentoring_feeds.issue_feed(project, by=member, now=NOW)

    response = client.get(feed_path(token))

    assert response.status_code == 200
    calendar = Calendar.from_ical(response.data)
    assert calendar["X-WR-CALNAME"] == "ATMP Catalyst: mentoring and lab bookings of CARTX"
    assert [str(event["UID"]) for event in calendar.walk("VEVENT")] == [
        session_uid(session),
        booking_uid(pending),
        booking_uid(approved),
    ]


@pytest.mark.parametrize("items", [1, 3])
def test_project_feed_calendar_runs_a_bounded_number_of_queries(lab_booking, count_queries, items):
    resource, project, member, _operator, _manager = lab_booking
    for number in range(items):
        confirmed_session(project, member, TUESDAY_TEN + timedelta(days=7 * number))
        book(resource, project, member, TEN + timedelta(days=number), NOON + timedelta(days=number))
    token = mentoring_feeds.issue_feed(project, by=member, now=NOW)
    db.session.expunge_all()

    with count_queries() as statements:
        feed = mentoring_feeds.answering_feed(token)
        ics = mentoring_feeds.calendar_of_feed(feed, now=NOW)

    assert len(Calendar.from_ical(ics).walk("VEVENT")) == 2 * items
    # The feed; its issuer and their roles; the project (with its call); the project that
    # names the calendar; its sessions; its bookings.
    assert len(statements) == 7
