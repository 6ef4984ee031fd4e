"""Time: stored in UTC, shown and entered in Europe/Madrid."""

import calendar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

MADRID = ZoneInfo("Europe/Madrid")


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_madrid(moment: datetime) -> datetime:
    return moment.astimezone(MADRID)


def madrid_to_utc(local: datetime) -> datetime:
    """A naive wall-clock time typed in Madrid, as an aware UTC datetime."""
    return local.replace(tzinfo=MADRID).astimezone(UTC)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (earlier if negative), or the month's last day if it is
    shorter (31 Jan + 1 → 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))
