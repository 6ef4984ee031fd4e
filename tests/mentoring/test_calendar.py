"""Calendar invitations in the session emails (the feeds: test_feeds.py).

NOW is Sunday 1 March 2026; Tuesdays 10 and 17 March are in Madrid winter time (UTC+1), so the
mentor's Tuesday 10:00–13:00 is 09:00–12:00 UTC.
"""

from datetime import UTC, datetime, timedelta
from email import message_from_bytes

from icalendar import Calendar
from sqlalchemy import select

from accelerator.core.mail import send_outbox
from accelerator.core.models import OutboxMessage
from accelerator.extensions import db
from accelerator.mentoring.booking import (
    cancel_session,
    confirm_session,
    request_session,
)
from accelerator.mentoring.calendar import session_uid
from accelerator.mentoring.proposals import accept_proposal, propose_time
from tests.conftest import make_test_app
from tests.core.conftest import free_port  # noqa: F401 -- smtp_sink needs this fixture
from tests.core.test_mail import smtp_sink  # noqa: F401 -- the mail tests' SMTP sink fixture
from tests.mentoring.conftest import NOW

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


def emails_with_subject(subject: str) -> list[OutboxMessage]:
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.subject == subject).order_by(OutboxMessage.id)
    ).all()


def only_event(ics: str | bytes) -> tuple[Calendar, dict]:
    calendar = Calendar.from_ical(ics)
    [event] = calendar.walk("VEVENT")
    return calendar, event


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
