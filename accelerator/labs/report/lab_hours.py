"""Lab hours against quotas outside the report: the programme managers' quota table, and a
project's hours at each lab on the project's page."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import lazyload

from accelerator.cohorts.enums import ProjectStatus
from accelerator.cohorts.models import Project
from accelerator.core.durations import hours
from accelerator.extensions import db
from accelerator.labs.enums import DEFAULT_QUARTER_QUOTA_MINUTES
from accelerator.labs.models import Lab
from accelerator.labs.quota import QuotaUsage, quarter_usage, usage_by_lab_and_project
from accelerator.labs.report.periods import quarter_label


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
    booked hours against the quota: quota.quarter_usage's two queries, where
    usage_by_lab_and_project takes a third for every lab and no names, so the project page
    keeps its count low."""
    usage = quarter_usage([project_id], year=year, quarter=quarter)
    return sorted(
        (
            LabHours(lab_id=lab_id, lab_name=name, usage=usage.of(lab_id, project_id))
            for lab_id, name in usage.lab_names.items()
        ),
        key=lambda line: (line.lab_name.casefold(), line.lab_id),
    )
