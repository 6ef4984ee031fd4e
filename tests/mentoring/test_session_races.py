"""Two people act on one pending session at the same instant: exactly one wins, the other is
refused with the service's named error, and only the winner's audit entry and emails exist.

NOW is Sunday 1 March 2026; the session is on Tuesday 10 March, 10:00 Madrid. The threads are
released together by the at_the_same_instant fixture. Without the conditional update both
actions pass their status check on the session as loaded and both commit (tried: two audit
entries and both sets of emails on both backends).
"""

from datetime import UTC, datetime

from sqlalchemy import select

from accelerator.accounts.models import User
from accelerator.cohorts.models import Project
from accelerator.extensions import db
from accelerator.mentoring.booking import (
    cancel_session,
    confirm_session,
    decline_session,
    request_session,
)
from accelerator.mentoring.enums import HOLDING_STATUSES
from accelerator.mentoring.models import MentoringSession, MentorProfile
from accelerator.mentoring.proposals import accept_proposal, propose_time
from tests.cohorts.conftest import make_project, member_of
from tests.mentoring.conftest import NOW, add_rule, make_mentor
from tests.rivals import acting, last_message_id, left_behind

TEN_MADRID = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
ELEVEN_MADRID = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
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


def test_accepting_a_proposal_and_booking_its_time_at_the_same_instant_leave_one_holder(
    app, at_the_same_instant
):
    """Both take the mentor's lock; whichever comes second finds the time taken (or, should the
    lock ever be skipped, PostgreSQL's exclusion constraint refuses it): SlotTaken, never an
    error page."""
    session, member, mentor = pending_session()
    propose_time(session, starts_at=ELEVEN_MADRID, by=mentor, now=NOW)
    rival = member_of()
    # Only ids cross threads.
    project_id, profile_id, rival_id = make_project(member=rival).id, session.mentor_id, rival.id

    def request_the_proposed_time():
        project = db.session.get(Project, project_id)
        profile = db.session.get(MentorProfile, profile_id)
        by = db.session.get(User, rival_id)

        def act():
            request_session(
                project,
                profile,
                starts_at=ELEVEN_MADRID,
                length_minutes=60,
                agenda="GMP audit",
                by=by,
                now=NOW,
            )
            return "requested"

        return act

    results = at_the_same_instant(
        [
            acting(accept_proposal, MentoringSession, session.id, member.id, "moved", now=NOW),
            request_the_proposed_time,
        ]
    )

    assert sorted(results) in (["SlotTaken", "moved"], ["SlotTaken", "requested"]), results
    db.session.expire_all()
    holding_eleven = db.session.scalars(
        select(MentoringSession.id).where(
            MentoringSession.starts_at == ELEVEN_MADRID,
            MentoringSession.status.in_(HOLDING_STATUSES),
        )
    ).all()
    assert len(holding_eleven) == 1
