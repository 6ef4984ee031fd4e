"""A manager's decision on an application, and the decision letters of a call."""

from datetime import datetime

from sqlalchemy import ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accelerator.accounts.models import User
from accelerator.applications.models import Application
from accelerator.core.types import UTCDateTime, enum_type
from accelerator.extensions import db
from accelerator.selection.enums import Outcome


class Decision(db.Model):
    """The current outcome of an application, with the manager's internal note."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), unique=True
    )
    outcome: Mapped[Outcome] = mapped_column(enum_type(Outcome, "outcome", 16))
    note: Mapped[str] = mapped_column(Text, default="")
    # Why a manager let an organisation that already has an active project have another one.
    second_project_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    application: Mapped[Application] = relationship(lazy="joined", innerjoin=True)
    decided_by: Mapped[User | None] = relationship(lazy="joined")


class DecisionLetter(db.Model):
    """The editable letter of one outcome in one call; placeholders are filled when sent."""

    __tablename__ = "decision_letters"
    __table_args__ = (UniqueConstraint("call_id", "outcome"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    outcome: Mapped[Outcome] = mapped_column(enum_type(Outcome, "letter_outcome", 16))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
