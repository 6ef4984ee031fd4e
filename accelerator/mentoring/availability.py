"""Free slots from a mentor's weekly rules, exceptions and one-off slots.

Rules are Madrid wall-clock times, so each day's window is converted to UTC with that day's
offset (zoneinfo): "Tuesdays 10:00–13:00" is 08:00–11:00 UTC in summer and 09:00–12:00 UTC in
winter. Slots are cut in UTC, so a window that spans a change holds its real length of time.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _

from accelerator.core.clock import madrid_to_utc
from accelerator.core.errors import DomainError
from accelerator.mentoring.enums import SESSION_LENGTHS

DEFAULT_MINIMUM_NOTICE = timedelta(hours=48)


class SessionLengthRefused(DomainError):
    pass


@dataclass(frozen=True, order=True)
class Slot:
    starts_at: datetime
    ends_at: datetime


def free_slots(
    rules: Iterable,
    exceptions: Iterable,
    one_offs: Iterable,
    *,
    start_date: date,
    days: int,
    length_minutes: int,
    now: datetime,
    minimum_notice: timedelta = DEFAULT_MINIMUM_NOTICE,
    buffer_minutes: int = 0,
    busy: Iterable[tuple[datetime, datetime]] = (),
) -> list[Slot]:
    """The bookable slots of `length_minutes` on the Madrid dates from `start_date` for `days`
    days, in UTC and in order.

    A slot starts no earlier than `now + minimum_notice` and keeps `buffer_minutes` clear of
    every busy interval (sessions already booked). Exception dates drop the weekly rules, not
    the one-off slots: a one-off slot is time the mentor offered on purpose.
    """
    if length_minutes not in SESSION_LENGTHS:
        raise SessionLengthRefused(_("Sessions last 30, 60 or 90 minutes."))
    length = timedelta(minutes=length_minutes)
    buffer = timedelta(minutes=buffer_minutes)
    earliest = now + minimum_notice
    busy = list(busy)
    closed = list(exceptions)
    rules = list(rules)

    windows = []
    for offset in range(days):
        day = start_date + timedelta(days=offset)
        if any(exception.first_day <= day <= exception.last_day for exception in closed):
            continue
        windows.extend(
            (
                madrid_to_utc(datetime.combine(day, rule.starts_at)),
                madrid_to_utc(datetime.combine(day, rule.ends_at)),
            )
            for rule in rules
            if rule.weekday == day.weekday()
        )
    first = madrid_to_utc(datetime.combine(start_date, datetime.min.time()))
    last = madrid_to_utc(datetime.combine(start_date + timedelta(days=days), datetime.min.time()))
    windows.extend(
        (slot.starts_at, slot.ends_at) for slot in one_offs if first <= slot.starts_at < last
    )

    slots = set()
    for window_start, window_end in windows:
        starts_at = window_start
        while starts_at + length <= window_end:
            slot = Slot(starts_at, starts_at + length)
            if starts_at >= earliest and _clear_of(slot, busy, buffer):
                slots.add(slot)
            starts_at += length
    return sorted(slots)


def _clear_of(slot: Slot, busy: list[tuple[datetime, datetime]], buffer: timedelta) -> bool:
    return all(
        slot.ends_at + buffer <= busy_start or slot.starts_at >= busy_end + buffer
        for busy_start, busy_end in busy
    )
