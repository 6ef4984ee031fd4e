"""Booking a mentor: a project member requests a free slot, the mentor confirms or declines.

Two requests for the same mentor and time can never both hold it. The request takes the
mentor's lock first (lock_mentor), then reads the sessions already holding time and checks the
slot is still free; on PostgreSQL the exclusion constraint refuses an overlap in any case.
"""

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from accelerator.accounts.models import User
from accelerator.cohorts.models import Project
from accelerator.core.audit import record_audit
from accelerator.core.clock import as_madrid
from accelerator.core.errors import DomainError
from accelerator.core.policies import require
from accelerator.core.transactions import releases_lock_on_refusal
from accelerator.extensions import db
from accelerator.mentoring import policies
from accelerator.mentoring.availability import SessionLengthRefused, Slot, free_slots
from accelerator.mentoring.enums import NEXT, SESSION_LENGTHS, SessionStatus
from accelerator.mentoring.locks import lock_mentor
from accelerator.mentoring.models import MentoringSession, MentorProfile
from accelerator.mentoring.queries import (
    exceptions_of,
    one_off_slots_of,
    rules_of,
    sessions_holding_time,
)


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
    """A pending session in one of the mentor's free slots, holding that time until answered."""
    require(policies.can_request_session(by, project))
    if length_minutes not in SESSION_LENGTHS:
        raise SessionLengthRefused(_("Sessions last 30, 60 or 90 minutes."))
    project_id, mentor_id, by_id = project.id, mentor.id, by.id
    mentor = lock_mentor(mentor_id)
    slot = Slot(starts_at, starts_at + timedelta(minutes=length_minutes))
    _check_slot_is_free(mentor, slot, now=now)

    session = MentoringSession(
        mentor_id=mentor_id,
        project_id=project_id,
        requested_by_id=by_id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        agenda=agenda.strip(),
        status=SessionStatus.PENDING,
        created_at=now,
    )
    db.session.add(session)
    try:
        db.session.flush()  # PostgreSQL's exclusion constraint speaks here
    except IntegrityError as error:
        raise SlotTaken(_("Someone has just booked this time. Choose another slot.")) from error
    record_audit(
        "mentoring_session.requested",
        by=db.session.get(User, by_id),
        object_type="mentoring_session",
        object_id=session.id,
        now=now,
        details={"mentor_id": mentor_id, "project_id": project_id},
    )
    db.session.commit()
    return session


def _check_slot_is_free(mentor: MentorProfile, slot: Slot, *, now: datetime) -> None:
    """Refuses a slot too soon, outside the mentor's availability, or taken (buffer included)."""
    notice = timedelta(hours=mentor.minimum_notice_hours)
    if slot.starts_at < now + notice:
        raise TooLittleNotice(
            _(
                "Sessions are booked at least %(hours)d hours ahead.",
                hours=mentor.minimum_notice_hours,
            )
        )
    options = {
        "start_date": as_madrid(slot.starts_at).date(),
        "days": 1,
        "length_minutes": int((slot.ends_at - slot.starts_at).total_seconds() // 60),
        "now": now,
        "minimum_notice": notice,
        "buffer_minutes": mentor.buffer_minutes,
    }
    rules = db.session.scalars(rules_of(mentor)).all()
    exceptions = db.session.scalars(exceptions_of(mentor)).all()
    one_offs = db.session.scalars(one_off_slots_of(mentor)).all()
    if slot not in free_slots(rules, exceptions, one_offs, **options):
        raise SlotUnavailable(_("The mentor is not available at this time. Choose a listed slot."))
    margin = timedelta(minutes=mentor.buffer_minutes)
    busy = db.session.scalars(
        sessions_holding_time(
            mentor.id, after=slot.starts_at - margin, before=slot.ends_at + margin
        )
    ).all()
    held = [(session.starts_at, session.ends_at) for session in busy]
    if slot not in free_slots(rules, exceptions, one_offs, busy=held, **options):
        raise SlotTaken(_("This time is already booked. Choose another slot."))


def confirm_session(session: MentoringSession, *, by: User, now: datetime) -> MentoringSession:
    return _answer(session, SessionStatus.CONFIRMED, reason="", by=by, now=now)


def decline_session(
    session: MentoringSession, *, reason: str, by: User, now: datetime
) -> MentoringSession:
    """The mentor says no, with a reason the project reads; the time is free again."""
    if not reason.strip():
        raise DeclineReasonMissing(_("Tell the project why you decline."))
    return _answer(session, SessionStatus.DECLINED, reason=reason.strip(), by=by, now=now)


def _answer(
    session: MentoringSession, status: SessionStatus, *, reason: str, by: User, now: datetime
) -> MentoringSession:
    profile = db.session.get(MentorProfile, session.mentor_id)
    require(policies.can_answer_session(by, profile))
    if session.status != SessionStatus.PENDING or status not in NEXT[session.status]:
        raise SessionNotPending(_("This session has already been answered."))
    session.status = status
    session.decline_reason = reason
    record_audit(
        f"mentoring_session.{status.value}",
        by=by,
        object_type="mentoring_session",
        object_id=session.id,
        now=now,
        details={"reason": reason} if reason else None,
    )
    db.session.commit()
    return session
