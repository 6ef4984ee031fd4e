"""The cohort dashboard's figures, read with a fixed number of grouped queries."""

from dataclasses import dataclass
from datetime import datetime

from accelerator.calls.services import the_programme
from accelerator.cohorts import queries
from accelerator.cohorts.models import Milestone, Project
from accelerator.core.clock import as_madrid
from accelerator.extensions import db


@dataclass(frozen=True)
class ProjectFigures:
    project: Project
    milestones: int = 0
    overdue: int = 0
    at_risk: int = 0
    done: int = 0
    reports: int = 0
    funding_raised_cents: int = 0
    patents_filed: int = 0
    latest_headcount: int | None = None


@dataclass(frozen=True)
class CohortSummary:
    cohort_year: int
    projects: int
    mean_entry_trl: float
    mean_current_trl: float
    funding_raised_cents: int


@dataclass(frozen=True)
class QuarterFigures:
    year: int
    quarter: int
    reports: int
    funding_raised_cents: int
    headcount: int
    patents_filed: int

    @property
    def label(self) -> str:
        return f"{self.year} Q{self.quarter}"


@dataclass(frozen=True)
class CallPlaces:
    year: int
    title: str
    quota: int
    selected: int


@dataclass(frozen=True)
class Places:
    """Selected applications across the programme's calls against its cap."""

    cap: int
    calls: list[CallPlaces]

    @property
    def selected(self) -> int:
        return sum(call.selected for call in self.calls)

    @property
    def left(self) -> int:
        return max(self.cap - self.selected, 0)


@dataclass(frozen=True)
class CohortDashboard:
    cohort_year: int | None  # None: every cohort
    cohorts: list[CohortSummary]
    projects: list[ProjectFigures]
    attention: list[Milestone]
    trend: list[QuarterFigures]
    places: Places

    @property
    def call_years(self) -> set[int]:
        """Every cohort there is or will be: one per call of the programme."""
        return {call.year for call in self.places.calls}

    @property
    def funding_raised_cents(self) -> int:
        return sum(row.funding_raised_cents for row in self.projects)

    @property
    def headcount(self) -> int:
        """The latest reported headcount of each project, added up."""
        return sum(row.latest_headcount or 0 for row in self.projects)

    @property
    def patents_filed(self) -> int:
        return sum(row.patents_filed for row in self.projects)

    @property
    def overdue(self) -> int:
        return sum(row.overdue for row in self.projects)

    @property
    def at_risk(self) -> int:
        return sum(row.at_risk for row in self.projects)


def cohort_dashboard(cohort_year: int | None, *, now: datetime) -> CohortDashboard:
    """Active projects of one cohort (or of all), their milestones and submitted KPI reports.

    Funding and patents add up over quarters; headcount is a level, so each project counts
    with its latest report. Drafts are not counted until they are submitted.
    """
    today = as_madrid(now).date()
    milestones = {
        row.project_id: row
        for row in db.session.execute(queries.milestone_counts(cohort_year, today=today))
    }
    kpis = {
        row.project_id: row
        for row in db.session.execute(queries.kpi_totals_per_project(cohort_year))
    }
    projects = [
        _figures(project, milestones.get(project.id), kpis.get(project.id))
        for project in db.session.scalars(queries.projects_in_cohort(cohort_year))
    ]
    programme = the_programme(now=now)
    return CohortDashboard(
        cohort_year=cohort_year,
        cohorts=_summaries(),
        projects=projects,
        attention=list(
            db.session.scalars(queries.milestones_needing_attention(cohort_year, today=today))
        ),
        trend=[
            QuarterFigures(
                year=row.year,
                quarter=row.quarter,
                reports=row.reports,
                funding_raised_cents=int(row.funding_raised_cents),  # a Decimal on PostgreSQL
                headcount=int(row.headcount),
                patents_filed=int(row.patents_filed),
            )
            for row in db.session.execute(queries.kpi_trend(cohort_year))
        ],
        places=Places(
            cap=programme.selection_cap,
            calls=[
                CallPlaces(
                    year=row.year, title=row.title, quota=row.selection_quota, selected=row.selected
                )
                for row in db.session.execute(queries.places_per_call(programme))
            ],
        ),
    )


def _summaries() -> list[CohortSummary]:
    return [
        CohortSummary(
            cohort_year=row.cohort_year,
            projects=row.projects,
            mean_entry_trl=float(row.mean_entry_trl),
            mean_current_trl=float(row.mean_current_trl),
            funding_raised_cents=int(row.funding_raised_cents),
        )
        for row in db.session.execute(queries.cohort_summaries())
    ]


def _figures(project: Project, milestones, kpis) -> ProjectFigures:
    figures = {}
    if milestones is not None:
        figures.update(
            milestones=milestones.total,
            overdue=int(milestones.overdue),
            at_risk=int(milestones.at_risk),
            done=int(milestones.done),
        )
    if kpis is not None:
        figures.update(
            reports=kpis.reports,
            funding_raised_cents=int(kpis.funding_raised_cents),
            patents_filed=int(kpis.patents_filed),
            latest_headcount=kpis.latest_headcount,
        )
    return ProjectFigures(project=project, **figures)
