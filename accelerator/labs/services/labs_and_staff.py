"""A lab's details, and the lab managers attached to it (who then manage it)."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from accelerator.accounts.enums import Role
from accelerator.accounts.models import User
from accelerator.core.errors import DomainError
from accelerator.core.policies import require
from accelerator.extensions import db
from accelerator.labs import policies, queries
from accelerator.labs.models import Lab, LabStaff, Resource
from accelerator.labs.services.managing import (
    DetailMissing,
    audit_lab,
    flush_unique,
    require_manager,
)
from accelerator.mentoring.feeds import revoke_resource_feeds


class LabNameTaken(DomainError):
    pass


class NotALabManager(DomainError):
    pass


class AlreadyOnStaff(DomainError):
    pass


@dataclass(frozen=True)
class LabDetails:
    name: str
    address: str = ""
    contact_email: str = ""
    contact_phone: str = ""


def create_lab(*, details: LabDetails, by: User, now: datetime) -> Lab:
    """A new partner lab, with no opening hours until its managers set them. Only programme
    managers create labs (a new lab has no staff to manage it)."""
    require(policies.can_manage_lab(by, is_staff=False))
    _check_details(details, lab_id=None)
    lab = Lab(created_at=now)
    _apply_details(lab, details)
    db.session.add(lab)
    flush_unique(LabNameTaken(_("Another lab has this name.")))
    audit_lab("lab.created", lab.id, by=by, now=now, details={"name": lab.name})
    db.session.commit()
    return lab


def update_lab(lab: Lab, *, details: LabDetails, by: User, now: datetime) -> Lab:
    require_manager(by, lab.id)
    _check_details(details, lab_id=lab.id)
    _apply_details(lab, details)
    flush_unique(LabNameTaken(_("Another lab has this name.")))
    audit_lab("lab.updated", lab.id, by=by, now=now, details={"name": lab.name})
    db.session.commit()
    return lab


def attach_lab_manager(lab: Lab, *, user: User, by: User, now: datetime) -> LabStaff:
    """The person manages this lab from now on; they must hold the lab manager role."""
    require(policies.can_attach_staff(by))
    if not user.has_role(Role.LAB_MANAGER):
        raise NotALabManager(_("%(name)s is not a lab manager.", name=user.name))
    if db.session.scalar(queries.staff_membership(lab.id, user.id)) is not None:
        raise AlreadyOnStaff(_("%(name)s already manages this lab.", name=user.name))
    staff = LabStaff(lab_id=lab.id, user_id=user.id, attached_at=now)
    db.session.add(staff)
    flush_unique(AlreadyOnStaff(_("%(name)s already manages this lab.", name=user.name)))
    audit_lab("lab.staff_attached", lab.id, by=by, now=now, details={"user_id": user.id})
    db.session.commit()
    return staff


def detach_lab_manager(staff: LabStaff, *, by: User, now: datetime) -> None:
    """The manager no longer manages the lab; the lab's resource feeds get new addresses, since
    the old ones (which the manager may have subscribed to) show every project's bookings."""
    require(policies.can_attach_staff(by))
    lab_id, user_id = staff.lab_id, staff.user_id
    db.session.delete(staff)
    revoke_resource_feeds(
        list(db.session.scalars(select(Resource.id).where(Resource.lab_id == lab_id)))
    )
    audit_lab("lab.staff_detached", lab_id, by=by, now=now, details={"user_id": user_id})
    db.session.commit()


def _check_details(details: LabDetails, *, lab_id: int | None) -> None:
    name = details.name.strip()
    if not name:
        raise DetailMissing(_("Enter the lab's name."))
    taken = db.session.scalar(queries.lab_named(name))
    if taken is not None and taken != lab_id:
        raise LabNameTaken(_("Another lab has this name."))


def _apply_details(lab: Lab, details: LabDetails) -> None:
    lab.name = details.name.strip()
    lab.address = details.address.strip()
    lab.contact_email = details.contact_email.strip().lower()
    lab.contact_phone = details.contact_phone.strip()
