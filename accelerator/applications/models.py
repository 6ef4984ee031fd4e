"""An organisation's application to a call, its attachments and submitted snapshots."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accelerator.accounts.models import Organisation, User
from accelerator.applications.enums import (
    ApplicationStatus,
    ATMPClass,
    AttachmentKind,
    CellSource,
    DevelopmentStage,
    GMPReadiness,
    IPStatus,
    ManufacturingModel,
    RegulatoryProgress,
    TherapeuticArea,
)
from accelerator.calls.models import Call, EligibilityQuestion
from accelerator.core.types import UTCDateTime, enum_type
from accelerator.extensions import db

DECIDED = (ApplicationStatus.SELECTED, ApplicationStatus.WAITLISTED, ApplicationStatus.REJECTED)


def _regulatory_column(name: str):
    return mapped_column(
        enum_type(RegulatoryProgress, f"{name}_progress", 16), default=RegulatoryProgress.NONE
    )


class Application(db.Model):
    """The working copy an organisation edits; each submission is kept as a snapshot."""

    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("call_id", "organisation_id"),
        CheckConstraint("trl IS NULL OR trl BETWEEN 1 AND 9", name="trl_range"),
        CheckConstraint(
            "funding_raised_cents IS NULL OR funding_raised_cents >= 0",
            name="funding_raised_not_negative",
        ),
        CheckConstraint(
            "funding_sought_cents IS NULL OR funding_sought_cents >= 0",
            name="funding_sought_not_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_type(ApplicationStatus, "application_status", 16),
        default=ApplicationStatus.DRAFT,
        index=True,
    )
    eligibility_reason: Mapped[str | None] = mapped_column(Text)

    title: Mapped[str] = mapped_column(String(200), default="")
    acronym: Mapped[str] = mapped_column(String(20), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    unmet_need: Mapped[str] = mapped_column(Text, default="")
    innovation: Mapped[str] = mapped_column(Text, default="")
    development_plan: Mapped[str] = mapped_column(Text, default="")
    team: Mapped[str] = mapped_column(Text, default="")
    programme_use: Mapped[str] = mapped_column(Text, default="")

    atmp_class: Mapped[ATMPClass | None] = mapped_column(enum_type(ATMPClass, "atmp_class"))
    cell_source: Mapped[CellSource | None] = mapped_column(enum_type(CellSource, "cell_source"))
    therapeutic_area: Mapped[TherapeuticArea | None] = mapped_column(
        enum_type(TherapeuticArea, "therapeutic_area")
    )
    target_indication: Mapped[str] = mapped_column(String(200), default="")
    development_stage: Mapped[DevelopmentStage | None] = mapped_column(
        enum_type(DevelopmentStage, "development_stage")
    )
    trl: Mapped[int | None]

    orphan_designation: Mapped[RegulatoryProgress] = _regulatory_column("orphan_designation")
    prime: Mapped[RegulatoryProgress] = _regulatory_column("prime")
    atmp_classification: Mapped[RegulatoryProgress] = _regulatory_column("atmp_classification")
    scientific_advice: Mapped[RegulatoryProgress] = _regulatory_column("scientific_advice")
    hospital_exemption: Mapped[RegulatoryProgress] = _regulatory_column("hospital_exemption")

    gmp_readiness: Mapped[GMPReadiness | None] = mapped_column(
        enum_type(GMPReadiness, "gmp_readiness")
    )
    manufacturing_model: Mapped[ManufacturingModel | None] = mapped_column(
        enum_type(ManufacturingModel, "manufacturing_model")
    )
    ip_status: Mapped[IPStatus | None] = mapped_column(enum_type(IPStatus, "ip_status"))
    funding_raised_cents: Mapped[int | None] = mapped_column(BigInteger)
    funding_sought_cents: Mapped[int | None] = mapped_column(BigInteger)
    mentoring_topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    lab_capabilities: Mapped[list[str]] = mapped_column(JSON, default=list)

    call: Mapped[Call] = relationship(lazy="joined", innerjoin=True)
    organisation: Mapped[Organisation] = relationship(lazy="joined", innerjoin=True)
    created_by: Mapped[User | None] = relationship(lazy="raise")
    eligibility_answers: Mapped[list["EligibilityAnswer"]] = relationship(
        cascade="all, delete-orphan", lazy="raise"
    )
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="application", order_by="Attachment.uploaded_at", lazy="raise"
    )
    submissions: Mapped[list["Submission"]] = relationship(
        order_by="Submission.number", lazy="raise"
    )

    @property
    def status_for_applicants(self) -> ApplicationStatus:
        """Decisions stay internal until the call's results are published."""
        if self.status in DECIDED and self.call.results_published_at is None:
            return ApplicationStatus.UNDER_REVIEW
        return self.status


class EligibilityAnswer(db.Model):
    __tablename__ = "eligibility_answers"

    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("eligibility_questions.id", ondelete="CASCADE"), primary_key=True
    )
    answer: Mapped[bool]

    question: Mapped[EligibilityQuestion] = relationship(lazy="joined")


class Submission(db.Model):
    """What was submitted, as submitted. Never updated: a database trigger refuses it."""

    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("application_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    number: Mapped[int]
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)

    submitted_by: Mapped[User | None] = relationship(lazy="joined")


class Attachment(db.Model):
    """A PDF stored outside static/ under a generated name.

    Removing or replacing one only marks it removed: a submitted snapshot may still name it.
    """

    __tablename__ = "attachments"
    __table_args__ = (CheckConstraint("size_bytes > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[AttachmentKind] = mapped_column(enum_type(AttachmentKind, "attachment_kind"))
    original_filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    application: Mapped[Application] = relationship(
        back_populates="attachments", lazy="joined", innerjoin=True
    )
