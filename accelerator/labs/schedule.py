"""What the finding pages show of resources' time: the first free slot of each listed resource,
and one resource's week as a grid of cells on its booking step.

Loading is done once for all the resources listed (`calendars_of`: three queries whatever their
number or their bookings'); the rest is computed here from the rows, with availability's rules.
"""

import enum
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from accelerator.core.clock import as_madrid, madrid_to_utc
from accelerator.extensions import db
from accelerator.labs import queries
from accelerator.labs.availability import (
    Interval,
    ResourceCalendar,
    blackout_over,
    booking_over,
    closure_on,
    free_slots,
    madrid_midnight,
    within_opening_hours,
)
from accelerator.labs.models import LabBooking, Resource


def calendars_of(resources, *, first: datetime, last: datetime) -> dict[int, ResourceCalendar]:
    """Resource id → the rows deciding its free time between two instants. Opening hours come
    with each resource's lab; closures, blackouts and bookings take one query each."""
    if not resources:
        return {}
    lab_ids = sorted({resource.lab_id for resource in resources})
    first_day, last_day = as_madrid(first).date(), as_madrid(last).date()
    closures = defaultdict(list)
    for closure in db.session.scalars(
        queries.closures_of_labs(lab_ids, first_day=first_day, last_day=last_day)
    ):
        closures[closure.lab_id].append(closure)
    blackouts = defaultdict(list)
    for blackout in db.session.scalars(queries.blackouts_of_labs(lab_ids, first=first, last=last)):
        blackouts[blackout.lab_id].append(blackout)
    bookings = defaultdict(list)
    for booking in db.session.scalars(
        queries.holding_bookings_of_resources(
            [resource.id for resource in resources], first=first, last=last
        )
    ):
        bookings[booking.resource_id].append(booking)
    return {
        resource.id: ResourceCalendar(
            opening_hours=list(resource.lab.opening_hours),
            closures=closures[resource.lab_id],
            blackouts=[
                b for b in blackouts[resource.lab_id] if b.resource_id in (None, resource.id)
            ],
            bookings=bookings[resource.id],
        )
        for resource in resources
    }


def first_free_slots(
    resources, *, first_day: date, last_day: date, minutes: int, now: datetime
) -> dict[int, Interval]:
    """Resource id → its first free interval of `minutes` between two Madrid dates (included),
    for the resources where such a booking is possible: a length within the resource's limits
    and on its step, starting after its notice."""
    first, last = madrid_midnight(first_day), madrid_midnight(last_day + timedelta(days=1))
    calendars = calendars_of(resources, first=first, last=last)
    found = {}
    for resource in resources:
        if not _length_allowed(resource, minutes):
            continue
        slots = free_slots(
            calendars[resource.id],
            first_day=first_day,
            days=(last_day - first_day).days + 1,
            minutes=minutes,
            step_minutes=resource.booking_step_minutes,
            earliest=max(first, now + timedelta(hours=resource.minimum_notice_hours)),
        )
        if slots:
            found[resource.id] = slots[0]
    return found


def _length_allowed(resource: Resource, minutes: int) -> bool:
    return (
        resource.minimum_minutes <= minutes <= resource.maximum_minutes
        and minutes % resource.booking_step_minutes == 0
    )


# --- one resource's week -----------------------------------------------------------------


class CellState(enum.StrEnum):
    CLOSED = "closed"
    BLACKOUT = "blackout"
    BOOKED = "booked"
    TOO_LATE = "too_late"
    FREE = "free"


@dataclass(frozen=True)
class Cell:
    starts_at: datetime
    ends_at: datetime
    state: CellState
    booking: LabBooking | None = None
    reason: str = ""


@dataclass(frozen=True)
class Row:
    starts: time
    cells: list[Cell] = field(default_factory=list)


@dataclass(frozen=True)
class Week:
    monday: date
    days: list[date]
    rows: list[Row]

    @property
    def previous_monday(self) -> date:
        return self.monday - timedelta(days=7)

    @property
    def next_monday(self) -> date:
        return self.monday + timedelta(days=7)


def week_bounds(monday: date) -> tuple[datetime, datetime]:
    return madrid_midnight(monday), madrid_midnight(monday + timedelta(days=7))


def week_of(resource: Resource, calendar: ResourceCalendar, *, monday: date, now: datetime) -> Week:
    """The resource's week from Monday to Sunday (Madrid dates): one row per booking step from
    the lab's earliest opening to its latest closing, one cell per day saying whether that step
    is closed, blacked out, booked, too close to book, or free."""
    days = [monday + timedelta(days=offset) for offset in range(7)]
    step = timedelta(minutes=resource.booking_step_minutes)
    earliest = now + timedelta(hours=resource.minimum_notice_hours)
    rows = []
    for starts in _row_times(calendar.opening_hours, resource.booking_step_minutes):
        cells = []
        for day in days:
            wall_clock = datetime.combine(day, starts)
            starts_at, ends_at = madrid_to_utc(wall_clock), madrid_to_utc(wall_clock + step)
            cells.append(_cell(starts_at, ends_at, day, calendar, earliest=earliest))
        rows.append(Row(starts, cells))
    return Week(monday=monday, days=days, rows=rows)


def _row_times(opening_hours, step_minutes: int) -> list[time]:
    """Madrid times on the step from the earliest opening (rounded down) to the latest closing."""
    if not opening_hours:
        return []
    opens = min(_minutes(hours.opens_at) for hours in opening_hours)
    closes = max(_minutes(hours.closes_at) for hours in opening_hours)
    first = opens - opens % step_minutes
    return [time(minute // 60, minute % 60) for minute in range(first, closes, step_minutes)]


def _cell(starts_at, ends_at, day: date, calendar: ResourceCalendar, *, earliest) -> Cell:
    closure = closure_on(day, calendar.closures)
    if closure is not None:
        return Cell(starts_at, ends_at, CellState.CLOSED, reason=closure.reason)
    if not within_opening_hours(starts_at, ends_at, calendar.opening_hours, calendar.closures):
        return Cell(starts_at, ends_at, CellState.CLOSED)
    blackout = blackout_over(starts_at, ends_at, calendar.blackouts)
    if blackout is not None:
        return Cell(starts_at, ends_at, CellState.BLACKOUT, reason=blackout.reason)
    booking = booking_over(starts_at, ends_at, calendar.bookings)
    if booking is not None:
        return Cell(starts_at, ends_at, CellState.BOOKED, booking=booking)
    if starts_at < earliest:
        return Cell(starts_at, ends_at, CellState.TOO_LATE)
    return Cell(starts_at, ends_at, CellState.FREE)


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute
