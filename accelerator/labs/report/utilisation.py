"""The managers' lab report over a period of Madrid dates: utilisation of each resource and lab,
per ISO week and per month; hours, cost and no-shows per project against its quarter's quota.

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
from datetime import date, datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager, raiseload

from accelerator.accounts.models import User
from accelerator.accounts.policies import is_programme_manager
from accelerator.cohorts.models import Project
from accelerator.core.clock import as_madrid
from accelerator.extensions import db
from accelerator.labs import queries
from accelerator.labs.availability import Interval, madrid_midnight, opening_windows
from accelerator.labs.enums import BookingStatus
from accelerator.labs.models import Blackout, Lab, LabBooking, LabClosure, Resource
from accelerator.labs.quota import COUNTING_STATUSES, usage_by_lab_and_project
from accelerator.labs.report.figures import (
    LabLine,
    LabReport,
    ProjectLine,
    ResourceLine,
    Utilisation,
)
from accelerator.labs.report.periods import Period, buckets_of


def lab_report(period: Period, *, viewer: User) -> LabReport:
    """Every lab for programme managers; for a lab manager, only the labs they staff."""
    weeks, months = buckets_of(period, "week"), buckets_of(period, "month")
    resources = db.session.scalars(_resources_seen_by(viewer)).all()
    labs = {resource.lab_id: resource.lab for resource in resources}
    if not labs:
        return LabReport(period, weeks, months)
    closures: dict[int, list[LabClosure]] = defaultdict(list)
    for closure in db.session.scalars(
        queries.closures_of_labs(list(labs), first_day=period.first_day, last_day=period.last_day)
    ):
        closures[closure.lab_id].append(closure)
    blackouts = db.session.scalars(
        queries.blackouts_of_labs(list(labs), first=period.starts_at, last=period.ends_at)
    ).all()
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
    return query.where(Resource.lab_id.in_(queries.lab_ids_staffed_by(viewer.id)))


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
