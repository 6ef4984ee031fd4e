"""Mentoring emails of `flask send-reminders`: a reminder to both sides in the 24 hours before a
confirmed session, and a request for the project's rating after a session took place; each once.

The session is booked on Sunday 1 March 2026 (NOW) for Tuesday 10 March, 10:00–11:00 Madrid
(09:00–10:00 UTC).
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from accelerator.core.clock import utcnow
from accelerator.core.models import OutboxMessage
from accelerator.extensions import db
from accelerator.mentoring.booking import (
    cancel_session,
    confirm_session,
    record_outcome,
    request_session,
)
from accelerator.mentoring.enums import SessionStatus
from accelerator.mentoring.followup import rate_session
from accelerator.mentoring.models import MentoringSession, OneOffSlot
from accelerator.mentoring.proposals import accept_proposal, propose_time
from accelerator.mentoring.reminders import send_feedback_requests, send_session_reminders
from tests.cohorts.conftest import make_project, member_of
from tests.mentoring.conftest import NOW, add_rule, make_mentor

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
STARTS = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
ENDS = STARTS + HOUR
REMINDER = "Reminder: mentoring session in the next 24 hours"
FEEDBACK = "How was your mentoring session?"
WORKERS = 8


@pytest.fixture
def scene(app):
    """A project, the member who books, and a mentor free on Tuesdays 10:00–13:00 Madrid."""
    member = member_of()
    project = make_project(member=member)
    mentor = make_mentor(buffer_minutes=0)
    add_rule(mentor)
    return project, mentor, member


def book(scene, *, starts_at=STARTS, now=NOW, confirm=True) -> MentoringSession:
    project, mentor, member = scene
    session = request_session(
        project,
        mentor,
        starts_at=starts_at,
        length_minutes=60,
        agenda="EMA scientific advice",
        by=member,
        now=now,
    )
    if confirm:
        confirm_session(session, by=mentor.user, now=now)
    return session


def held(scene) -> MentoringSession:
    session = book(scene)
    return record_outcome(session, outcome=SessionStatus.HELD, by=scene[1].user, now=ENDS)


def recipients(subject: str) -> list[str]:
    """Who received emails with this subject, sorted (one entry per email)."""
    return sorted(
        db.session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.subject == subject))
    )


def reloaded(session: MentoringSession) -> MentoringSession:
    db.session.expire_all()
    return db.session.get(MentoringSession, session.id)


# --- the reminder --------------------------------------------------------------------------


def test_session_reminder_24_hours_before_reaches_both_sides_once(scene):
    _project, mentor, member = scene
    session = book(scene)

    first = send_session_reminders(now=STARTS - DAY)
    second = send_session_reminders(now=STARTS - DAY + HOUR)

    assert (first, second) == (1, 0)
    assert recipients(REMINDER) == sorted([mentor.user.email, member.email])
    assert reloaded(session).reminder_sent_at == STARTS - DAY


def test_session_reminder_body_names_the_session_and_links_its_page(scene):
    session = book(scene)

    send_session_reminders(now=STARTS - 2 * HOUR)

    body = db.session.scalars(
        select(OutboxMessage.body_text).where(OutboxMessage.subject == REMINDER)
    ).first()
    assert "Your mentoring session takes place in the next 24 hours." in body
    assert "EMA scientific advice" in body
    assert f"/sessions/{session.id}" in body


def test_session_reminder_25_hours_before_is_not_sent(scene):
    session = book(scene)

    reminded = send_session_reminders(now=STARTS - DAY - HOUR)

    assert reminded == 0
    assert recipients(REMINDER) == []
    assert reloaded(session).reminder_sent_at is None


def test_session_reminder_after_the_start_is_not_sent(scene):
    book(scene)

    assert send_session_reminders(now=STARTS) == 0
    assert recipients(REMINDER) == []


def test_session_reminder_for_a_pending_session_is_not_sent(scene):
    session = book(scene, confirm=False)

    reminded = send_session_reminders(now=STARTS - 2 * HOUR)

    assert reminded == 0
    assert recipients(REMINDER) == []
    assert reloaded(session).reminder_sent_at is None


def test_session_reminder_for_a_cancelled_session_is_not_sent(scene):
    session = book(scene)
    cancel_session(session, reason="Ill.", by=scene[2], now=NOW + HOUR)

    reminded = send_session_reminders(now=STARTS - 2 * HOUR)

    assert reminded == 0
    assert recipients(REMINDER) == []


def test_session_reminder_for_a_moved_session_is_sent_again_for_the_new_time(scene):
    _project, mentor, member = scene
    session = book(scene)
    send_session_reminders(now=STARTS - DAY)
    week_later = STARTS + 7 * DAY
    propose_time(session, starts_at=week_later, by=member, now=STARTS - DAY + HOUR)
    accept_proposal(session, by=mentor.user, now=STARTS - DAY + 2 * HOUR)

    before_new_time = send_session_reminders(now=STARTS - 2 * HOUR)
    day_before_new_time = send_session_reminders(now=week_later - DAY)

    assert (before_new_time, day_before_new_time) == (0, 1)
    assert recipients(REMINDER) == sorted([mentor.user.email, member.email] * 2)


# --- the feedback request ------------------------------------------------------------------


def test_feedback_request_after_a_held_session_reaches_the_project_once(scene):
    _project, _mentor, member = scene
    session = held(scene)

    first = send_feedback_requests(now=ENDS + HOUR)
    second = send_feedback_requests(now=ENDS + 2 * HOUR)

    assert (first, second) == (1, 0)
    assert recipients(FEEDBACK) == [member.email]
    assert reloaded(session).feedback_requested_at == ENDS + HOUR


def test_feedback_request_after_a_confirmed_session_ended_is_sent(scene):
    book(scene)  # the mentor has not marked it held yet

    assert send_feedback_requests(now=ENDS) == 1
    assert recipients(FEEDBACK) == [scene[2].email]


def test_feedback_request_before_a_confirmed_session_ends_is_not_sent(scene):
    book(scene)

    assert send_feedback_requests(now=ENDS - timedelta(minutes=1)) == 0
    assert recipients(FEEDBACK) == []


@pytest.mark.parametrize("outcome", [SessionStatus.NO_SHOW, SessionStatus.CANCELLED])
def test_feedback_request_for_a_session_not_held_is_not_sent(scene, outcome):
    session = book(scene)
    if outcome == SessionStatus.CANCELLED:
        cancel_session(session, reason="Ill.", by=scene[2], now=NOW + HOUR)
    else:
        record_outcome(session, outcome=outcome, by=scene[1].user, now=ENDS)

    assert send_feedback_requests(now=ENDS + HOUR) == 0
    assert recipients(FEEDBACK) == []


def test_feedback_request_for_a_session_already_rated_is_not_sent(scene):
    session = held(scene)
    rate_session(session, rating=5, comment="Very useful.", by=scene[2], now=ENDS + HOUR)

    requested = send_feedback_requests(now=ENDS + 2 * HOUR)

    assert requested == 0
    assert recipients(FEEDBACK) == []
    assert reloaded(session).feedback_requested_at is None


@pytest.mark.parametrize(
    ("ended_ago", "expected"),
    [(14 * DAY, 1), (14 * DAY + timedelta(minutes=1), 0), (90 * DAY, 0)],
)
def test_feedback_request_for_a_session_older_than_14_days_is_not_sent(scene, ended_ago, expected):
    session = held(scene)

    requested = send_feedback_requests(now=ENDS + ended_ago)

    assert requested == expected
    assert len(recipients(FEEDBACK)) == expected
    assert (reloaded(session).feedback_requested_at is not None) == bool(expected)


# --- two runs at the same instant ----------------------------------------------------------


def race(at_the_same_instant, send, now: datetime) -> list:
    """Runs `send(now=now)` in WORKERS threads released together; what each returned."""
    return at_the_same_instant([lambda: lambda: send(now=now)] * WORKERS)


def test_simultaneous_runs_send_each_reminder_and_request_once(scene, at_the_same_instant):
    _project, mentor, member = scene
    session = book(scene)

    reminded = race(at_the_same_instant, send_session_reminders, STARTS - DAY)
    record_outcome(session, outcome=SessionStatus.HELD, by=mentor.user, now=ENDS)
    requested = race(at_the_same_instant, send_feedback_requests, ENDS + HOUR)

    assert sorted(reminded) == [0] * (WORKERS - 1) + [1], reminded
    assert sorted(requested) == [0] * (WORKERS - 1) + [1], requested
    db.session.expire_all()
    assert recipients(REMINDER) == sorted([mentor.user.email, member.email])
    assert recipients(FEEDBACK) == [member.email]


# --- the command ---------------------------------------------------------------------------


def run_command(app, *args):
    """Runs a flask command in its own application context, as `flask` does."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def book_around(scene, starts_at: datetime) -> MentoringSession:
    """A confirmed hour at starts_at, offered as a one-off slot and booked three days before."""
    mentor = scene[1]
    db.session.add(OneOffSlot(mentor_id=mentor.id, starts_at=starts_at, ends_at=starts_at + HOUR))
    db.session.commit()
    return book(scene, starts_at=starts_at, now=starts_at - 3 * DAY)


def test_send_reminders_command_sends_the_mentoring_emails_once(app, scene):
    _project, mentor, member = scene
    # The command reads the clock: the sessions are placed around it.
    now = utcnow().replace(second=0, microsecond=0)
    book_around(scene, now + 12 * HOUR)
    past = book_around(scene, now - 2 * DAY)
    record_outcome(past, outcome=SessionStatus.HELD, by=mentor.user, now=past.ends_at)
    unsent = db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
    )

    first = run_command(app, "send-reminders")
    second = run_command(app, "send-reminders")

    assert (first.exit_code, first.output) == (
        0,
        f"0 reviewer reminder(s) queued; {unsent + 3} email(s) sent, 0 waiting.\n"
        "1 mentoring session reminder(s) and 1 feedback request(s) queued.\n",
    )
    assert (second.exit_code, second.output) == (
        0,
        "0 reviewer reminder(s) queued; 0 email(s) sent, 0 waiting.\n"
        "0 mentoring session reminder(s) and 0 feedback request(s) queued.\n",
    )
    db.session.expire_all()
    assert recipients(REMINDER) == sorted([mentor.user.email, member.email])
    assert recipients(FEEDBACK) == [member.email]
