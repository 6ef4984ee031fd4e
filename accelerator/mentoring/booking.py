"""Booking a mentor: request, answer, another time, cancellation, outcome.

Two requests for the same mentor and time can never both hold it, and a project never books
past its budget. A request takes the project's and the mentor's locks first (lock_for_booking),
then re-reads what it checks; on PostgreSQL the exclusion constraint refuses an overlap in any
case. Each change the calendars must know of raises the session's SEQUENCE and emails both
sides the invitation (.ics).
"""

from datetime import date, datetime, time, timedelta

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from accelerator.accounts.models import User
from accelerator.cohorts.locks import lock_for_booking
from accelerator.cohorts.models import Project
from accelerator.core.audit import record_audit
from accelerator.core.clock import as_madrid, madrid_to_utc
from accelerator.core.errors import DomainError
from accelerator.core.policies import require
from accelerator.core.transactions import releases_lock_on_refusal
from accelerator.extensions import db
from accelerator.mentoring import policies
from accelerator.mentoring.availability import SessionLengthRefused, Slot, free_slots
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
from accelerator.mentoring.queries import (
    exceptions_of,
    one_off_slots_of,
    rules_of,
    sessions_holding_time,
)

# How far ahead projects see a mentor's free slots.
BOOKING_HORIZON_DAYS = 28


class SlotTaken(DomainError):
    pass


class SlotUnavailable(DomainError):
    pass


class TooLittleNotice(DomainError):
    pass


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


class NoProposal(DomainError):
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
    _check_slot_is_free(mentor, slot, now=now)
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
    _flush_or_slot_taken()
    by = db.session.get(User, by_id)
    _record(session, "requested", by=by, now=now, details={"mentor_id": mentor_id})
    notify(
        session,
        [mentor.user],
        _("New mentoring request from %(project)s", project=_project_name(session)),
        _("%(name)s asks for a session. Confirm or decline it:", name=by.name),
        now=now,
    )
    db.session.commit()
    return session


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
    if session.status != SessionStatus.PENDING or status not in NEXT[session.status]:
        raise SessionNotPending(_("This session has already been answered."))
    session.status = status
    session.decline_reason = reason
    session.answered_at = now
    session.proposed_starts_at = session.proposed_ends_at = session.proposed_by_side = None
    _record(session, status.value, by=by, now=now, details={"reason": reason} if reason else None)


def propose_time(
    session: MentoringSession, *, starts_at: datetime, by: User, now: datetime
) -> MentoringSession:
    """Either side suggests another free slot of the same length; the session keeps its time
    until the other side accepts."""
    side = _side_of(by, session)
    _require_open(session)
    mentor = db.session.get(MentorProfile, session.mentor_id)
    slot = Slot(starts_at, starts_at + timedelta(minutes=session.length_minutes))
    if slot == Slot(session.starts_at, session.ends_at):
        raise SlotUnavailable(_("Choose a time other than the current one."))
    _check_slot_is_free(mentor, slot, now=now, ignoring=session.id)
    session.proposed_starts_at, session.proposed_ends_at = slot.starts_at, slot.ends_at
    session.proposed_by_side = side
    _record(session, "time_proposed", by=by, now=now, details={"starts_at": starts_at.isoformat()})
    other = project_people(session) if side != Side.PROJECT else [mentor.user]
    notify(
        session,
        other,
        _("Another time proposed for a mentoring session"),
        _(
            "%(name)s proposes %(when)s (Madrid time) instead. Accept or keep the current time:",
            name=by.name,
            when=_madrid_text(slot.starts_at),
        ),
        now=now,
    )
    db.session.commit()
    return session


@releases_lock_on_refusal
def accept_proposal(session: MentoringSession, *, by: User, now: datetime) -> MentoringSession:
    """The other side agrees: the session moves to the proposed time and is confirmed."""
    side = _side_of(by, session)
    session_id = session.id
    lock_for_booking(MentorProfile, session.mentor_id, project_id=session.project_id)
    session = db.session.get(MentoringSession, session_id, populate_existing=True)
    _require_open(session)
    if session.proposed_by_side is None:
        raise NoProposal(_("There is no other time to accept."))
    if session.proposed_by_side == side or (
        side == Side.MANAGER and session.proposed_by_side == Side.MANAGER
    ):
        raise NoProposal(_("The other side accepts the time you proposed."))
    mentor = db.session.get(MentorProfile, session.mentor_id)
    slot = Slot(session.proposed_starts_at, session.proposed_ends_at)
    _check_slot_is_free(mentor, slot, now=now, ignoring=session.id)
    year = programme_year_of(slot.starts_at)
    same_year = year == session.programme_year
    check_budget(
        session.project_id,
        year=year,
        minutes=session.length_minutes,
        freed_minutes=session.length_minutes if same_year else 0,
    )
    session.starts_at, session.ends_at = slot.starts_at, slot.ends_at
    session.programme_year = year
    session.proposed_starts_at = session.proposed_ends_at = session.proposed_by_side = None
    session.status = SessionStatus.CONFIRMED
    session.answered_at = session.answered_at or now
    session.sequence += 1
    session.reminder_sent_at = None
    _flush_or_slot_taken()
    _record(session, "moved", by=by, now=now, details={"starts_at": slot.starts_at.isoformat()})
    notify(
        session,
        everyone(session),
        _("Mentoring session moved"),
        _(
            "The session now takes place on %(when)s (Madrid time). The updated calendar"
            " invitation is attached.",
            when=_madrid_text(slot.starts_at),
        ),
        now=now,
        with_invitation=True,
    )
    db.session.commit()
    return session


def dismiss_proposal(session: MentoringSession, *, by: User, now: datetime) -> MentoringSession:
    """Either side keeps the current time (the proposer withdraws, or the other says no)."""
    _side_of(by, session)
    if session.proposed_by_side is None:
        raise NoProposal(_("There is no other time to dismiss."))
    session.proposed_starts_at = session.proposed_ends_at = session.proposed_by_side = None
    _record(session, "proposal_dismissed", by=by, now=now)
    db.session.commit()
    return session


def cancel_session(
    session: MentoringSession, *, reason: str, by: User, now: datetime
) -> MentoringSession:
    """Either side (or a manager) calls the session off; the time is free again.

    The project is charged the session when it cancels a confirmed session less than 24 hours
    before the start; a mentor's or a manager's cancellation is never charged.
    """
    side = _side_of(by, session)
    _require_open(session)
    if now >= session.starts_at:
        raise SessionNotOpen(
            _("This session has started: the mentor records whether it was held or a no-show.")
        )
    was_confirmed = session.status == SessionStatus.CONFIRMED
    late = is_late_cancellation(session, now=now)
    session.status = SessionStatus.CANCELLED
    session.cancelled_at = now
    session.cancelled_by_id = by.id
    session.cancelled_by_side = side
    session.cancellation_reason = reason.strip()
    session.charged = side == Side.PROJECT and was_confirmed and late
    session.proposed_starts_at = session.proposed_ends_at = session.proposed_by_side = None
    session.sequence += 1
    _record(
        session,
        "cancelled",
        by=by,
        now=now,
        details={"side": side.value, "charged": session.charged, "reason": reason.strip()},
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
    session.status = outcome
    session.charged = True
    _record(session, outcome.value, by=by, now=now)
    db.session.commit()
    return session


# --- helpers -----------------------------------------------------------------------------


def bookable_slots(
    mentor: MentorProfile,
    *,
    length_minutes: int,
    now: datetime,
    start_date: date | None = None,
    days: int = BOOKING_HORIZON_DAYS,
    ignoring: int | None = None,
) -> list[Slot]:
    """The mentor's free slots from `start_date` (today in Madrid) for `days` days: within their
    availability, with their notice, clear of their sessions by their buffer.

    `ignoring` is a session that is moving, so its own time does not count as taken.
    """
    return _slots(mentor, length_minutes, now, start_date, days, ignoring, with_busy=True)


def _slots(mentor, length_minutes, now, start_date, days, ignoring, *, with_busy: bool):
    start_date = start_date or as_madrid(now).date()
    rules = db.session.scalars(rules_of(mentor)).all()
    exceptions = db.session.scalars(exceptions_of(mentor)).all()
    one_offs = db.session.scalars(one_off_slots_of(mentor)).all()
    held = []
    if with_busy:
        margin = timedelta(minutes=mentor.buffer_minutes)
        busy = db.session.scalars(
            sessions_holding_time(
                mentor.id,
                after=madrid_to_utc(datetime.combine(start_date, time())) - margin,
                before=madrid_to_utc(datetime.combine(start_date + timedelta(days), time()))
                + margin,
            )
        ).all()
        held = [(s.starts_at, s.ends_at) for s in busy if s.id != ignoring]
    return free_slots(
        rules,
        exceptions,
        one_offs,
        start_date=start_date,
        days=days,
        length_minutes=length_minutes,
        now=now,
        minimum_notice=timedelta(hours=mentor.minimum_notice_hours),
        buffer_minutes=mentor.buffer_minutes,
        busy=held,
    )


def _check_slot_is_free(
    mentor: MentorProfile, slot: Slot, *, now: datetime, ignoring: int | None = None
) -> None:
    """Refuses a slot too soon, outside the mentor's availability, or taken (buffer included)."""
    if slot.starts_at < now + timedelta(hours=mentor.minimum_notice_hours):
        raise TooLittleNotice(
            _(
                "Sessions are booked at least %(hours)d hours ahead.",
                hours=mentor.minimum_notice_hours,
            )
        )
    length = int((slot.ends_at - slot.starts_at).total_seconds() // 60)
    day = as_madrid(slot.starts_at).date()
    if slot not in _slots(mentor, length, now, day, 1, ignoring, with_busy=False):
        raise SlotUnavailable(_("The mentor is not available at this time. Choose a listed slot."))
    if slot not in _slots(mentor, length, now, day, 1, ignoring, with_busy=True):
        raise SlotTaken(_("This time is already booked. Choose another slot."))


def _flush_or_slot_taken() -> None:
    try:
        db.session.flush()  # PostgreSQL's exclusion constraint speaks here
    except IntegrityError as error:
        raise SlotTaken(_("Someone has just booked this time. Choose another slot.")) from error


def _side_of(user: User, session: MentoringSession) -> Side:
    """Which side the user acts for; refuses anyone who is neither."""
    project = db.session.get(Project, session.project_id)
    profile = db.session.get(MentorProfile, session.mentor_id)
    side = policies.side_in_session(user, project=project, mentor=profile)
    require(side is not None)
    return side


def _require_open(session: MentoringSession) -> None:
    if session.status not in HOLDING_STATUSES:
        raise SessionNotOpen(_("This session is no longer open."))


def _record(session, action: str, *, by: User, now: datetime, details=None) -> None:
    record_audit(
        f"mentoring_session.{action}",
        by=by,
        object_type="mentoring_session",
        object_id=session.id,
        now=now,
        details=details,
    )


def _project_name(session: MentoringSession) -> str:
    project = db.session.get(Project, session.project_id)
    return project.acronym or project.title


def _madrid_text(moment: datetime) -> str:
    return format_datetime(moment, "medium")  # shown in Europe/Madrid (BABEL_DEFAULT_TIMEZONE)
