"""A programme, its annual calls, each call's rubric and eligibility questions."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Enum,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accelerator.calls.enums import CallStatus
from accelerator.core.types import UTCDateTime, enum_values
from accelerator.extensions import db


class Programme(db.Model):
    __tablename__ = "programmes"
    __table_args__ = (
        CheckConstraint("selection_cap > 0", name="selection_cap_positive"),
        CheckConstraint("number_of_calls > 0", name="number_of_calls_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    name: Mapped[str] = mapped_column(String(200), unique=True)
    selection_cap: Mapped[int] = mapped_column(default=18)
    number_of_calls: Mapped[int] = mapped_column(default=3)

    @property
    def default_quota(self) -> int:
        return self.selection_cap // self.number_of_calls


class Call(db.Model):
    """One annual call. Times are UTC; the server's clock decides what has passed."""

    __tablename__ = "calls"
    __table_args__ = (
        UniqueConstraint("programme_id", "year"),
        CheckConstraint("opens_at < closes_at", name="opens_before_closing"),
        CheckConstraint("closes_at < review_deadline", name="closes_before_review_deadline"),
        CheckConstraint("selection_quota >= 0", name="selection_quota_not_negative"),
        CheckConstraint(
            "reviews_per_application BETWEEN 1 AND 10", name="reviews_per_application_range"
        ),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_plausible"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    year: Mapped[int]
    description: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    review_deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    selection_quota: Mapped[int]
    reviews_per_application: Mapped[int] = mapped_column(default=3)
    blind_review: Mapped[bool] = mapped_column(default=False)
    show_scores_to_applicants: Mapped[bool] = mapped_column(default=False)
    # The programme office may end the review phase before the deadline (to publish sooner).
    review_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    results_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[CallStatus] = mapped_column(
        Enum(
            CallStatus,
            name="call_status",
            native_enum=False,
            create_constraint=True,
            values_callable=enum_values,
            length=16,
        ),
        default=CallStatus.DRAFT,
    )

    programme: Mapped[Programme] = relationship(lazy="joined")
    # Loaded when a page reads them, so that lists of calls or applications skip them.
    criteria: Mapped[list["RubricCriterion"]] = relationship(
        order_by="RubricCriterion.position", cascade="all, delete-orphan"
    )
    eligibility_questions: Mapped[list["EligibilityQuestion"]] = relationship(
        order_by="EligibilityQuestion.position", cascade="all, delete-orphan"
    )

    def status_at(self, now: datetime) -> CallStatus:
        """The stored status, except that an open call is closed once closes_at has passed."""
        if self.status == CallStatus.OPEN and now >= self.closes_at:
            return CallStatus.CLOSED
        return self.status

    def is_accepting_applications(self, now: datetime) -> bool:
        return self.status == CallStatus.OPEN and self.opens_at <= now < self.closes_at

    def is_upcoming(self, now: datetime) -> bool:
        return self.status == CallStatus.OPEN and now < self.opens_at

    @property
    def rubric_weight_total(self) -> int:
        return sum(criterion.weight for criterion in self.criteria)


class RubricCriterion(db.Model):
    __tablename__ = "rubric_criteria"
    __table_args__ = (
        UniqueConstraint("call_id", "position"),
        CheckConstraint("weight BETWEEN 1 AND 100", name="weight_range"),
        CheckConstraint("scale_max > 0", name="scale_max_positive"),
        CheckConstraint("scale_step > 0", name="scale_step_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[int]
    scale_max: Mapped[Decimal] = mapped_column(Numeric(4, 1), default=Decimal("5"))
    scale_step: Mapped[Decimal] = mapped_column(Numeric(3, 1), default=Decimal("0.5"))


class EligibilityQuestion(db.Model):
    """A yes/no question; an application qualifies when it gives the qualifying answer."""

    __tablename__ = "eligibility_questions"
    __table_args__ = (UniqueConstraint("call_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(String(500))
    qualifying_answer: Mapped[bool] = mapped_column(default=True)
