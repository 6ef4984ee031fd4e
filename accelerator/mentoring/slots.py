"""A mentor's free slots: the one computation the booking page, the mentor's own availability
page and every booking service use, so that what is offered is what may be booked.

A slot is free when it lies within the mentor's availability, gives their notice, and keeps
their buffer clear of every pending or confirmed session.
"""

from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from accelerator.core.clock import as_madrid, madrid_to_utc
from accelerator.core.errors import DomainError
from accelerator.extensions import db
from accelerator.mentoring.availability import Slot, free_slots
from accelerator.mentoring.models import MentorProfile
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


def check_slot_is_free(
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


def flush_or_slot_taken() -> None:
    """Writes a session that holds time; PostgreSQL's exclusion constraint refuses an overlap
    here, as a taken slot rather than an error page."""
    try:
        db.session.flush()
    except IntegrityError as error:
        raise slot_just_taken() from error


def slot_just_taken() -> SlotTaken:
    return SlotTaken(_("Someone has just booked this time. Choose another slot."))


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
