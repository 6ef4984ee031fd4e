"""Read queries of projects and cohorts: each returns a Select; aggregates group in SQL."""

from datetime import date

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from accelerator.accounts.models import User
from accelerator.applications.enums import ApplicationStatus
from accelerator.applications.models import Application
from accelerator.calls.models import Call, Programme
from accelerator.cohorts.enums import MilestoneStatus, ProjectStatus, ReportStatus
from accelerator.cohorts.models import KPIReport, Milestone, Project, TRLChange

# A quarter as one comparable number: 2026 Q3 → 8107.
PERIOD = KPIReport.year * 4 + KPIReport.quarter
SUBMITTED = KPIReport.status == ReportStatus.SUBMITTED
ACTIVE = Project.status == ProjectStatus.ACTIVE


def projects_of_organisation(organisation_id: int) -> Select:
    """An organisation's projects, latest cohort first (call and organisation come joined)."""
    return (
        select(Project)
        .where(Project.organisation_id == organisation_id)
        .order_by(Project.cohort_year.desc(), Project.title)
    )


def organisation_has_projects(organisation_id: int) -> Select:
    return select(select(Project.id).where(Project.organisation_id == organisation_id).exists())


def trl_history(project: Project) -> Select:
    # Only names are shown: the roles every user loads by default are not needed.
    return (
        select(TRLChange)
        .options(joinedload(TRLChange.changed_by).lazyload(User.role_grants))
        .where(TRLChange.project_id == project.id)
        .order_by(TRLChange.changed_at, TRLChange.id)
    )


def milestones_of(project: Project) -> Select:
    return (
        select(Milestone)
        .where(Milestone.project_id == project.id)
        .order_by(Milestone.due_date, Milestone.id)
    )


def kpi_reports_of(project: Project) -> Select:
    return (
        select(KPIReport)
        .options(joinedload(KPIReport.submitted_by).lazyload(User.role_grants))
        .where(KPIReport.project_id == project.id)
        .order_by(KPIReport.year.desc(), KPIReport.quarter.desc())
    )


# --- the cohort dashboard ------------------------------------------------------------------


def _in_cohort(query: Select, cohort_year: int | None) -> Select:
    query = query.where(ACTIVE)
    return query if cohort_year is None else query.where(Project.cohort_year == cohort_year)


def cohort_summaries() -> Select:
    """Per cohort: active projects, mean entry and current TRL, and funding raised."""
    funding = (
        select(
            Project.cohort_year.label("cohort_year"),
            func.sum(KPIReport.funding_raised_cents).label("funding_raised_cents"),
        )
        .join(KPIReport, KPIReport.project_id == Project.id)
        .where(ACTIVE, SUBMITTED)
        .group_by(Project.cohort_year)
        .subquery()
    )
    return (
        select(
            Project.cohort_year,
            func.count(Project.id).label("projects"),
            func.avg(Project.entry_trl).label("mean_entry_trl"),
            func.avg(Project.current_trl).label("mean_current_trl"),
            func.coalesce(funding.c.funding_raised_cents, 0).label("funding_raised_cents"),
        )
        .outerjoin(funding, funding.c.cohort_year == Project.cohort_year)
        .where(ACTIVE)
        .group_by(Project.cohort_year, funding.c.funding_raised_cents)
        .order_by(Project.cohort_year)
    )


def projects_in_cohort(cohort_year: int | None) -> Select:
    return _in_cohort(
        select(Project).order_by(Project.cohort_year, Project.title, Project.id), cohort_year
    )


def milestone_counts(cohort_year: int | None, *, today: date) -> Select:
    """Per project: milestones, overdue (past due and not done), at risk, and done."""
    overdue = and_(Milestone.due_date < today, Milestone.status != MilestoneStatus.DONE)
    return _in_cohort(
        select(
            Milestone.project_id,
            func.count(Milestone.id).label("total"),
            func.sum(case((overdue, 1), else_=0)).label("overdue"),
            func.sum(case((Milestone.status == MilestoneStatus.AT_RISK, 1), else_=0)).label(
                "at_risk"
            ),
            func.sum(case((Milestone.status == MilestoneStatus.DONE, 1), else_=0)).label("done"),
        )
        .join(Project, Project.id == Milestone.project_id)
        .group_by(Milestone.project_id),
        cohort_year,
    )


def milestones_needing_attention(cohort_year: int | None, *, today: date) -> Select:
    """Overdue or at-risk milestones with their project, the earliest due first."""
    return _in_cohort(
        select(Milestone)
        .join(Milestone.project)
        .options(contains_eager(Milestone.project))
        .where(
            Milestone.status != MilestoneStatus.DONE,
            or_(Milestone.due_date < today, Milestone.status == MilestoneStatus.AT_RISK),
        )
        .order_by(Milestone.due_date, Milestone.id),
        cohort_year,
    )


def kpi_totals_per_project(cohort_year: int | None) -> Select:
    """Per project, over submitted reports: funding and patents summed, the latest headcount."""
    totals = _in_cohort(
        select(
            KPIReport.project_id.label("project_id"),
            func.count(KPIReport.id).label("reports"),
            func.sum(KPIReport.funding_raised_cents).label("funding_raised_cents"),
            func.sum(KPIReport.patents_filed).label("patents_filed"),
            func.max(PERIOD).label("latest_period"),
        )
        .join(Project, Project.id == KPIReport.project_id)
        .where(SUBMITTED)
        .group_by(KPIReport.project_id),
        cohort_year,
    ).subquery()
    return select(
        totals.c.project_id,
        totals.c.reports,
        totals.c.funding_raised_cents,
        totals.c.patents_filed,
        KPIReport.headcount.label("latest_headcount"),
    ).join(
        KPIReport,
        and_(
            KPIReport.project_id == totals.c.project_id,
            totals.c.latest_period == PERIOD,
            SUBMITTED,
        ),
    )


def kpi_trend(cohort_year: int | None) -> Select:
    """Per quarter, over submitted reports: reports, funding, headcount and patents summed."""
    return _in_cohort(
        select(
            KPIReport.year,
            KPIReport.quarter,
            func.count(KPIReport.id).label("reports"),
            func.sum(KPIReport.funding_raised_cents).label("funding_raised_cents"),
            func.sum(KPIReport.headcount).label("headcount"),
            func.sum(KPIReport.patents_filed).label("patents_filed"),
        )
        .join(Project, Project.id == KPIReport.project_id)
        .where(SUBMITTED)
        .group_by(KPIReport.year, KPIReport.quarter)
        .order_by(KPIReport.year, KPIReport.quarter),
        cohort_year,
    )


def places_per_call(programme: Programme) -> Select:
    """Each call of the programme with its quota and its selected applications."""
    return (
        select(
            Call.year,
            Call.title,
            Call.selection_quota,
            func.count(Application.id).label("selected"),
        )
        .outerjoin(
            Application,
            and_(
                Application.call_id == Call.id,
                Application.status == ApplicationStatus.SELECTED,
            ),
        )
        .where(Call.programme_id == programme.id)
        .group_by(Call.id, Call.year, Call.title, Call.selection_quota)
        .order_by(Call.year)
    )
