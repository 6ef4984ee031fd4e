"""Two people act on one pending session at the same instant: exactly one wins, the other is
refused with the service's named error, and only the winner's audit entry and emails exist.

NOW is Sunday 1 March 2026; the session is on Tuesday 10 March, 10:00 Madrid. The threads are
released together by the at_the_same_instant fixture. Without the conditional update both
actions pass their status check on the session as loaded and both commit (tried: two audit
entries and both sets of emails on both backends).
"""

from datetime import UTC, datetime

from accelerator.mentoring.booking import (
    cancel_session,
    confirm_session,
    decline_session,
    request_session,
)
from accelerator.mentoring.models import MentoringSession
from tests.cohorts.conftest import make_project, member_of
from tests.mentoring.conftest import NOW, add_rule, make_mentor
from tests.rivals import acting, last_message_id, left_behind

TEN_MADRID = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
# Who hears of each outcome: both sides of a confirmation or a cancellation, the project alone
# of a decline.
SUBJECTS = {
    "confirmed": ["Mentoring session confirmed"] * 2,
    "declined": ["Mentoring request declined"],
    "cancelled": ["Mentoring session cancelled"] * 2,
}


def pending_session():
    member = member_of()
    project = make_project(member=member)
    mentor = make_mentor(buffer_minutes=0)
    add_rule(mentor)
    session = request_session(
        project,
        mentor,
        starts_at=TEN_MADRID,
        length_minutes=60,
        agenda="EMA scientific advice",
        by=member,
        now=NOW,
    )
    return session, member, mentor.user


def test_confirm_and_decline_at_the_same_instant_leave_one_answer(app, at_the_same_instant):
    session, _member, mentor = pending_session()
    before = last_message_id()

    results = at_the_same_instant(
        [
            acting(confirm_session, MentoringSession, session.id, mentor.id, "confirmed", now=NOW),
            acting(
                decline_session,
                MentoringSession,
                session.id,
                mentor.id,
                "declined",
                reason="Travelling.",
                now=NOW,
            ),
        ]
    )

    status, actions, subjects = left_behind(
        MentoringSession, session.id, object_type="mentoring_session", since_message_id=before
    )
    assert sorted(results) == sorted(["SessionNotPending", status.value]), results
    assert actions == [f"mentoring_session.{status.value}"]
    assert subjects == SUBJECTS[status.value]


def test_cancel_and_confirm_at_the_same_instant_leave_one_of_them(app, at_the_same_instant):
    session, member, mentor = pending_session()
    before = last_message_id()

    results = at_the_same_instant(
        [
            acting(
                cancel_session,
                MentoringSession,
                session.id,
                member.id,
                "cancelled",
                reason="Plans changed.",
                now=NOW,
            ),
            acting(confirm_session, MentoringSession, session.id, mentor.id, "confirmed", now=NOW),
        ]
    )

    status, actions, subjects = left_behind(
        MentoringSession, session.id, object_type="mentoring_session", since_message_id=before
    )
    assert sorted(results) == sorted(["SessionNotOpen", status.value]), results
    assert actions == [f"mentoring_session.{status.value}"]
    assert subjects == SUBJECTS[status.value]
