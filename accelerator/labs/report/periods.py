"""The Madrid dates a report covers, and the weeks, months and quarters they fall in."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _

from accelerator.core.clock import as_madrid
from accelerator.labs.availability import madrid_midnight


@dataclass(frozen=True)
class Period:
    """Madrid dates, the first and the last included."""

    first_day: date
    last_day: date

    @property
    def starts_at(self) -> datetime:
        return madrid_midnight(self.first_day)

    @property
    def ends_at(self) -> datetime:
        return madrid_midnight(self.last_day + timedelta(days=1))

    @property
    def days(self) -> list[date]:
        return [
            self.first_day + timedelta(days=offset)
            for offset in range((self.last_day - self.first_day).days + 1)
        ]

    @property
    def quarters(self) -> list[tuple[int, int]]:
        """The (year, quarter) pairs the period touches, in order."""
        return list(dict.fromkeys((day.year, _quarter(day)) for day in self.days))


def quarter_period(day: date) -> Period:
    """The calendar quarter that holds the date."""
    first_month = (_quarter(day) - 1) * 3 + 1
    first_day = date(day.year, first_month, 1)
    next_first = (
        date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
    )
    return Period(first_day, next_first - timedelta(days=1))


def period_between(first_day: date | None, last_day: date | None, *, now: datetime) -> Period:
    """The dates asked for; a missing one comes from the quarter of the other, and without
    either the period is the current Madrid quarter."""
    if first_day is None and last_day is None:
        return quarter_period(as_madrid(now).date())
    if first_day is None:
        return Period(quarter_period(last_day).first_day, last_day)
    if last_day is None:
        return Period(first_day, quarter_period(first_day).last_day)
    return Period(first_day, last_day)


def quarter_label(year: int, quarter: int) -> str:
    return _("Q%(quarter)d %(year)d", quarter=quarter, year=year)


def _quarter(day: date) -> int:
    return (day.month - 1) // 3 + 1


@dataclass(frozen=True)
class Bucket:
    """An ISO week or a calendar month, cut to the period."""

    kind: str  # "week" or "month"
    first_day: date
    last_day: date

    @property
    def key(self) -> str:
        """ "2026-W11" or "2026-03": element ids and export columns."""
        if self.kind == "week":
            year, week, _weekday = self.first_day.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.first_day.year}-{self.first_day.month:02d}"

    @property
    def week(self) -> int:
        return self.first_day.isocalendar().week

    def holds(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


def buckets_of(period: Period, kind: str) -> list[Bucket]:
    def key(day: date):
        return day.isocalendar()[:2] if kind == "week" else (day.year, day.month)

    buckets: dict[tuple, list[date]] = {}
    for day in period.days:
        buckets.setdefault(key(day), []).append(day)
    return [Bucket(kind, days[0], days[-1]) for days in buckets.values()]
