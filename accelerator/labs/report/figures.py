"""What the lab report shows: utilisation (booked hours ÷ open hours), and the lines of each
resource, lab and project, which add up their parts."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from accelerator.cohorts.models import Project
from accelerator.core.durations import hours
from accelerator.labs.models import Lab, Resource
from accelerator.labs.quota import QuotaUsage
from accelerator.labs.report.periods import Bucket, Period, quarter_label


@dataclass(frozen=True)
class Utilisation:
    open_minutes: int = 0
    booked_minutes: int = 0

    def plus(self, other: "Utilisation") -> "Utilisation":
        return Utilisation(
            self.open_minutes + other.open_minutes, self.booked_minutes + other.booked_minutes
        )

    @property
    def open_hours(self) -> Decimal:
        return hours(self.open_minutes)

    @property
    def booked_hours(self) -> Decimal:
        return hours(self.booked_minutes)

    @property
    def ratio(self) -> Decimal | None:
        """Booked ÷ open (0.1 is 10 %); None without open time."""
        if not self.open_minutes:
            return None
        return Decimal(self.booked_minutes) / Decimal(self.open_minutes)

    @property
    def percent(self) -> Decimal | None:
        """The ratio in percent, to a tenth (10, 12.5)."""
        if self.ratio is None:
            return None
        value = (self.ratio * 100).quantize(Decimal("0.1"))
        return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def _total(lines: Iterable[Utilisation]) -> Utilisation:
    total = Utilisation()
    for line in lines:
        total = total.plus(line)
    return total


@dataclass(frozen=True)
class ResourceLine:
    resource: Resource
    period: Utilisation
    weeks: list[Utilisation]  # in the order of LabReport.weeks
    months: list[Utilisation]  # in the order of LabReport.months
    cost_cents: int = 0
    no_shows: int = 0


@dataclass(frozen=True)
class LabLine:
    lab: Lab
    resources: list[ResourceLine]

    @property
    def period(self) -> Utilisation:
        return _total(line.period for line in self.resources)

    @property
    def weeks(self) -> list[Utilisation]:
        return [_total(column) for column in zip(*(r.weeks for r in self.resources), strict=True)]

    @property
    def months(self) -> list[Utilisation]:
        return [_total(column) for column in zip(*(r.months for r in self.resources), strict=True)]

    @property
    def cost_cents(self) -> int:
        return sum(line.cost_cents for line in self.resources)

    @property
    def no_shows(self) -> int:
        return sum(line.no_shows for line in self.resources)


@dataclass(frozen=True)
class ProjectLine:
    """A project's bookings at one lab that start in the period and in one quarter, and that
    quarter's usage of its quota (all the quarter's bookings at the lab, in the period or not)."""

    project: Project
    lab: Lab
    year: int
    quarter: int
    usage: QuotaUsage
    minutes: int = 0
    cost_cents: int = 0
    bookings: int = 0
    no_shows: int = 0

    @property
    def booked_hours(self) -> Decimal:
        return hours(self.minutes)

    @property
    def quarter_label(self) -> str:
        return quarter_label(self.year, self.quarter)

    @property
    def quota_hours(self) -> Decimal:
        return hours(self.usage.quota_minutes)

    @property
    def quarter_booked_hours(self) -> Decimal:
        return hours(self.usage.booked_minutes)

    @property
    def left_hours(self) -> Decimal:
        return hours(self.usage.left_minutes)


@dataclass(frozen=True)
class LabReport:
    period: Period
    weeks: list[Bucket]
    months: list[Bucket]
    labs: list[LabLine] = field(default_factory=list)
    projects: list[ProjectLine] = field(default_factory=list)

    @property
    def resources(self) -> list[ResourceLine]:
        return [line for lab in self.labs for line in lab.resources]
