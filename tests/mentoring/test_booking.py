"""Requesting, confirming and declining sessions; one slot is never held twice.

NOW is Sunday 1 March 2026; Tuesday 10 March is in Madrid winter time (UTC+1), so the
mentor's Tuesday 10:00–13:00 is 09:00–12:00 UTC.
"""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from accelerator.accounts.models import User
from accelerator.cohorts.models import Project
from accelerator.core.errors import NotAllowed
from accelerator.extensions import db
from accelerator.mentoring.booking import (
    confirm_session,
    decline_session,
    request_session,
)
from accelerator.mentoring.enums import SessionStatus
from accelerator.mentoring.models import MentoringSession, MentorProfile
from accelerator.mentoring.slots import SlotTaken, SlotUnavailable
from tests.cohorts.conftest import make_project, member_of
from tests.mentoring.conftest import NOW, add_rule, make_mentor

WORKERS = 20
TEN_MADRID = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
ELEVEN_MADRID = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


def book(project, mentor, member, starts_at=TEN_MADRID, length_minutes=60):
    return request_session(
        project,
        mentor,
        starts_at=starts_at,
        length_minutes=length_minutes,
        agenda="EMA scientific advice",
        by=member,
        now=NOW,
    )


@pytest.fixture
def booking(app):
    """A project, one of its members, and a mentor free on Tuesdays 10:00–13:00 Madrid."""
    member = member_of()
    project = make_project(member=member)
    mentor = make_mentor(buffer_minutes=0)
    add_rule(mentor)
    return project, mentor, member


def holding_count(mentor_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count(MentoringSession.id)).where(
            MentoringSession.mentor_id == mentor_id,
            MentoringSession.status.in_([SessionStatus.PENDING, SessionStatus.CONFIRMED]),
        )
    )


def test_request_session_in_a_free_slot_is_pending(booking):
    project, mentor, member = booking

    session = book(project, mentor, member)

    assert session.status == SessionStatus.PENDING
    assert (session.starts_at, session.ends_at) == (TEN_MADRID, ELEVEN_MADRID)


def test_request_session_adjacent_sessions_are_both_accepted(booking):
    project, mentor, member = booking

    book(project, mentor, member, starts_at=TEN_MADRID)
    book(project, mentor, member, starts_at=ELEVEN_MADRID)

    assert holding_count(mentor.id) == 2


def test_request_session_overlapping_a_pending_session_is_slot_taken(booking):
    project, mentor, member = booking
    book(project, mentor, member, length_minutes=90)

    with pytest.raises(SlotTaken):
        book(project, mentor, member, starts_at=ELEVEN_MADRID)


def test_request_session_outside_availability_is_refused(booking):
    project, mentor, member = booking

    with pytest.raises(SlotUnavailable):
        book(project, mentor, member, starts_at=datetime(2026, 3, 11, 9, 0, tzinfo=UTC))


def test_request_session_by_a_non_member_is_not_allowed(booking):
    project, mentor, _member = booking

    with pytest.raises(NotAllowed):
        book(project, mentor, member_of())
    assert holding_count(mentor.id) == 0


def test_decline_session_frees_the_slot(booking):
    project, mentor, member = booking
    first = book(project, mentor, member)

    decline_session(first, reason="Travelling that week.", by=mentor.user, now=NOW)
    second = book(project, mentor, member)

    assert first.status == SessionStatus.DECLINED
    assert first.decline_reason == "Travelling that week."
    assert second.status == SessionStatus.PENDING


def test_confirm_session_by_another_mentor_is_not_allowed(booking):
    project, mentor, member = booking
    session = book(project, mentor, member)

    with pytest.raises(NotAllowed):
        confirm_session(session, by=make_mentor().user, now=NOW)
    confirm_session(session, by=mentor.user, now=NOW)

    assert session.status == SessionStatus.CONFIRMED


def test_exclusion_constraint_refuses_a_raw_overlapping_pending_row(booking, backend):
    if backend != "postgres":
        pytest.skip("the exclusion constraint exists on PostgreSQL only")
    project, mentor, member = booking
    book(project, mentor, member)
    insert = text(
        "INSERT INTO mentoring_sessions (mentor_id, project_id, programme_year, starts_at,"
        " ends_at, agenda, status, decline_reason, created_at, sequence, cancellation_reason,"
        " charged, notes, action_items) VALUES (:mentor, :project, 2026, :starts, :ends, '',"
        " 'pending', '', :now, 0, '', false, '', '')"
    )

    with pytest.raises(IntegrityError, match="ex_mentoring_sessions_no_overlap"):
        db.session.execute(
            insert,
            {
                "mentor": mentor.id,
                "project": project.id,
                "starts": datetime(2026, 3, 10, 9, 30, tzinfo=UTC),
                "ends": datetime(2026, 3, 10, 10, 30, tzinfo=UTC),
                "now": NOW,
            },
        )
    db.session.rollback()


def test_simultaneous_requests_for_one_slot_leave_exactly_one_pending(booking, at_the_same_instant):
    project, mentor, member = booking
    members = [member_of(project.organisation) for _ in range(WORKERS)]
    project_id, mentor_id = project.id, mentor.id  # only ids cross threads

    def attempt(member_id: int):
        def prepare():
            by = db.session.get(User, member_id)
            booked = db.session.get(Project, project_id)
            wanted = db.session.get(MentorProfile, mentor_id)

            def act():
                book(booked, wanted, by)
                return "pending"

            return act

        return prepare

    results = at_the_same_instant([attempt(someone.id) for someone in members])

    assert sorted(results) == ["SlotTaken"] * (WORKERS - 1) + ["pending"], results
    assert holding_count(mentor_id) == 1
