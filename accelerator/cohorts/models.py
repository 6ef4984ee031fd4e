"""A selected application's project: milestones, TRL history and quarterly KPI reports."""

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accelerator.accounts.models import Organisation, User
from accelerator.applications.enums import ATMPClass, TherapeuticArea
from accelerator.applications.models import Application
from accelerator.calls.models import Call
from accelerator.cohorts.enums import (
    ClinicalTrialStatus,
    MilestoneStatus,
    ProjectStatus,
    ReportStatus,
)
from accelerator.core.types import UTCDateTime, enum_type
from accelerator.extensions import db

ONE_ACTIVE_PER_ORGANISATION = text("status = 'active' AND second_project_reason IS NULL")


class Project(db.Model):
    """Created when an application is selected; its cohort is the call's year.

    An organisation has one active project, unless a manager allowed another one with a reason.
    """

    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint("entry_trl BETWEEN 1 AND 9", name="entry_trl_range"),
        CheckConstraint("current_trl BETWEEN 1 AND 9", name="current_trl_range"),
        Index(
            "uq_projects_one_active_per_organisation",
            "organisation_id",
            unique=True,
            sqlite_where=ONE_ACTIVE_PER_ORGANISATION,
            postgresql_where=ONE_ACTIVE_PER_ORGANISATION,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    cohort_year: Mapped[int] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(200))
    acronym: Mapped[str] = mapped_column(String(20), default="")
    atmp_class: Mapped[ATMPClass | None] = mapped_column(enum_type(ATMPClass, "project_atmp_class"))
    therapeutic_area: Mapped[TherapeuticArea | None] = mapped_column(
        enum_type(TherapeuticArea, "project_therapeutic_area")
    )
    entry_trl: Mapped[int]
    current_trl: Mapped[int]
    status: Mapped[ProjectStatus] = mapped_column(
        enum_type(ProjectStatus, "project_status", 16), default=ProjectStatus.ACTIVE
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    second_project_reason: Mapped[str | None] = mapped_column(Text)

    application: Mapped[Application] = relationship(lazy="raise")
    call: Mapped[Call] = relationship(lazy="joined", innerjoin=True)
    organisation: Mapped[Organisation] = relationship(lazy="joined", innerjoin=True)

    @property
    def label(self) -> str:
        """How every list and picker names the project, "RETIGENE (cohort 2024)": two projects
        of one organisation, or with one acronym, differ by their cohort."""
        return self.short_label()

    def short_label(self, length: int | None = None) -> str:
        """The label with the name cut to fit `length` characters (a chart's), the cohort kept."""
        name = self.acronym or self.title
        if length is not None:
            room = length - len(cohort_label(name="", year=self.cohort_year))
            name = name if len(name) <= room else name[: max(room - 1, 1)] + "…"
        return cohort_label(name=name, year=self.cohort_year)


def cohort_label(*, name: str, year: int) -> str:
    """A project's name with its cohort; also names an application selected for one."""
    return _("%(name)s (cohort %(year)d)", name=name, year=year)


class TRLChange(db.Model):
    __tablename__ = "trl_changes"
    __table_args__ = (CheckConstraint("trl BETWEEN 1 AND 9", name="trl_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    trl: Mapped[int]
    note: Mapped[str] = mapped_column(Text, default="")
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    changed_by: Mapped[User | None] = relationship(lazy="raise")


class Milestone(db.Model):
    __tablename__ = "milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date]
    status: Mapped[MilestoneStatus] = mapped_column(
        enum_type(MilestoneStatus, "milestone_status", 16), default=MilestoneStatus.PLANNED
    )
    evidence_note: Mapped[str] = mapped_column(Text, default="")
    evidence_filename: Mapped[str | None] = mapped_column(String(255))
    evidence_stored_name: Mapped[str | None] = mapped_column(String(64), unique=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    project: Mapped[Project] = relationship(lazy="raise")

    @property
    def has_evidence_file(self) -> bool:
        return self.evidence_stored_name is not None

    def is_overdue(self, today: date) -> bool:
        """Past its due date and not done."""
        return self.due_date < today and self.status != MilestoneStatus.DONE


class KPIReport(db.Model):
    """One report per project and quarter; submitted reports are locked (a trigger refuses)."""

    __tablename__ = "kpi_reports"
    __table_args__ = (
        UniqueConstraint("project_id", "year", "quarter"),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_range"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_plausible"),
        CheckConstraint(
            "status <> 'submitted' OR submitted_at IS NOT NULL", name="submitted_has_time"
        ),
        CheckConstraint("funding_raised_cents >= 0", name="funding_not_negative"),
        CheckConstraint("headcount >= 0", name="headcount_not_negative"),
        CheckConstraint("patents_filed >= 0", name="patents_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int]
    quarter: Mapped[int]
    funding_raised_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    headcount: Mapped[int] = mapped_column(default=0)
    patents_filed: Mapped[int] = mapped_column(default=0)
    regulatory_milestones: Mapped[str] = mapped_column(Text, default="")
    clinical_trial_status: Mapped[ClinicalTrialStatus] = mapped_column(
        enum_type(ClinicalTrialStatus, "clinical_trial_status", 16),
        default=ClinicalTrialStatus.NONE,
    )
    status: Mapped[ReportStatus] = mapped_column(
        enum_type(ReportStatus, "report_status", 16), default=ReportStatus.DRAFT
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    submitted_by: Mapped[User | None] = relationship(lazy="raise")

    @property
    def is_locked(self) -> bool:
        return self.status == ReportStatus.SUBMITTED

    @property
    def label(self) -> str:
        return f"{self.year} Q{self.quarter}"
