"""The trainings a lab gives, and the authorisations it records: who may operate what a
training covers, and until when."""

from datetime import date, datetime

from flask_babel import gettext as _

from accelerator.accounts.models import User
from accelerator.core.clock import add_months
from accelerator.core.errors import DomainError
from accelerator.extensions import db
from accelerator.labs import queries
from accelerator.labs.models import Authorisation, Lab, Training
from accelerator.labs.services.managing import (
    DetailMissing,
    audit_lab,
    flush_unique,
    require_manager,
)

MOST_VALIDITY_MONTHS = 120


class TrainingNameTaken(DomainError):
    pass


class ValidityOutOfRange(DomainError):
    pass


class NoSuchPerson(DomainError):
    pass


class ExpiryBeforeGrant(DomainError):
    pass


def add_training(lab: Lab, *, name: str, validity_months: int, by: User, now: datetime) -> Training:
    """A training the lab gives; an authorisation for it lasts `validity_months` by default."""
    require_manager(by, lab.id)
    name = name.strip()
    if not name:
        raise DetailMissing(_("Enter the training's name."))
    if not 1 <= validity_months <= MOST_VALIDITY_MONTHS:
        raise ValidityOutOfRange(
            _("The validity goes from 1 to %(most)d months.", most=MOST_VALIDITY_MONTHS)
        )
    if db.session.scalar(queries.training_named(lab.id, name)) is not None:
        raise TrainingNameTaken(_("This lab already has a training with this name."))
    training = Training(lab_id=lab.id, name=name, validity_months=validity_months)
    db.session.add(training)
    flush_unique(TrainingNameTaken(_("This lab already has a training with this name.")))
    audit_lab("lab.training_added", lab.id, by=by, now=now, details={"training_id": training.id})
    db.session.commit()
    return training


def record_authorisation(
    training: Training,
    *,
    email: str,
    granted_on: date,
    expires_on: date | None = None,
    by: User,
    now: datetime,
) -> Authorisation:
    """The person (a registered user, found by email) may operate what the training covers
    from `granted_on` to `expires_on`, both included; without an expiry, the training's
    validity from the date (12 months unless the lab set otherwise)."""
    require_manager(by, training.lab_id)
    person = db.session.scalar(queries.user_by_email(email.strip().lower()))
    if person is None or not person.active:
        raise NoSuchPerson(_("No one with this email is registered."))
    if expires_on is None:
        expires_on = add_months(granted_on, training.validity_months)
    if expires_on < granted_on:
        raise ExpiryBeforeGrant(_("The expiry cannot be before the date of the training."))
    authorisation = Authorisation(
        training_id=training.id,
        user_id=person.id,
        granted_on=granted_on,
        expires_on=expires_on,
        recorded_at=now,
        recorded_by_id=by.id,
    )
    db.session.add(authorisation)
    db.session.flush()
    audit_lab(
        "lab.authorisation_recorded",
        training.lab_id,
        by=by,
        now=now,
        details={
            "authorisation_id": authorisation.id,
            "training_id": training.id,
            "user_id": person.id,
            "expires_on": expires_on.isoformat(),
        },
    )
    db.session.commit()
    return authorisation


def remove_authorisation(authorisation: Authorisation, *, by: User, now: datetime) -> None:
    """Withdrawn (or recorded by mistake): bookings already made stand."""
    lab_id = authorisation.training.lab_id
    require_manager(by, lab_id)
    details = {"authorisation_id": authorisation.id, "user_id": authorisation.user_id}
    db.session.delete(authorisation)
    audit_lab("lab.authorisation_removed", lab_id, by=by, now=now, details=details)
    db.session.commit()
