"""The managers' lab report over a period of Madrid dates: utilisation of each resource and lab,
per ISO week and per month; hours, cost and no-shows per project against its quarter's quota.
Also the quota table and the lab hours the project space shows.

Utilisation is booked hours ÷ open hours. Booked hours are those of pending, approved, completed
and no-show bookings (quota.COUNTING_STATUSES: the time was held) that start in the period. Open
hours are the lab's opening hours on each date of the period, minus its closures and minus the
blackouts of the lab or of the resource: a blackout is closed time. A lab's figures add up its
resources'. Cost is each booking's hours × its resource's hourly rate, no-shows included.

The report runs the same queries whatever the number of bookings (the resources with their labs
and opening hours, the closures, the blackouts, the bookings, their projects, and the quota usage
of each quarter the period touches); everything else is counted in Python from those rows.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager, lazyload, raiseload

from accelerator.accounts.models import User
from accelerator.accounts.policies import is_programme_manager
from accelerator.cohorts.charts import (
    AXIS_HEIGHT,
    BAR_HEIGHT,
    LABEL_WIDTH,
    PLOT_WIDTH,
    ROW_HEIGHT,
    TOP,
    Bar,
    Tick,
)
from accelerator.cohorts.enums import ProjectStatus
from accelerator.cohorts.models import Project
from accelerator.core.clock import as_madrid
from accelerator.core.durations import hours
from accelerator.extensions import db
from accelerator.labs.availability import Interval, madrid_midnight, opening_windows
from accelerator.labs.enums import DEFAULT_QUARTER_QUOTA_MINUTES, BookingStatus
from accelerator.labs.models import (
    Blackout,
    Lab,
    LabBooking,
    LabClosure,
    LabQuota,
    LabStaff,
    Resource,
)
from accelerator.labs.quota import COUNTING_STATUSES, QuotaUsage, usage_by_lab_and_project

# --- periods -----------------------------------------------------------------------------


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


def _buckets(period: Period, kind: str) -> list[Bucket]:
    def key(day: date):
        return day.isocalendar()[:2] if kind == "week" else (day.year, day.month)

    buckets: dict[tuple, list[date]] = {}
    for day in period.days:
        buckets.setdefault(key(day), []).append(day)
    return [Bucket(kind, days[0], days[-1]) for days in buckets.values()]


# --- figures -----------------------------------------------------------------------------


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


def lab_report(period: Period, *, viewer: User) -> LabReport:
    """Every lab for programme managers; for a lab manager, only the labs they staff."""
    weeks, months = _buckets(period, "week"), _buckets(period, "month")
    resources = db.session.scalars(_resources_seen_by(viewer)).all()
    labs = {resource.lab_id: resource.lab for resource in resources}
    if not labs:
        return LabReport(period, weeks, months)
    closures: dict[int, list[LabClosure]] = defaultdict(list)
    for closure in db.session.scalars(_closures_in(list(labs), period)):
        closures[closure.lab_id].append(closure)
    blackouts = db.session.scalars(_blackouts_in(list(labs), period)).all()
    bookings = db.session.execute(_bookings_in(list(labs), period)).all()
    project_ids = sorted({booking.project_id for booking in bookings})
    projects = {
        project.id: project
        for project in db.session.scalars(select(Project).where(Project.id.in_(project_ids)))
    }
    usage = {
        (year, quarter): usage_by_lab_and_project(project_ids, year=year, quarter=quarter)
        for year, quarter in period.quarters
    }

    booked_by_day: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    cost: dict[int, int] = defaultdict(int)  # resource id → minutes × cents per hour
    no_shows: dict[int, int] = defaultdict(int)
    project_figures: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for booking in bookings:
        minutes = int((booking.ends_at - booking.starts_at).total_seconds() // 60)
        for day, day_minutes in _minutes_by_day(booking.starts_at, booking.ends_at, period):
            booked_by_day[booking.resource_id][day] += day_minutes
        no_show = booking.status == BookingStatus.NO_SHOW
        cost[booking.resource_id] += minutes * booking.hourly_rate_cents
        no_shows[booking.resource_id] += no_show
        figures = project_figures[
            (booking.project_id, booking.lab_id, booking.year, booking.quarter)
        ]
        figures["minutes"] += minutes
        figures["cost"] += minutes * booking.hourly_rate_cents
        figures["bookings"] += 1
        figures["no_shows"] += no_show

    days = period.days
    windows = {
        lab_id: {day: opening_windows(day, lab.opening_hours, closures[lab_id]) for day in days}
        for lab_id, lab in labs.items()
    }
    week_days = [[day for day in days if week.holds(day)] for week in weeks]
    month_days = [[day for day in days if month.holds(day)] for month in months]
    lines: dict[int, list[ResourceLine]] = defaultdict(list)
    for resource in resources:
        if not resource.active and resource.id not in booked_by_day:
            continue
        open_by_day = _open_minutes_by_day(
            windows[resource.lab_id],
            [b for b in blackouts if _blacks_out(b, resource)],
        )
        booked = booked_by_day[resource.id]
        lines[resource.lab_id].append(
            ResourceLine(
                resource=resource,
                period=_utilisation(days, open_by_day, booked),
                weeks=[_utilisation(some, open_by_day, booked) for some in week_days],
                months=[_utilisation(some, open_by_day, booked) for some in month_days],
                cost_cents=_cents(cost[resource.id]),
                no_shows=no_shows[resource.id],
            )
        )

    return LabReport(
        period=period,
        weeks=weeks,
        months=months,
        labs=[LabLine(lab, lines[lab_id]) for lab_id, lab in labs.items() if lines[lab_id]],
        projects=_project_lines(project_figures, projects=projects, labs=labs, usage=usage),
    )


def _project_lines(figures_by_key: dict, *, projects: dict, labs: dict, usage: dict) -> list:
    """One line per project, lab and quarter, by project title, then lab name and quarter."""
    lines = [
        ProjectLine(
            project=projects[project_id],
            lab=labs[lab_id],
            year=year,
            quarter=quarter,
            usage=usage[(year, quarter)][(lab_id, project_id)],
            minutes=figures["minutes"],
            cost_cents=_cents(figures["cost"]),
            bookings=figures["bookings"],
            no_shows=figures["no_shows"],
        )
        for (project_id, lab_id, year, quarter), figures in figures_by_key.items()
    ]
    return sorted(
        lines,
        key=lambda line: (
            line.project.title.casefold(),
            line.project.id,
            line.lab.name.casefold(),
            line.year,
            line.quarter,
        ),
    )


def _cents(minute_cents: int) -> int:
    """Minutes × cents per hour as whole cents, half a cent rounded up."""
    return (minute_cents + 30) // 60


def _blacks_out(blackout: Blackout, resource: Resource) -> bool:
    return blackout.lab_id == resource.lab_id and blackout.resource_id in (None, resource.id)


def _utilisation(
    days: list[date], open_by_day: dict[date, int], booked_by_day: dict[date, int]
) -> Utilisation:
    return Utilisation(
        open_minutes=sum(open_by_day.get(day, 0) for day in days),
        booked_minutes=sum(booked_by_day.get(day, 0) for day in days),
    )


def _minutes_by_day(
    starts_at: datetime, ends_at: datetime, period: Period
) -> Iterator[tuple[date, int]]:
    """The minutes of an interval on each Madrid date, inside the period."""
    start, end = max(starts_at, period.starts_at), min(ends_at, period.ends_at)
    while start < end:
        day = as_madrid(start).date()
        piece_end = min(end, madrid_midnight(day + timedelta(days=1)))
        yield day, int((piece_end - start).total_seconds() // 60)
        start = piece_end


def _open_minutes_by_day(windows_by_day: dict, blackouts: list[Blackout]) -> dict[date, int]:
    """Each date's open minutes: its opening windows less the time blacked out in them."""
    dark = _merged(Interval(b.starts_at, b.ends_at) for b in blackouts)
    return {
        day: sum(
            _minutes(window.starts_at, window.ends_at)
            - sum(
                _minutes(max(window.starts_at, d.starts_at), min(window.ends_at, d.ends_at))
                for d in dark
                if d.overlaps(window.starts_at, window.ends_at)
            )
            for window in windows
        )
        for day, windows in windows_by_day.items()
    }


def _merged(intervals: Iterable[Interval]) -> list[Interval]:
    """Overlapping intervals joined, so that time blacked out twice is taken off once."""
    merged: list[Interval] = []
    for interval in sorted(intervals, key=lambda i: i.starts_at):
        if merged and interval.starts_at <= merged[-1].ends_at:
            last = merged.pop()
            interval = Interval(last.starts_at, max(last.ends_at, interval.ends_at))
        merged.append(interval)
    return merged


def _minutes(starts_at: datetime, ends_at: datetime) -> int:
    return int((ends_at - starts_at).total_seconds() // 60)


def _resources_seen_by(viewer: User) -> Select:
    """The resources of every lab, or of the labs a lab manager staffs, with their lab (and its
    opening hours, loaded next): lab by lab, by name."""
    query = (
        select(Resource)
        .join(Resource.lab)
        .options(contains_eager(Resource.lab), raiseload(Resource.required_trainings))
        .order_by(Lab.name, Lab.id, Resource.name, Resource.id)
    )
    if is_programme_manager(viewer):
        return query
    return query.where(
        Resource.lab_id.in_(select(LabStaff.lab_id).where(LabStaff.user_id == viewer.id))
    )


def _closures_in(lab_ids: list[int], period: Period) -> Select:
    return select(LabClosure).where(
        LabClosure.lab_id.in_(lab_ids),
        LabClosure.last_day >= period.first_day,
        LabClosure.first_day <= period.last_day,
    )


def _blackouts_in(lab_ids: list[int], period: Period) -> Select:
    return select(Blackout).where(
        Blackout.lab_id.in_(lab_ids),
        Blackout.ends_at > period.starts_at,
        Blackout.starts_at < period.ends_at,
    )


def _bookings_in(lab_ids: list[int], period: Period) -> Select:
    """The bookings that hold time and start in the period, with their lab and rate."""
    return (
        select(
            LabBooking.resource_id,
            LabBooking.project_id,
            LabBooking.status,
            LabBooking.starts_at,
            LabBooking.ends_at,
            LabBooking.year,
            LabBooking.quarter,
            Resource.lab_id,
            Resource.hourly_rate_cents,
        )
        .join(Resource, Resource.id == LabBooking.resource_id)
        .where(
            Resource.lab_id.in_(lab_ids),
            LabBooking.status.in_(COUNTING_STATUSES),
            LabBooking.starts_at >= period.starts_at,
            LabBooking.starts_at < period.ends_at,
        )
    )


# --- charts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class UtilisationRow:
    label: str
    utilisation: Utilisation
    label_y: float
    bar: Bar
    value_x: float


@dataclass(frozen=True)
class UtilisationChart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    rows: list[UtilisationRow]
    ticks: list[Tick]


@dataclass(frozen=True)
class LabCharts:
    resources: UtilisationChart
    weeks: UtilisationChart


def utilisation_chart(rows: list[tuple[str, Utilisation]]) -> UtilisationChart:
    """One bar per row on a 0–100 % scale, with the cohort dashboard's layout; a bar over
    100 % (bookings in time blacked out later) stops at the scale's end."""
    scale = PLOT_WIDTH / 100
    drawn = []
    for index, (label, utilisation) in enumerate(rows):
        top = TOP + index * ROW_HEIGHT
        length = min(float(utilisation.percent or 0), 100) * scale
        drawn.append(
            UtilisationRow(
                label=label,
                utilisation=utilisation,
                label_y=top + BAR_HEIGHT + 4,
                bar=Bar(LABEL_WIDTH, top + 6, length, BAR_HEIGHT),
                value_x=round(LABEL_WIDTH + length + 6, 1),
            )
        )
    plot_bottom = TOP + len(rows) * ROW_HEIGHT
    return UtilisationChart(
        width=LABEL_WIDTH + PLOT_WIDTH + 60,  # room for "100 %" after the longest bar
        height=plot_bottom + AXIS_HEIGHT,
        plot_left=LABEL_WIDTH,
        plot_right=LABEL_WIDTH + PLOT_WIDTH,
        plot_top=TOP,
        plot_bottom=plot_bottom,
        rows=drawn,
        ticks=[
            Tick(round(LABEL_WIDTH + level * scale, 1), str(level)) for level in range(0, 101, 20)
        ],
    )


def lab_charts(report: LabReport) -> dict[int, LabCharts]:
    """Per lab: its resources over the period, and the lab per ISO week."""
    return {
        line.lab.id: LabCharts(
            resources=utilisation_chart(
                [(resource.resource.name, resource.period) for resource in line.resources]
            ),
            weeks=utilisation_chart(
                [
                    (_("Week %(week)d", week=bucket.week), utilisation)
                    for bucket, utilisation in zip(report.weeks, line.weeks, strict=True)
                ]
            ),
        )
        for line in report.labs
    }


# --- exports -----------------------------------------------------------------------------


def projects_table(report: LabReport) -> tuple[list[str], list[list]]:
    """The per-project table as the report shows it: hours are Decimals, cost in euros."""
    header = [
        _("From"),
        _("To"),
        _("Project"),
        _("Acronym"),
        _("Organisation"),
        _("Lab"),
        _("Quarter"),
        _("Bookings"),
        _("Booked (h)"),
        _("Cost (EUR)"),
        _("No-shows"),
        _("Quarter booked (h)"),
        _("Quota (h)"),
        _("Left (h)"),
    ]
    body = [
        [
            report.period.first_day.isoformat(),
            report.period.last_day.isoformat(),
            line.project.title,
            line.project.acronym,
            line.project.organisation.legal_name,
            line.lab.name,
            line.quarter_label,
            line.bookings,
            _plain(line.booked_hours),
            _euros(line.cost_cents),
            line.no_shows,
            _plain(line.quarter_booked_hours),
            _plain(line.quota_hours),
            _plain(line.left_hours),
        ]
        for line in report.projects
    ]
    return header, body


def resources_table(report: LabReport) -> tuple[list[str], list[list]]:
    header = [
        _("From"),
        _("To"),
        _("Lab"),
        _("Resource"),
        _("Kind"),
        _("Open (h)"),
        _("Booked (h)"),
        _("Utilisation (%)"),
        _("Hourly rate (EUR)"),
        _("Cost (EUR)"),
        _("No-shows"),
    ]
    body = [
        [
            report.period.first_day.isoformat(),
            report.period.last_day.isoformat(),
            line.resource.lab.name,
            line.resource.name,
            str(line.resource.kind.label),
            _plain(line.period.open_hours),
            _plain(line.period.booked_hours),
            _plain(line.period.percent),
            _euros(line.resource.hourly_rate_cents),
            _euros(line.cost_cents),
            line.no_shows,
        ]
        for line in report.resources
    ]
    return header, body


def _plain(value: Decimal | None) -> Decimal | str:
    """A Decimal without an exponent (20, not 2E+1), so CSV readers see a plain number."""
    if value is None:
        return ""
    return Decimal(format(value, "f"))


def _euros(cents: int) -> Decimal:
    return Decimal(cents) / 100


# --- the quota table and the project space ----------------------------------------------


@dataclass(frozen=True)
class QuotaGrid:
    """Active projects × labs: each quota and the current quarter's booked minutes."""

    year: int
    quarter: int
    labs: list[Lab]
    projects: list[Project]
    usage: dict[tuple[int, int], QuotaUsage]

    @property
    def quarter_label(self) -> str:
        return quarter_label(self.year, self.quarter)

    @property
    def default_quota_hours(self) -> Decimal:
        return hours(DEFAULT_QUARTER_QUOTA_MINUTES)

    def booked_hours(self, lab: Lab, project: Project) -> Decimal:
        return hours(self.usage[(lab.id, project.id)].booked_minutes)


def quota_grid(*, year: int, quarter: int) -> QuotaGrid:
    """In five queries: the labs, the active projects, and quota.usage_by_lab_and_project."""
    labs = db.session.scalars(
        select(Lab).options(lazyload(Lab.opening_hours)).order_by(Lab.name, Lab.id)
    ).all()
    projects = db.session.scalars(
        select(Project)
        .where(Project.status == ProjectStatus.ACTIVE)
        .order_by(Project.title, Project.id)
    ).all()
    return QuotaGrid(
        year=year,
        quarter=quarter,
        labs=list(labs),
        projects=list(projects),
        usage=usage_by_lab_and_project([p.id for p in projects], year=year, quarter=quarter),
    )


@dataclass(frozen=True)
class LabHours:
    lab_id: int
    lab_name: str
    usage: QuotaUsage

    @property
    def booked_hours(self) -> Decimal:
        return hours(self.usage.booked_minutes)

    @property
    def quota_hours(self) -> Decimal:
        return hours(self.usage.quota_minutes)


def lab_hours_of_project(project_id: int, *, year: int, quarter: int) -> list[LabHours]:
    """The labs where the project has a quota or bookings in the quarter, by name, with its
    booked hours against the quota.

    Two queries, where quota.usage_by_lab_and_project takes three for every lab and no names:
    the project page keeps its count low. Both count the same bookings (COUNTING_STATUSES).
    """
    names: dict[int, str] = {}
    quotas: dict[int, int] = {}
    for lab_id, name, minutes in db.session.execute(
        select(Lab.id, Lab.name, LabQuota.minutes_per_quarter)
        .join(LabQuota, LabQuota.lab_id == Lab.id)
        .where(LabQuota.project_id == project_id)
    ):
        names[lab_id], quotas[lab_id] = name, minutes
    booked: dict[int, int] = defaultdict(int)
    for lab_id, name, starts_at, ends_at in db.session.execute(
        select(Lab.id, Lab.name, LabBooking.starts_at, LabBooking.ends_at)
        .join(Resource, Resource.id == LabBooking.resource_id)
        .join(Lab, Lab.id == Resource.lab_id)
        .where(
            LabBooking.project_id == project_id,
            LabBooking.year == year,
            LabBooking.quarter == quarter,
            LabBooking.status.in_(COUNTING_STATUSES),
        )
    ):
        names[lab_id] = name
        booked[lab_id] += _minutes(starts_at, ends_at)
    return sorted(
        (
            LabHours(
                lab_id=lab_id,
                lab_name=name,
                usage=QuotaUsage(
                    quota_minutes=quotas.get(lab_id, DEFAULT_QUARTER_QUOTA_MINUTES),
                    booked_minutes=booked[lab_id],
                ),
            )
            for lab_id, name in names.items()
        ),
        key=lambda line: (line.lab_name.casefold(), line.lab_id),
    )
