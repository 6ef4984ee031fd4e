"""Hour budgets, conflicts, the mentor's monthly limit, another time, cancellation charging.

NOW is Sunday 1 March 2026 (Madrid winter time, UTC+1). Mentors are free on Tuesdays and
Wednesdays 08:00–20:00 Madrid, so 10 March 09:00 Madrid is 08:00 UTC.
"""

from datetime import UTC, datetime, time, timedelta

import pytest

from accelerator.accounts.enums import Role
from accelerator.accounts.models import User
from accelerator.cohorts.models import Project
from accelerator.core.errors import NotAllowed
from accelerator.extensions import db
from accelerator.mentoring.booking import (
    MentorNotBookable,
    SessionNotOpen,
    SessionNotOver,
    cancel_session,
    confirm_session,
    record_outcome,
    request_session,
)
from accelerator.mentoring.budget import BudgetExceeded, BudgetNegative, set_budget, usage_of
from accelerator.mentoring.enums import SessionStatus, Side
from accelerator.mentoring.matching import MentorConflicted, MentorFullyBooked
from accelerator.mentoring.models import MentoringSession, MentorProfile
from accelerator.mentoring.proposals import NoProposal, accept_proposal, propose_time
from accelerator.mentoring.slots import SlotTaken
from accelerator.reviews.conflicts import declare_conflict
from tests.cohorts.conftest import make_project, member_of
from tests.factories import make_user
from tests.mentoring.conftest import NOW, add_rule, make_mentor

WORKERS = 20
TUESDAY_NINE = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


def at(hours_after_tuesday_nine: float) -> datetime:
    return TUESDAY_NINE + timedelta(hours=hours_after_tuesday_nine)


def free_mentor(**fields) -> MentorProfile:
    mentor = make_mentor(buffer_minutes=0, monthly_hour_limit=fields.pop("limit", 40), **fields)
    for weekday in (1, 2):
        add_rule(mentor, weekday=weekday, starts_at=time(8), ends_at=time(20))
    return mentor


def book(project, mentor, member, starts_at=TUESDAY_NINE, length_minutes=60, now=NOW):
    return request_session(
        project,
        mentor,
        starts_at=starts_at,
        length_minutes=length_minutes,
        agenda="Briefing book",
        by=member,
        now=now,
    )


@pytest.fixture
def parties(app):
    member = member_of()
    project = make_project(member=member)
    return project, free_mentor(), member


def manager() -> User:
    return make_user(Role.PROGRAMME_MANAGER)


# --- budget ------------------------------------------------------------------------------


def test_budget_default_is_twenty_hours_and_pending_sessions_reserve(parties):
    project, mentor, member = parties

    book(project, mentor, member, starts_at=at(-1), length_minutes=90)  # 08:00 Madrid

    usage = usage_of(project.id, 2026)
    assert (usage.budget_minutes, usage.reserved_minutes, usage.used_minutes) == (1200, 90, 0)
    assert usage.left_minutes == 1110


def test_request_beyond_budget_is_refused_with_hours_left(parties):
    project, mentor, member = parties
    set_budget(project, year=2026, minutes=90, by=manager(), now=NOW)
    book(project, mentor, member, length_minutes=60)

    with pytest.raises(BudgetExceeded) as refusal:
        book(project, mentor, member, starts_at=at(2), length_minutes=60)

    assert str(refusal.value) == (
        "This session would exceed the project's mentoring budget for 2026: 0.5 h left of 1.5 h."
    )
    book(project, mentor, member, starts_at=at(2), length_minutes=30)  # what is left still fits


def test_budget_is_per_programme_year(parties):
    project, mentor, member = parties
    set_budget(project, year=2026, minutes=0, by=manager(), now=NOW)

    with pytest.raises(BudgetExceeded):
        book(project, mentor, member)
    assert usage_of(project.id, 2027).budget_minutes == 1200


def test_negative_budget_is_refused(parties):
    project, _mentor, _member = parties

    with pytest.raises(BudgetNegative):
        set_budget(project, year=2026, minutes=-300, by=manager(), now=NOW)


def test_budget_set_by_a_member_is_not_allowed(parties):
    project, _mentor, member = parties

    with pytest.raises(NotAllowed):
        set_budget(project, year=2026, minutes=6000, by=member, now=NOW)


def test_simultaneous_requests_never_exceed_the_budget(at_the_same_instant):
    """Twenty members book twenty different mentors at the same instant with 3 h left: the
    project's lock, not the mentors', is what keeps the budget."""
    organisation_member = member_of()
    project = make_project(member=organisation_member)
    set_budget(project, year=2026, minutes=180, by=manager(), now=NOW)
    members = [member_of(project.organisation) for _ in range(WORKERS)]
    mentors = [free_mentor() for _ in range(WORKERS)]
    project_id = project.id
    pairs = [(someone.id, mentor.id) for someone, mentor in zip(members, mentors, strict=True)]

    def attempt(member_id: int, mentor_id: int):
        def prepare():
            by = db.session.get(User, member_id)
            booked = db.session.get(Project, project_id)
            wanted = db.session.get(MentorProfile, mentor_id)

            def act():
                book(booked, wanted, by)
                return "pending"

            return act

        return prepare

    results = at_the_same_instant([attempt(*pair) for pair in pairs])

    assert sorted(results) == ["BudgetExceeded"] * (WORKERS - 3) + ["pending"] * 3, results
    db.session.expire_all()
    assert usage_of(project_id, 2026).reserved_minutes == 180


# --- conflicts and the mentor's monthly limit ----------------------------------------------


def test_mentor_of_the_same_organisation_is_refused_by_the_service(parties):
    project, _mentor, member = parties
    colleague = free_mentor(organisation=project.organisation)

    with pytest.raises(MentorConflicted):
        book(project, colleague, member)


def test_mentor_with_a_declared_conflict_is_refused_by_the_service(parties):
    project, mentor, member = parties
    declare_conflict(
        mentor.user,
        organisation_id=project.organisation_id,
        reason="Shareholder",
        by=manager(),
        now=NOW,
    )

    with pytest.raises(MentorConflicted):
        book(project, mentor, member)


def test_mentor_sharing_the_organisation_email_domain_is_refused(parties):
    project, _mentor, member = parties
    insider = free_mentor()
    insider.user.email = f"adviser@{project.organisation.email_domain}"
    db.session.commit()

    with pytest.raises(MentorConflicted):
        book(project, insider, member)


def test_request_beyond_the_mentor_monthly_limit_is_refused(parties):
    project, _mentor, member = parties
    busy = free_mentor(limit=1)
    book(project, busy, member)

    with pytest.raises(MentorFullyBooked):
        book(project, busy, member, starts_at=at(3))
    book(project, busy, member, starts_at=at(24 * 28))  # April has its own hour


# --- another time --------------------------------------------------------------------------


def test_mentor_proposes_another_time_and_the_project_accepts(parties):
    project, mentor, member = parties
    session = book(project, mentor, member)

    propose_time(session, starts_at=at(3), by=mentor.user, now=NOW)
    with pytest.raises(NoProposal):
        accept_proposal(session, by=mentor.user, now=NOW)
    moved = accept_proposal(session, by=member, now=NOW)

    assert (moved.starts_at, moved.status, moved.sequence) == (at(3), SessionStatus.CONFIRMED, 1)
    assert moved.proposed_by_side is None
    book(project, mentor, member)  # the old time is free again


def test_proposal_of_a_taken_time_is_refused(parties):
    project, mentor, member = parties
    session = book(project, mentor, member)
    book(project, mentor, member, starts_at=at(3))

    with pytest.raises(SlotTaken):
        propose_time(session, starts_at=at(3), by=member, now=NOW)


def test_proposal_by_an_outsider_is_not_allowed(parties):
    project, mentor, member = parties
    session = book(project, mentor, member)

    with pytest.raises(NotAllowed):
        propose_time(session, starts_at=at(3), by=member_of(), now=NOW)


# --- cancellation and outcome --------------------------------------------------------------


def confirmed(parties) -> MentoringSession:
    project, mentor, member = parties
    return confirm_session(book(project, mentor, member), by=mentor.user, now=NOW)


@pytest.mark.parametrize(
    ("who", "hours_before", "charged"),
    [
        ("member", 25, False),
        ("member", 23, True),
        ("mentor", 1, False),
        ("manager", 1, False),
    ],
)
def test_cancellation_charging_rules(parties, who, hours_before, charged):
    project, mentor, member = parties
    session = confirmed(parties)
    by = {"member": member, "mentor": mentor.user, "manager": manager()}[who]

    cancel_session(session, reason="", by=by, now=TUESDAY_NINE - timedelta(hours=hours_before))

    assert (session.status, session.charged) == (SessionStatus.CANCELLED, charged)
    usage = usage_of(project.id, 2026)
    assert (usage.used_minutes, usage.reserved_minutes) == ((60 if charged else 0), 0)


def test_cancelled_session_records_who_and_when(parties):
    project, _mentor, member = parties
    session = confirmed(parties)
    when = TUESDAY_NINE - timedelta(days=3)

    cancel_session(session, reason="Board meeting moved", by=member, now=when)

    assert (session.cancelled_by_id, session.cancelled_by_side, session.cancelled_at) == (
        member.id,
        Side.PROJECT,
        when,
    )


def test_late_cancellation_of_a_pending_request_is_not_charged(parties):
    project, mentor, member = parties
    session = book(project, mentor, member)

    cancel_session(session, reason="", by=member, now=TUESDAY_NINE - timedelta(hours=2))

    assert session.charged is False


@pytest.mark.parametrize("outcome", [SessionStatus.HELD, SessionStatus.NO_SHOW])
def test_held_and_no_show_sessions_are_charged(parties, outcome):
    project, mentor, _member = parties
    session = confirmed(parties)

    record_outcome(session, outcome=outcome, by=mentor.user, now=at(2))

    assert (session.status, session.charged) == (outcome, True)
    assert usage_of(project.id, 2026).used_minutes == 60


def test_outcome_before_the_end_is_refused(parties):
    _project, mentor, _member = parties
    session = confirmed(parties)

    with pytest.raises(SessionNotOver):
        record_outcome(session, outcome=SessionStatus.HELD, by=mentor.user, now=at(0.5))


def test_outcome_recorded_by_the_project_is_not_allowed(parties):
    _project, _mentor, member = parties
    session = confirmed(parties)

    with pytest.raises(NotAllowed):
        record_outcome(session, outcome=SessionStatus.HELD, by=member, now=at(2))


def test_a_started_session_cannot_be_cancelled(parties):
    _project, mentor, _member = parties
    session = confirmed(parties)

    with pytest.raises(SessionNotOpen):
        cancel_session(session, reason="", by=mentor.user, now=at(0.5))

    assert (session.status, session.charged) == (SessionStatus.CONFIRMED, False)


def test_an_inactive_mentor_cannot_be_booked(parties):
    project, mentor, member = parties
    mentor.user.active = False
    db.session.commit()

    with pytest.raises(MentorNotBookable):
        book(project, mentor, member)
