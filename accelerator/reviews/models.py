"""Reviewer invitations, declared conflicts, assignments, reviews and their scores."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accelerator.accounts.enums import Role
from accelerator.accounts.models import Organisation, User
from accelerator.applications.models import Application
from accelerator.calls.models import RubricCriterion
from accelerator.core.types import UTCDateTime, enum_type
from accelerator.extensions import db
from accelerator.reviews.enums import Recommendation, ReviewStatus


class ReviewerInvitation(db.Model):
    """A manager's invitation to join the reviewer (or mentor) pool, accepted by emailed link."""

    __tablename__ = "reviewer_invitations"
    __table_args__ = (CheckConstraint("role IN ('reviewer', 'mentor')", name="pool_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    role: Mapped[Role] = mapped_column(enum_type(Role, "invitation_role"), default=Role.REVIEWER)
    email: Mapped[str] = mapped_column(String(320), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ConflictDeclaration(db.Model):
    """A conflict of interest with an organisation or one application, with its reason."""

    __tablename__ = "conflict_declarations"
    __table_args__ = (
        CheckConstraint(
            "(organisation_id IS NULL) <> (application_id IS NULL)",
            name="organisation_or_application",
        ),
        # NULLs are distinct in a unique constraint, so each kind gets a partial unique index.
        Index(
            "uq_conflict_declarations_organisation",
            "reviewer_id",
            "organisation_id",
            unique=True,
            sqlite_where=text("organisation_id IS NOT NULL"),
            postgresql_where=text("organisation_id IS NOT NULL"),
        ),
        Index(
            "uq_conflict_declarations_application",
            "reviewer_id",
            "application_id",
            unique=True,
            sqlite_where=text("application_id IS NOT NULL"),
            postgresql_where=text("application_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE")
    )
    reason: Mapped[str] = mapped_column(Text)
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # A reviewer's fourth organisation-level declaration in a blind call's review phase waits
    # for a manager: it already keeps the reviewer away, but removes assignments only once
    # confirmed (see conflicts.declare_conflict).
    awaiting_confirmation: Mapped[bool] = mapped_column(default=False, server_default=false())

    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id], lazy="joined")
    organisation: Mapped[Organisation | None] = relationship(lazy="joined")
    application: Mapped[Application | None] = relationship(lazy="joined")


class Assignment(db.Model):
    """One reviewer asked to review one application. Declining keeps the row for the record."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("application_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    declined_reason: Mapped[str | None] = mapped_column(Text)

    application: Mapped[Application] = relationship(lazy="joined", innerjoin=True)
    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id], lazy="joined", innerjoin=True)
    review: Mapped["Review | None"] = relationship(back_populates="assignment", lazy="select")

    @property
    def is_active(self) -> bool:
        return self.declined_at is None


class Review(db.Model):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[ReviewStatus] = mapped_column(
        enum_type(ReviewStatus, "review_status", 16), default=ReviewStatus.DRAFT
    )
    overall_comment: Mapped[str] = mapped_column(Text, default="")
    recommendation: Mapped[Recommendation | None] = mapped_column(
        enum_type(Recommendation, "recommendation")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    assignment: Mapped[Assignment] = relationship(back_populates="review", lazy="joined")

    scores: Mapped[list["CriterionScore"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_submitted(self) -> bool:
        return self.status == ReviewStatus.SUBMITTED


class CriterionScore(db.Model):
    """A score on the criterion's scale (half points) and the comment that justifies it."""

    __tablename__ = "criterion_scores"
    __table_args__ = (CheckConstraint("score >= 0", name="score_not_negative"),)

    review_id: Mapped[int] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True
    )
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("rubric_criteria.id", ondelete="CASCADE"), primary_key=True
    )
    score: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    comment: Mapped[str] = mapped_column(Text, default="")

    criterion: Mapped[RubricCriterion] = relationship(lazy="joined")


class ReminderSent(db.Model):
    """One reminder per reviewer, call and threshold: running the command again sends nothing."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("reviewer_id", "call_id", "days_before"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    days_before: Mapped[int]
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PublishedRanking(db.Model):
    """An application's place in its call's ranking, and its reviewers' anonymised comments, as
    they stood when the results were published: the published record never changes after."""

    __tablename__ = "published_rankings"

    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True
    )
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # {"raw": {...}, "normalised": {...}}: a RankedApplication's fields but the application.
    ranking: Mapped[dict[str, Any]] = mapped_column(JSON)
    # [{"label": "A", "criteria": {criterion_id: {"score", "comment"}}, "overall_comment"}]
    comments: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
