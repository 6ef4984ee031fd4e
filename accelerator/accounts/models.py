"""People, their roles and their organisations."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accelerator.accounts.enums import GuardedField, OrganisationKind, Role
from accelerator.core.types import UTCDateTime, enum_type, enum_values
from accelerator.extensions import db


class Organisation(db.Model):
    """A startup, spin-off or research group; its members apply together."""

    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint(
            "founding_year IS NULL OR (founding_year >= 1800 AND founding_year <= 2100)",
            name="founding_year_plausible",
        ),
        CheckConstraint("email_domain = lower(email_domain)", name="email_domain_lowercase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    legal_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrganisationKind] = mapped_column(
        Enum(
            OrganisationKind,
            name="organisation_kind",
            native_enum=False,
            create_constraint=True,
            values_callable=enum_values,
            length=32,
        )
    )
    vat_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    country: Mapped[str] = mapped_column(String(2))
    city: Mapped[str] = mapped_column(String(120))
    founding_year: Mapped[int | None]
    website: Mapped[str | None] = mapped_column(String(300))
    email_domain: Mapped[str | None] = mapped_column(String(200), index=True)

    members: Mapped[list["User"]] = relationship(
        back_populates="organisation", lazy="raise", order_by="User.name"
    )


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint("failed_login_count >= 0", name="failed_login_count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(default=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    # Lockout state lives here so that every worker sees the same count.
    failed_login_count: Mapped[int] = mapped_column(default=0)
    first_failed_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation | None] = relationship(
        back_populates="members", lazy="joined"
    )
    role_grants: Mapped[list["RoleGrant"]] = relationship(
        back_populates="user", lazy="selectin", cascade="all, delete-orphan"
    )
    expertise: Mapped[list["UserExpertise"]] = relationship(
        lazy="raise", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def roles(self) -> set[Role]:
        return {grant.role for grant in self.role_grants}

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None


class RoleGrant(db.Model):
    """One role held by one user; a user may hold several."""

    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(
        Enum(
            Role,
            name="role",
            native_enum=False,
            create_constraint=True,
            values_callable=enum_values,
            length=32,
        )
    )
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(back_populates="role_grants")


class UserExpertise(db.Model):
    __tablename__ = "user_expertise"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(64), primary_key=True)


class OrganisationInvitation(db.Model):
    """A member's invitation of a colleague, by email, to join their organisation."""

    __tablename__ = "organisation_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id], lazy="joined")


class OrganisationChange(db.Model):
    """A member's change to a detail conflict detection reads, and a manager's decision on it."""

    __tablename__ = "organisation_changes"
    __table_args__ = (
        CheckConstraint("(decided_at IS NULL) = (accepted IS NULL)", name="decided_with_outcome"),
        # One change per detail waits at a time: a second would hide what the first asked.
        Index(
            "uq_organisation_changes_pending",
            "organisation_id",
            "field",
            unique=True,
            sqlite_where=text("decided_at IS NULL"),
            postgresql_where=text("decided_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    field: Mapped[GuardedField] = mapped_column(enum_type(GuardedField, "guarded_field"))
    old_value: Mapped[str | None] = mapped_column(String(200))
    new_value: Mapped[str | None] = mapped_column(String(200))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted: Mapped[bool | None]

    organisation: Mapped[Organisation] = relationship(lazy="joined", innerjoin=True)
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id], lazy="joined")
