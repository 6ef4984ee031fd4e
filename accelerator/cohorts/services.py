"""Rules of projects: creation on selection, TRL, milestones and quarterly KPI reports."""

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from accelerator.accounts.models import User
from accelerator.applications.attachments import (
    check_pdf,
    safe_filename,
    upload_folder,
)
from accelerator.applications.models import Application
from accelerator.cohorts import policies
from accelerator.cohorts.enums import (
    ClinicalTrialStatus,
    MilestoneStatus,
    ProjectStatus,
    ReportStatus,
)
from accelerator.cohorts.models import KPIReport, Milestone, Project, TRLChange
from accelerator.core.audit import record_audit
from accelerator.core.clock import as_madrid
from accelerator.core.errors import DomainError
from accelerator.core.policies import require
from accelerator.extensions import db

COUNTED_KPI_FIELDS = ("funding_raised_cents", "headcount", "patents_filed")


class TRLOutOfRange(DomainError):
    pass


class TRLUnchanged(DomainError):
    pass


class QuarterOutOfRange(DomainError):
    pass


class QuarterInFuture(DomainError):
    pass


class KPIReportExists(DomainError):
    pass


class KPIReportLocked(DomainError):
    pass


class NegativeKPI(DomainError):
    pass


@dataclass(frozen=True)
class EvidencePdf:
    """An uploaded file as the view received it; judged by its content, not its name."""

    filename: str
    content: bytes


class SecondActiveProject(DomainError):
    pass


def create_project(
    application: Application, *, now: datetime, second_project_reason: str | None = None
) -> Project:
    """The selected application's project in the cohort of its call, or the existing one.

    An organisation holds one active project; a second one needs the reason a manager gave
    (a partial unique index refuses it otherwise).
    """
    project = db.session.scalar(select(Project).where(Project.application_id == application.id))
    if project is None:
        trl = application.trl or 1
        project = Project(
            application_id=application.id,
            call_id=application.call_id,
            organisation_id=application.organisation_id,
            cohort_year=application.call.year,
            title=application.title,
            acronym=application.acronym,
            atmp_class=application.atmp_class,
            therapeutic_area=application.therapeutic_area,
            entry_trl=trl,
            current_trl=trl,
            created_at=now,
        )
        db.session.add(project)
    project.status = ProjectStatus.ACTIVE
    project.second_project_reason = second_project_reason or None
    organisation = application.organisation.legal_name  # the session is unusable after a refusal
    try:
        db.session.flush()
    except IntegrityError as error:  # the caller rolls back, as after any refusal
        raise SecondActiveProject(
            _(
                "%(organisation)s already has an active project: a second one needs a reason.",
                organisation=organisation,
            )
        ) from error
    return project


def active_projects_of(organisation_ids: set[int]) -> list[Project]:
    """The active projects of these organisations, with their calls, oldest cohort first."""
    if not organisation_ids:
        return []
    return list(
        db.session.scalars(
            select(Project)
            .where(
                Project.organisation_id.in_(organisation_ids),
                Project.status == ProjectStatus.ACTIVE,
            )
            .order_by(Project.cohort_year, Project.id)
        ).unique()
    )


# --- TRL ---------------------------------------------------------------------------------


def update_trl(project: Project, *, trl: int, note: str = "", by: User, now: datetime) -> TRLChange:
    """Moves the project to a new TRL (1–9); every change is kept, so progress has a history."""
    require(policies.can_edit_project(by, project))
    if not 1 <= trl <= 9:
        raise TRLOutOfRange(_("The TRL is a level from 1 to 9."))
    if trl == project.current_trl:
        raise TRLUnchanged(_("The project is at TRL %(trl)d already.", trl=trl))
    previous = project.current_trl
    change = TRLChange(
        project_id=project.id, trl=trl, note=note.strip(), changed_at=now, changed_by_id=by.id
    )
    db.session.add(change)
    project.current_trl = trl
    db.session.flush()
    record_audit(
        "project.trl_changed",
        by=by,
        object_type="project",
        object_id=project.id,
        now=now,
        details={"from": previous, "to": trl},
    )
    db.session.commit()
    return change


# --- milestones --------------------------------------------------------------------------


def add_milestone(
    project: Project,
    *,
    title: str,
    due_date: date,
    status: MilestoneStatus,
    evidence_note: str = "",
    evidence: EvidencePdf | None = None,
    by: User,
    now: datetime,
) -> Milestone:
    """A new milestone of the project, with an optional evidence PDF."""
    require(policies.can_edit_project(by, project))
    if evidence is not None:
        check_pdf(evidence.content)
    milestone = Milestone(project_id=project.id)
    _fill_milestone(milestone, title, due_date, status, evidence_note, now=now)
    db.session.add(milestone)
    db.session.flush()
    record_audit(
        "milestone.added",
        by=by,
        object_type="project",
        object_id=project.id,
        now=now,
        details={"milestone_id": milestone.id, "title": milestone.title},
    )
    _commit_with_evidence(milestone, evidence, by=by, now=now)
    return milestone


def update_milestone(
    milestone: Milestone,
    *,
    title: str,
    due_date: date,
    status: MilestoneStatus,
    evidence_note: str = "",
    evidence: EvidencePdf | None = None,
    by: User,
    now: datetime,
) -> Milestone:
    """Changes a milestone; a new evidence PDF replaces the previous one."""
    project = db.session.get(Project, milestone.project_id)
    require(policies.can_edit_project(by, project))
    if evidence is not None:
        check_pdf(evidence.content)
    previous_status = milestone.status
    _fill_milestone(milestone, title, due_date, status, evidence_note, now=now)
    record_audit(
        "milestone.updated",
        by=by,
        object_type="project",
        object_id=project.id,
        now=now,
        details={
            "milestone_id": milestone.id,
            "title": milestone.title,
            "from": previous_status.value,
            "to": milestone.status.value,
        },
    )
    _commit_with_evidence(milestone, evidence, by=by, now=now)
    return milestone


def evidence_path(milestone: Milestone) -> Path:
    return upload_folder() / milestone.evidence_stored_name


def _fill_milestone(milestone, title, due_date, status, evidence_note, *, now) -> None:
    milestone.title = title.strip()
    milestone.due_date = due_date
    milestone.status = MilestoneStatus(status)
    milestone.evidence_note = evidence_note.strip()
    milestone.updated_at = now


def _commit_with_evidence(
    milestone: Milestone, evidence: EvidencePdf | None, *, by: User, now: datetime
) -> None:
    """Commits; a new file is written first and taken away again if the commit fails."""
    if evidence is None:
        db.session.commit()
        return
    replaced = milestone.evidence_stored_name
    milestone.evidence_filename = safe_filename(evidence.filename)
    milestone.evidence_stored_name = secrets.token_hex(16)
    record_audit(
        "milestone.evidence_added",
        by=by,
        object_type="project",
        object_id=milestone.project_id,
        now=now,
        details={"milestone_id": milestone.id, "filename": milestone.evidence_filename},
    )
    path = evidence_path(milestone)
    path.write_bytes(evidence.content)
    try:
        db.session.commit()
    except Exception:
        path.unlink(missing_ok=True)
        raise
    if replaced:
        (upload_folder() / replaced).unlink(missing_ok=True)


# --- KPI reports -------------------------------------------------------------------------


def current_quarter(now: datetime) -> tuple[int, int]:
    """The (year, quarter) it is in Madrid."""
    local = as_madrid(now)
    return local.year, (local.month - 1) // 3 + 1


def save_kpi_report(
    project: Project,
    *,
    year: int,
    quarter: int,
    fields: dict,
    submit: bool = False,
    by: User,
    now: datetime,
    report: KPIReport | None = None,
) -> KPIReport:
    """Saves a quarter's report as a draft (a new one unless `report` is given) or submits it.

    One report per project and quarter: the unique constraint decides, even between two people
    saving at the same instant. A submitted report is locked (a database trigger refuses any
    change too), and a quarter that has not begun cannot be reported on.
    """
    require(policies.can_edit_project(by, project))
    if report is not None and report.is_locked:
        raise KPIReportLocked(
            _(
                "The report for %(quarter)s is submitted and can no longer change.",
                quarter=report.label,
            )
        )
    _check_quarter(year, quarter, now=now)
    if any(fields[name] < 0 for name in COUNTED_KPI_FIELDS):
        raise NegativeKPI(_("Funding, headcount and patents cannot be negative."))
    label = f"{year} Q{quarter}"
    exists_already = KPIReportExists(_("A report for %(quarter)s exists already.", quarter=label))
    moving = report is None or (report.year, report.quarter) != (year, quarter)
    if moving and _has_report(project, year, quarter):
        raise exists_already
    if report is None:
        report = KPIReport(project_id=project.id)
        db.session.add(report)
    report.year, report.quarter = year, quarter
    for name in COUNTED_KPI_FIELDS:
        setattr(report, name, fields[name])
    report.regulatory_milestones = fields["regulatory_milestones"].strip()
    report.clinical_trial_status = ClinicalTrialStatus(fields["clinical_trial_status"])
    report.updated_at = now
    if submit:
        report.status = ReportStatus.SUBMITTED
        report.submitted_at = now
        report.submitted_by_id = by.id
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        if moving:  # someone saved the same quarter in the meantime
            raise exists_already from None
        raise
    record_audit(
        "kpi_report.submitted" if submit else "kpi_report.saved",
        by=by,
        object_type="project",
        object_id=project.id,
        now=now,
        details={"report_id": report.id, "quarter": report.label},
    )
    db.session.commit()
    return report


def _check_quarter(year: int, quarter: int, *, now: datetime) -> None:
    if not 2000 <= year <= 2100:
        raise QuarterOutOfRange(_("The year is between 2000 and 2100."))
    if not 1 <= quarter <= 4:
        raise QuarterOutOfRange(_("The quarter is 1, 2, 3 or 4."))
    if (year, quarter) > current_quarter(now):
        raise QuarterInFuture(
            _(
                "%(quarter)s has not begun yet: report on a quarter that has started.",
                quarter=f"{year} Q{quarter}",
            )
        )


def _has_report(project: Project, year: int, quarter: int) -> bool:
    return db.session.scalar(
        select(
            exists().where(
                KPIReport.project_id == project.id,
                KPIReport.year == year,
                KPIReport.quarter == quarter,
            )
        )
    )
