"""When a resource can be booked: its lab's opening hours (Madrid wall-clock, correct across
the daylight-saving changes), closures, blackouts, and the bookings already holding time.

The functions here are pure: the caller loads the rows (see `calendar_of`) and passes them in.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select

from accelerator.core.clock import as_madrid, madrid_to_utc
from accelerator.extensions import db
from accelerator.labs.enums import HOLDING_STATUSES
from accelerator.labs.models import Blackout, LabBooking, LabClosure, OpeningHours, Resource


@dataclass(frozen=True)
class Interval:
    starts_at: datetime
    ends_at: datetime

    def overlaps(self, starts_at: datetime, ends_at: datetime) -> bool:
        return self.starts_at < ends_at and starts_at < self.ends_at


@dataclass(frozen=True)
class ResourceCalendar:
    """Everything that decides whether a time of one resource is free, over some days."""

    opening_hours: list
    closures: list
    blackouts: list
    bookings: list


def calendar_of(resource: Resource, *, first: datetime, last: datetime) -> ResourceCalendar:
    """The rows deciding the resource's free time between two instants, in four queries."""
    return ResourceCalendar(
        opening_hours=list(
            db.session.scalars(select(OpeningHours).where(OpeningHours.lab_id == resource.lab_id))
        ),
        closures=list(
            db.session.scalars(
                select(LabClosure).where(
                    LabClosure.lab_id == resource.lab_id,
                    LabClosure.last_day >= as_madrid(first).date(),
                    LabClosure.first_day <= as_madrid(last).date(),
                )
            )
        ),
        blackouts=list(
            db.session.scalars(
                select(Blackout).where(
                    Blackout.lab_id == resource.lab_id,
                    or_(Blackout.resource_id.is_(None), Blackout.resource_id == resource.id),
                    Blackout.ends_at > first,
                    Blackout.starts_at < last,
                )
            )
        ),
        bookings=list(
            db.session.scalars(
                select(LabBooking)
                .where(
                    LabBooking.resource_id == resource.id,
                    LabBooking.status.in_(HOLDING_STATUSES),
                    LabBooking.ends_at > first,
                    LabBooking.starts_at < last,
                )
                .order_by(LabBooking.starts_at)
            )
        ),
    )


def closure_on(day: date, closures: Iterable):
    return next((c for c in closures if c.first_day <= day <= c.last_day), None)


def opening_windows(day: date, opening_hours: Iterable, closures: Iterable) -> list[Interval]:
    """The lab's open intervals on one Madrid date, in UTC; none on a closure."""
    if closure_on(day, closures):
        return []
    return sorted(
        (
            Interval(
                madrid_to_utc(datetime.combine(day, hours.opens_at)),
                madrid_to_utc(datetime.combine(day, hours.closes_at)),
            )
            for hours in opening_hours
            if hours.weekday == day.weekday()
        ),
        key=lambda window: window.starts_at,
    )


def within_opening_hours(
    starts_at: datetime, ends_at: datetime, opening_hours: Iterable, closures: Iterable
) -> bool:
    """Whether the whole interval lies inside one open window of its Madrid day."""
    day = as_madrid(starts_at).date()
    return any(
        window.starts_at <= starts_at and ends_at <= window.ends_at
        for window in opening_windows(day, opening_hours, closures)
    )


def blackout_over(starts_at: datetime, ends_at: datetime, blackouts: Iterable):
    return next(
        (b for b in blackouts if Interval(b.starts_at, b.ends_at).overlaps(starts_at, ends_at)),
        None,
    )


def booking_over(starts_at: datetime, ends_at: datetime, bookings: Iterable, ignoring=None):
    return next(
        (
            b
            for b in bookings
            if b.id != ignoring and Interval(b.starts_at, b.ends_at).overlaps(starts_at, ends_at)
        ),
        None,
    )


def free_slots(
    calendar: ResourceCalendar,
    *,
    first_day: date,
    days: int,
    minutes: int,
    step_minutes: int,
    earliest: datetime,
) -> list[Interval]:
    """Every free interval of `minutes` starting on the step inside an open window, from
    `earliest`, over `days` Madrid dates from `first_day`, in order."""
    length = timedelta(minutes=minutes)
    step = timedelta(minutes=step_minutes)
    found = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        for window in opening_windows(day, calendar.opening_hours, calendar.closures):
            starts_at = window.starts_at
            while starts_at + length <= window.ends_at:
                ends_at = starts_at + length
                if (
                    starts_at >= earliest
                    and not blackout_over(starts_at, ends_at, calendar.blackouts)
                    and not booking_over(starts_at, ends_at, calendar.bookings)
                ):
                    found.append(Interval(starts_at, ends_at))
                starts_at += step
    return found


def next_free_slot(
    resource: Resource, *, minutes: int, after: datetime, earliest: datetime, days: int = 28
) -> Interval | None:
    """The first free interval of the same length at or after `after` (within `days`)."""
    first = max(after, earliest)
    calendar = calendar_of(resource, first=first, last=first + timedelta(days=days + 1))
    slots = free_slots(
        calendar,
        first_day=as_madrid(first).date(),
        days=days,
        minutes=minutes,
        step_minutes=resource.booking_step_minutes,
        earliest=first,
    )
    return slots[0] if slots else None


def madrid_midnight(day: date) -> datetime:
    return madrid_to_utc(datetime.combine(day, time()))
