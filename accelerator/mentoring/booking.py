"""Booking a mentor: request, answer, cancellation, outcome (another time: proposals).

Two requests for the same mentor and time can never both hold it, and a project never books
past its budget. A request takes the project's and the mentor's locks first (lock_for_booking),
then re-reads what it checks; on PostgreSQL the exclusion constraint refuses an overlap in any
case. Every later change is one conditional UPDATE (change_status) that applies only to the
session as the person saw it, so two answers sent at the same instant never both win. Each
change the calendars must know of raises the session's SEQUENCE and emails both sides the
invitation (.ics).
"""

from datetime import datetime, timedelta

from flask_babel import format_datetime
from flask_babel import gettext as _

from accelerator.accounts.models import User
from accelerator.cohorts.locks import lock_for_booking
from accelerator.cohorts.models import Project
from accelerator.core.audit import record_audit
from accelerator.core.errors import DomainError
from accelerator.core.policies import require
from accelerator.core.transactions import (
    change_status,
    releases_lock_on_refusal,
    statuses_leading_to,
)
from accelerator.extensions import db
from accelerator.mentoring import policies
from accelerator.mentoring.availability import SessionLengthRefused, Slot
from accelerator.mentoring.budget import check_budget, programme_year_of
from accelerator.mentoring.enums import (
    FREE_CANCELLATION_NOTICE_HOURS,
    HOLDING_STATUSES,
    NEXT,
    SESSION_LENGTHS,
    SessionStatus,
    Side,
)
from accelerator.mentoring.matching import require_monthly_capacity, require_no_conflict
from accelerator.mentoring.models import MentoringSession, MentorProfile
from accelerator.mentoring.notices import everyone, notify, project_people
from accelerator.mentoring.slots import check_slot_is_free, flush_or_slot_taken


class SessionNotPending(DomainError):
    pass


class DeclineReasonMissing(DomainError):
    pass


class MentorNotBookable(DomainError):
    pass


class AgendaMissing(DomainError):
    pass


class SessionNotOpen(DomainError):
    pass


class SessionNotOver(DomainError):
    pass


@releases_lock_on_refusal
def request_session(
    project: Project,
    mentor: MentorProfile,
    *,
    starts_at: datetime,
    length_minutes: int,
    agenda: str,
    by: User,
    now: datetime,
) -> MentoringSession:
    """A pending session in one of the mentor's free slots, holding that time until answered.

    Refused when the mentor has a conflict with the project, when the slot is not free, when
    the project's budget for the year or the mentor's monthly limit would be exceeded.
    """
    require(policies.can_request_session(by, project))
    if length_minutes not in SESSION_LENGTHS:
        raise SessionLengthRefused(_("Sessions last 30, 60 or 90 minutes."))
    if not agenda.strip():
        raise AgendaMissing(_("Say what you would like to discuss."))
    project_id, mentor_id, by_id = project.id, mentor.id, by.id
    mentor = lock_for_booking(MentorProfile, mentor_id, project_id=project_id)
    project = db.session.get(Project, project_id)
    if not policies.is_bookable_mentor(mentor):
        raise MentorNotBookable(_("This mentor is not taking sessions."))
    require_no_conflict(mentor, project)
    slot = Slot(starts_at, starts_at + timedelta(minutes=length_minutes))
    check_slot_is_free(mentor, slot, now=now)
    year = programme_year_of(slot.starts_at)
    check_budget(project_id, year=year, minutes=length_minutes)
    require_monthly_capacity(mentor, starts_at=slot.starts_at, minutes=length_minutes)

    session = MentoringSession(
        mentor_id=mentor_id,
        project_id=project_id,
        programme_year=year,
        requested_by_id=by_id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        agenda=agenda.strip(),
        status=SessionStatus.PENDING,
        created_at=now,
    )
    db.session.add(session)
    flush_or_slot_taken()
    by = db.session.get(User, by_id)
    record_change(session, "requested", by=by, now=now, details={"mentor_id": mentor_id})
    notify(
        session,
        [mentor.user],
        _("New mentoring request from %(project)s", project=_project_name(session)),
        _("%(name)s asks for a session. Confirm or decline it:", name=by.name),
        now=now,
    )
    db.session.commit()
    return session


@releases_lock_on_refusal
def confirm_session(session: MentoringSession, *, by: User, now: datetime) -> MentoringSession:
    """The mentor accepts: both sides receive the calendar invitation."""
    _answer(session, SessionStatus.CONFIRMED, reason="", by=by, now=now)
    notify(
        session,
        everyone(session),
        _("Mentoring session confirmed"),
        _("The session is confirmed. The calendar invitation is attached."),
        now=now,
        with_invitation=True,
    )
    db.session.commit()
    return session


@releases_lock_on_refusal
def decline_session(
    session: MentoringSession, *, reason: str, by: User, now: datetime
) -> MentoringSession:
    """The mentor says no, with a reason the project reads; the time is free again."""
    if not reason.strip():
        raise DeclineReasonMissing(_("Tell the project why you decline."))
    _answer(session, SessionStatus.DECLINED, reason=reason.strip(), by=by, now=now)
    notify(
        session,
        project_people(session),
        _("Mentoring request declined"),
        _("The mentor declined your request: %(reason)s", reason=session.decline_reason),
        now=now,
    )
    db.session.commit()
    return session


def _answer(
    session: MentoringSession, status: SessionStatus, *, reason: str, by: User, now: datetime
) -> None:
    profile = db.session.get(MentorProfile, session.mentor_id)
    require(policies.can_answer_session(by, profile))
    change_as_seen(
        session,
        {"status": status, "decline_reason": reason, "answered_at": now, **NO_PROPOSAL},
        refusal=SessionNotPending(_("This session has already been answered.")),
        from_statuses=statuses_leading_to(NEXT, status),
    )
    record_change(
        session, status.value, by=by, now=now, details={"reason": reason} if reason else None
    )


@releases_lock_on_refusal
def cancel_session(
    session: MentoringSession, *, reason: str, by: User, now: datetime
) -> MentoringSession:
    """Either side (or a manager) calls the session off; the time is free again.

    The project is charged the session when it cancels a confirmed session less than 24 hours
    before the start; a mentor's or a manager's cancellation is never charged. Both facts are
    read from the session as the person saw it, and the cancellation applies only if it is
    still so (not confirmed or moved meanwhile).
    """
    side = side_of(by, session)
    require_open(session)
    if now >= session.starts_at:
        raise SessionNotOpen(
            _("This session has started: the mentor records whether it was held or a no-show.")
        )
    was_confirmed = session.status == SessionStatus.CONFIRMED
    charged = side == Side.PROJECT and was_confirmed and is_late_cancellation(session, now=now)
    change_as_seen(
        session,
        {
            "status": SessionStatus.CANCELLED,
            "cancelled_at": now,
            "cancelled_by_id": by.id,
            "cancelled_by_side": side,
            "cancellation_reason": reason.strip(),
            "charged": charged,
            "sequence": MentoringSession.sequence + 1,
            **NO_PROPOSAL,
        },
        refusal=just_changed(),
    )
    record_change(
        session,
        "cancelled",
        by=by,
        now=now,
        details={"side": side.value, "charged": charged, "reason": reason.strip()},
    )
    message = _("%(name)s cancelled the session.", name=by.name)
    if session.cancellation_reason:
        message = f"{message} {session.cancellation_reason}"
    notify(
        session,
        everyone(session),
        _("Mentoring session cancelled"),
        message,
        now=now,
        with_invitation=was_confirmed,
    )
    db.session.commit()
    return session


def is_late_cancellation(session: MentoringSession, *, now: datetime) -> bool:
    """Less than 24 hours before the start: a project cancelling now is charged."""
    return session.starts_at - now < timedelta(hours=FREE_CANCELLATION_NOTICE_HOURS)


@releases_lock_on_refusal
def record_outcome(
    session: MentoringSession, *, outcome: SessionStatus, by: User, now: datetime
) -> MentoringSession:
    """After the end, the mentor (or a manager) records that it was held or a no-show; both are
    charged to the project."""
    profile = db.session.get(MentorProfile, session.mentor_id)
    require(policies.can_record_outcome(by, profile))
    if outcome not in (SessionStatus.HELD, SessionStatus.NO_SHOW):
        raise SessionNotOpen(_("Choose held or no-show."))
    if session.status != SessionStatus.CONFIRMED:
        raise SessionNotOpen(_("Only a confirmed session can be marked held or no-show."))
    if now < session.ends_at:
        raise SessionNotOver(_("The session has not ended yet."))
    changed = change_status(
        session,
        from_statuses=statuses_leading_to(NEXT, outcome),
        values={"status": outcome, "charged": True},
    )
    if not changed:
        raise lost_race(
            session, SessionNotOpen(_("The outcome of this session has already been recorded."))
        )
    record_change(session, outcome.value, by=by, now=now)
    db.session.commit()
    return session


# --- shared with the proposals -------------------------------------------------------------


def just_changed() -> SessionNotOpen:
    """The refusal of a change to a session that someone else changed a moment before."""
    return SessionNotOpen(_("This session has just changed: look again."))


# The values that clear a proposed other time.
NO_PROPOSAL = {"proposed_starts_at": None, "proposed_ends_at": None, "proposed_by_side": None}


def as_seen(session: MentoringSession) -> tuple:
    """Conditions that hold while the session is as the person acting saw it: its time (the
    sequence moves with it) and its proposal. A change made under them cannot act on a
    session that was moved, or given or relieved of a proposal, in the meantime."""
    return (
        MentoringSession.sequence == session.sequence,
        MentoringSession.proposed_starts_at.is_not_distinct_from(session.proposed_starts_at),
        MentoringSession.proposed_by_side.is_not_distinct_from(session.proposed_by_side),
    )


def change_as_seen(
    session: MentoringSession, values: dict, *, refusal: DomainError, from_statuses=None
) -> None:
    """Writes `values` only while the session is as the person saw it: its status (or one of
    `from_statuses`), its time and its proposal; otherwise raises `refusal`, or that the
    session was cancelled."""
    changed = change_status(
        session,
        from_statuses=from_statuses or (session.status,),
        still=as_seen(session),
        values=values,
    )
    if not changed:
        raise lost_race(session, refusal)


def lost_race(session: MentoringSession, refusal: DomainError) -> DomainError:
    """The refusal of a change that found the session changed: cancelled, or `refusal`."""
    if session.status == SessionStatus.CANCELLED:
        return SessionNotOpen(_("This session has been cancelled."))
    return refusal


def side_of(user: User, session: MentoringSession) -> Side:
    """Which side the user acts for; refuses anyone who is neither."""
    project = db.session.get(Project, session.project_id)
    profile = db.session.get(MentorProfile, session.mentor_id)
    side = policies.side_in_session(user, project=project, mentor=profile)
    require(side is not None)
    return side


def require_open(session: MentoringSession) -> None:
    if session.status not in HOLDING_STATUSES:
        raise SessionNotOpen(_("This session is no longer open."))


def record_change(session, action: str, *, by: User, now: datetime, details=None) -> None:
    record_audit(
        f"mentoring_session.{action}",
        by=by,
        object_type="mentoring_session",
        object_id=session.id,
        now=now,
        details=details,
    )


def madrid_text(moment: datetime) -> str:
    return format_datetime(moment, "medium")  # shown in Europe/Madrid (BABEL_DEFAULT_TIMEZONE)


def _project_name(session: MentoringSession) -> str:
    project = db.session.get(Project, session.project_id)
    return project.acronym or project.title
