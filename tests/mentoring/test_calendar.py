"""Calendar invitations in the session emails, and the subscribable feeds of mentors and projects.

NOW is Sunday 1 March 2026; Tuesdays 10 and 17 March are in Madrid winter time (UTC+1), so the
mentor's Tuesday 10:00–13:00 is 09:00–12:00 UTC.
"""

from datetime import UTC, datetime, timedelta
from email import message_from_bytes

import pytest
from icalendar import Calendar
from sqlalchemy import select

from accelerator.accounts.enums import Role
from accelerator.core.errors import NotAllowed
from accelerator.core.mail import send_outbox
from accelerator.core.models import AuditEntry, OutboxMessage
from accelerator.extensions import db
from accelerator.mentoring import feeds
from accelerator.mentoring.booking import (
    cancel_session,
    confirm_session,
    decline_session,
    record_outcome,
    request_session,
)
from accelerator.mentoring.calendar import feed as calendar_feed
from accelerator.mentoring.calendar import session_uid
from accelerator.mentoring.enums import SessionStatus
from accelerator.mentoring.models import CalendarFeed
from accelerator.mentoring.proposals import accept_proposal, propose_time
from tests.cohorts.conftest import make_project, member_of
from tests.conftest import make_test_app, post_form, sign_in
from tests.core.conftest import free_port  # noqa: F401 -- smtp_sink needs this fixture
from tests.core.test_mail import smtp_sink  # noqa: F401 -- the mail tests' SMTP sink fixture
from tests.factories import make_user
from tests.mentoring.conftest import NOW, add_rule, make_mentor

TEN_MADRID = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
ELEVEN_MADRID = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
NOON_MADRID = datetime(2026, 3, 10, 11, 0, tzinfo=UTC)
NEXT_WEEK = timedelta(days=7)


def book(project, mentor, member, starts_at=TEN_MADRID):
    return request_session(
        project,
        mentor,
        starts_at=starts_at,
        length_minutes=60,
        agenda="EMA scientific advice",
        by=member,
        now=NOW,
    )


def confirmed(project, mentor, member, starts_at=TEN_MADRID):
    return confirm_session(book(project, mentor, member, starts_at), by=mentor.user, now=NOW)


@pytest.fixture
def booking(app):
    """A project, one of its members, and a mentor free on Tuesdays 10:00–13:00 Madrid."""
    member = member_of()
    project = make_project(member=member, acronym="CARTX")
    mentor = make_mentor(buffer_minutes=0)
    add_rule(mentor)
    return project, mentor, member


def emails_with_subject(subject: str) -> list[OutboxMessage]:
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.subject == subject).order_by(OutboxMessage.id)
    ).all()


def only_event(ics: str | bytes) -> tuple[Calendar, dict]:
    calendar = Calendar.from_ical(ics)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def feed_uids(response) -> list[str]:
    return [str(event["UID"]) for event in Calendar.from_ical(response.data).walk("VEVENT")]


def feed_path(feed: CalendarFeed) -> str:
    return f"/mentoring/calendar/{feed.token}.ics"


# --- invitations in the emails -------------------------------------------------------------


def test_confirmation_email_carries_a_request_invitation_to_both_sides(booking):
    project, mentor, member = booking

    session = confirmed(project, mentor, member)

    emails = emails_with_subject("Mentoring session confirmed")
    assert [email.recipient for email in emails] == [mentor.user.email, member.email]
    for email in emails:
        assert email.attachment_filename == "invitation.ics"
        assert email.attachment_content_type == "text/calendar; method=REQUEST; charset=UTF-8"
        calendar, event = only_event(email.attachment_body)
        assert calendar["METHOD"] == "REQUEST"
        assert event["UID"] == session_uid(session)
        assert event.decoded("DTSTART") == TEN_MADRID
        assert event.decoded("DTEND") == ELEVEN_MADRID
        assert event["SEQUENCE"] == 0
        assert event["STATUS"] == "CONFIRMED"
        assert event["ATTENDEE"] == [f"mailto:{mentor.user.email}", f"mailto:{member.email}"]
        assert [attendee.params["RSVP"] for attendee in event["ATTENDEE"]] == ["FALSE", "FALSE"]


def test_invitation_times_are_written_in_utc(booking):
    project, mentor, member = booking
    confirmed(project, mentor, member)

    [email, _member_email] = emails_with_subject("Mentoring session confirmed")

    assert "DTSTART:20260310T090000Z" in email.attachment_body.splitlines()
    assert "DTEND:20260310T100000Z" in email.attachment_body.splitlines()


def test_accepted_proposal_email_carries_the_same_uid_with_the_next_sequence(booking):
    project, mentor, member = booking
    session = confirmed(project, mentor, member)
    propose_time(session, starts_at=NOON_MADRID, by=mentor.user, now=NOW)

    accept_proposal(session, by=member, now=NOW)

    emails = emails_with_subject("Mentoring session moved")
    assert [email.recipient for email in emails] == [mentor.user.email, member.email]
    for email in emails:
        calendar, event = only_event(email.attachment_body)
        assert calendar["METHOD"] == "REQUEST"
        assert event["UID"] == session_uid(session)
        assert event["SEQUENCE"] == 1
        assert event.decoded("DTSTART") == NOON_MADRID
        assert event.decoded("DTEND") == NOON_MADRID + timedelta(hours=1)


def test_cancelled_session_email_carries_a_cancel_with_a_higher_sequence(booking):
    project, mentor, member = booking
    session = confirmed(project, mentor, member)

    cancel_session(session, reason="The study moved.", by=member, now=NOW)

    emails = emails_with_subject("Mentoring session cancelled")
    assert [email.recipient for email in emails] == [mentor.user.email, member.email]
    for email in emails:
        assert email.attachment_content_type == "text/calendar; method=CANCEL; charset=UTF-8"
        calendar, event = only_event(email.attachment_body)
        assert calendar["METHOD"] == "CANCEL"
        assert event["STATUS"] == "CANCELLED"
        assert event["UID"] == session_uid(session)
        assert event["SEQUENCE"] == 1


def test_invitation_goes_out_over_smtp_as_a_calendar_attachment(
    booking,
    database_url,
    smtp_sink,  # noqa: F811 -- the fixture imported above
):
    controller, sink = smtp_sink
    project, mentor, member = booking
    session = confirmed(project, mentor, member)
    confirmations = [email.id for email in emails_with_subject("Mentoring session confirmed")]
    sink_app = make_test_app(
        database_url,
        MAIL_SUPPRESS_SEND=False,
        MAIL_SERVER=controller.hostname,
        MAIL_PORT=controller.port,
    )

    try:
        with sink_app.app_context():
            sent = send_outbox(only_ids=confirmations)
    finally:
        with sink_app.app_context():
            db.engine.dispose()

    assert sent == (2, 0)
    delivered = {
        envelope.rcpt_tos[0]: message_from_bytes(envelope.original_content)
        for envelope in sink.envelopes
    }
    assert sorted(delivered) == sorted([mentor.user.email, member.email])
    for message in delivered.values():
        [part] = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
        assert part.get_filename() == "invitation.ics"
        assert part.get_param("method") == "REQUEST"
        _calendar, event = only_event(part.get_payload(decode=True))
        assert event["UID"] == session_uid(session)


# --- feeds ---------------------------------------------------------------------------------


def test_mentor_feed_serves_only_the_mentors_confirmed_sessions(booking, client):
    project, mentor, member = booking
    kept = confirmed(project, mentor, member, TEN_MADRID)
    book(project, mentor, member, ELEVEN_MADRID)  # pending
    declined = book(project, mentor, member, NOON_MADRID)
    decline_session(declined, reason="Travelling.", by=mentor.user, now=NOW)
    called_off = confirmed(project, mentor, member, TEN_MADRID + NEXT_WEEK)
    cancel_session(called_off, reason="", by=member, now=NOW)
    other_mentor = make_mentor(buffer_minutes=0)
    add_rule(other_mentor)
    confirmed(project, other_mentor, member, ELEVEN_MADRID + NEXT_WEEK)
    feed = feeds.feed_of_mentor(mentor, now=NOW)

    response = client.get(feed_path(feed))

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert feed_uids(response) == [session_uid(kept)]
    assert Calendar.from_ical(response.data)["METHOD"] == "PUBLISH"


def test_feed_events_have_an_organizer_and_no_attendee(booking, client):
    project, mentor, member = booking
    confirmed(project, mentor, member)
    feed = feeds.feed_of_mentor(mentor, now=NOW)

    [event] = Calendar.from_ical(client.get(feed_path(feed)).data).walk("VEVENT")

    assert event["ORGANIZER"] == "mailto:noreply@atmp-catalyst.eu"
    assert "ATTENDEE" not in event


def test_project_feed_serves_its_confirmed_sessions_with_every_mentor(booking, client):
    project, mentor, member = booking
    first = confirmed(project, mentor, member, TEN_MADRID)
    other_mentor = make_mentor(buffer_minutes=0)
    add_rule(other_mentor)
    second = confirmed(project, other_mentor, member, ELEVEN_MADRID)
    rival = member_of()
    confirmed(make_project(member=rival), mentor, rival, NOON_MADRID)
    feed = feeds.feed_of_project(project, by=member, now=NOW)

    response = client.get(feed_path(feed))

    assert response.status_code == 200
    assert feed_uids(response) == [session_uid(first), session_uid(second)]


def test_feed_of_mentor_is_created_once(booking):
    _project, mentor, _member = booking

    first = feeds.feed_of_mentor(mentor, now=NOW)
    again = feeds.feed_of_mentor(mentor, now=NOW)

    assert again.id == first.id
    assert len(first.token) == 43
    assert db.session.scalar(select(db.func.count(CalendarFeed.id))) == 1


def test_feed_of_project_for_a_rival_applicant_is_not_allowed(booking):
    project, _mentor, _member = booking

    with pytest.raises(NotAllowed):
        feeds.feed_of_project(project, by=member_of(), now=NOW)


def test_feed_with_an_unknown_token_is_not_found(booking, client):
    response = client.get("/mentoring/calendar/not-a-real-token.ics")

    assert response.status_code == 404


def test_sessions_for_feed_keeps_held_sessions_for_90_days(booking):
    project, mentor, member = booking
    session = confirmed(project, mentor, member)
    record_outcome(session, outcome=SessionStatus.HELD, by=mentor.user, now=ELEVEN_MADRID)
    feed = feeds.feed_of_mentor(mentor, now=NOW)

    within = feeds.sessions_for_feed(feed, now=ELEVEN_MADRID + timedelta(days=90))
    after = feeds.sessions_for_feed(feed, now=ELEVEN_MADRID + timedelta(days=90, minutes=1))

    assert [s.id for s in within] == [session.id]
    assert after == []


@pytest.mark.parametrize("sessions", [1, 3])
def test_feed_calendar_is_built_from_one_query(booking, count_queries, sessions):
    project, mentor, member = booking
    for number in range(sessions):
        confirmed(project, mentor, member, TEN_MADRID + number * timedelta(hours=1))
    token = feeds.feed_of_mentor(mentor, now=NOW).token
    db.session.expunge_all()  # nothing the query should load may already be in the session
    feed = feeds.feed_by_token(token)

    with count_queries() as statements:
        loaded = feeds.sessions_for_feed(feed, now=NOW)
        calendar_feed(loaded, name="Mentoring", now=NOW)

    assert len(loaded) == sessions
    assert len(statements) == 1


def test_mentor_resets_the_feed_and_the_old_address_is_not_found(booking, client):
    _project, mentor, _member = booking
    feed = feeds.feed_of_mentor(mentor, now=NOW)
    old_path = feed_path(feed)
    sign_in(client, mentor.user)

    response = post_form(client, "/mentoring/calendar/mentor/reset", {}, page="/confirm")

    assert response.status_code == 302
    assert response.headers["Location"] == "/mentoring/sessions"
    db.session.refresh(feed)
    assert feed_path(feed) != old_path
    assert client.get(old_path).status_code == 404
    assert client.get(feed_path(feed)).status_code == 200
    [entry] = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "calendar_feed.reset")
    ).all()
    assert (entry.actor_id, entry.object_id) == (mentor.user.id, feed.id)


def test_feed_reset_goes_back_to_the_page_of_the_button(booking, client):
    _project, mentor, _member = booking
    sign_in(client, mentor.user)

    response = post_form(
        client,
        "/mentoring/calendar/mentor/reset",
        {},
        page="/confirm",
        headers={"Referer": "http://localhost/mentoring/profile?tab=calendar"},
    )

    assert response.headers["Location"] == "/mentoring/profile?tab=calendar"


@pytest.mark.parametrize(
    ("referrer", "location"),
    [
        ("https://elsewhere.example.com/phish", "/mentoring/sessions"),
        ("http://localhost//elsewhere.example.com/phish", "/elsewhere.example.com/phish"),
    ],
)
def test_feed_reset_never_goes_back_to_another_site(booking, client, referrer, location):
    _project, mentor, _member = booking
    sign_in(client, mentor.user)

    response = post_form(
        client,
        "/mentoring/calendar/mentor/reset",
        {},
        page="/confirm",
        headers={"Referer": referrer},
    )

    assert response.headers["Location"] == location


def test_project_member_resets_the_project_feed(booking, client):
    project, _mentor, member = booking
    feed = feeds.feed_of_project(project, by=member, now=NOW)
    old_path = feed_path(feed)
    sign_in(client, member)

    response = post_form(
        client, f"/mentoring/projects/{project.id}/calendar/reset", {}, page="/confirm"
    )

    assert response.status_code == 302
    assert response.headers["Location"] == f"/mentoring/projects/{project.id}"
    db.session.refresh(feed)
    assert feed_path(feed) != old_path
    assert client.get(old_path).status_code == 404


def test_project_feed_reset_by_a_rival_applicant_is_not_found(booking, client):
    project, _mentor, member = booking
    feed = feeds.feed_of_project(project, by=member, now=NOW)
    token = feed.token
    sign_in(client, member_of())

    response = post_form(
        client, f"/mentoring/projects/{project.id}/calendar/reset", {}, page="/confirm"
    )

    assert response.status_code == 404
    db.session.refresh(feed)
    assert feed.token == token


def test_mentor_feed_reset_by_an_applicant_is_forbidden(booking, client):
    _project, mentor, member = booking
    feed = feeds.feed_of_mentor(mentor, now=NOW)
    token = feed.token
    sign_in(client, member)

    response = post_form(client, "/mentoring/calendar/mentor/reset", {}, page="/confirm")

    assert response.status_code == 403
    db.session.refresh(feed)
    assert feed.token == token


def test_reset_feed_of_another_mentor_is_not_allowed(booking):
    _project, mentor, _member = booking
    feed = feeds.feed_of_mentor(mentor, now=NOW)

    with pytest.raises(NotAllowed):
        feeds.reset_feed(feed, by=make_mentor().user, now=NOW)


def test_programme_manager_resets_a_project_feed(booking):
    project, _mentor, member = booking
    feed = feeds.feed_of_project(project, by=member, now=NOW)
    token = feed.token

    feeds.reset_feed(feed, by=make_user(Role.PROGRAMME_MANAGER), now=NOW)

    assert feed.token != token


def test_calendar_feed_macro_shows_the_address_read_only_with_a_reset_button(app):
    template = app.jinja_env.from_string(
        '{% from "mentoring/_calendar_feed.html" import calendar_feed %}'
        "{{ calendar_feed('https://example.org/feed.ics', '/reset') }}"
    )

    with app.test_request_context():
        html = template.render()

    assert '<label for="calendar-feed-url" class="form-label">Calendar address</label>' in html
    assert 'value="https://example.org/feed.ics" readonly' in html
    assert '<form method="post" action="/reset">' in html
    assert 'name="csrf_token" value="' in html
