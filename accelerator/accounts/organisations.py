"""Rules for organisations: creating, editing, inviting colleagues and joining."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accelerator.accounts import organisation_changes, policies, tokens
from accelerator.accounts.invitations import (
    pending_invitation,
    require_invitee,
)
from accelerator.accounts.models import (
    Organisation,
    OrganisationChange,
    OrganisationInvitation,
    User,
)
from accelerator.accounts.services import normalise_email
from accelerator.core import events
from accelerator.core.audit import record_audit
from accelerator.core.errors import DomainError
from accelerator.core.mail import queue_email
from accelerator.core.policies import require
from accelerator.extensions import db


class AlreadyInOrganisation(DomainError):
    pass


class VatIdTaken(DomainError):
    pass


def create_organisation(*, by: User, now: datetime, **fields) -> Organisation:
    """Creates an organisation with its creator as first member."""
    require(policies.can_create_organisation(by))
    organisation = Organisation(created_at=now, **_clean_organisation_fields(fields))
    db.session.add(organisation)
    _flush_organisation()
    by.organisation_id = organisation.id
    record_audit(
        "organisation.created",
        by=by,
        object_type="organisation",
        object_id=organisation.id,
        now=now,
    )
    db.session.commit()
    return organisation


def update_organisation(
    organisation: Organisation, *, by: User, now: datetime, **fields
) -> list[OrganisationChange]:
    """Saves the details at once, except a member's change to what conflict detection reads
    once the organisation has a submitted application: that waits for a programme manager
    (returned). The audit entry records each detail's old and new value."""
    require(policies.can_edit_organisation(by, organisation))
    cleaned = _clean_organisation_fields(fields)
    waiting = organisation_changes.guarded_changes(organisation, cleaned, by=by)
    applied = {}
    for name, value in cleaned.items():
        old = getattr(organisation, name)
        if value != old and name not in {field.value for field in waiting}:
            applied[name] = {"old": old, "new": value}
            setattr(organisation, name, value)
    _flush_organisation()
    requested = organisation_changes.request_changes(organisation, waiting, by=by, now=now)
    record_audit(
        "organisation.updated",
        by=by,
        object_type="organisation",
        object_id=organisation.id,
        now=now,
        details={"changes": applied},
    )
    if applied.keys() & organisation_changes.GUARDED_FIELDS:
        events.publish(
            events.ORGANISATION_DETAILS_CHANGED, organisation=organisation, by=by, now=now
        )
    db.session.commit()
    return requested


def invite_to_organisation(
    organisation: Organisation, *, email: str, by: User, now: datetime
) -> OrganisationInvitation:
    require(policies.can_invite_to_organisation(by, organisation))
    invitation = OrganisationInvitation(
        created_at=now,
        organisation_id=organisation.id,
        email=normalise_email(email),
        invited_by_id=by.id,
    )
    db.session.add(invitation)
    db.session.flush()
    token = tokens.make_token(tokens.JOIN_ORGANISATION, {"invitation": invitation.id}, now=now)
    queue_email(
        invitation.email,
        _(
            "%(name)s invites you to join %(organisation)s",
            name=by.name,
            organisation=organisation.legal_name,
        ),
        "organisation_invitation",
        now=now,
        inviter=by,
        organisation=organisation,
        token=token,
    )
    record_audit(
        "organisation.member_invited",
        by=by,
        object_type="organisation",
        object_id=organisation.id,
        now=now,
        details={"email": invitation.email},
    )
    db.session.commit()
    return invitation


def invitation_for_token(token: str, *, now: datetime) -> OrganisationInvitation:
    return pending_invitation(OrganisationInvitation, tokens.JOIN_ORGANISATION, token, now=now)


def accept_invitation(token: str, *, by: User, now: datetime) -> Organisation:
    """Joins the invited organisation; a person belongs to one organisation at a time."""
    invitation = invitation_for_token(token, now=now)
    require_invitee(invitation, by)
    if by.organisation_id is not None:
        raise AlreadyInOrganisation(
            _("You already belong to an organisation; leave it before joining another.")
        )
    invitation.accepted_at = now
    invitation.accepted_by_id = by.id
    by.organisation_id = invitation.organisation_id
    record_audit(
        "organisation.member_joined",
        by=by,
        object_type="organisation",
        object_id=invitation.organisation_id,
        now=now,
    )
    # The newcomer may put a reviewer in conflict: a reviewer themself, or sharing a domain.
    events.publish(events.MEMBER_JOINED, user=by, by=by, now=now)
    db.session.commit()
    return invitation.organisation


def _clean_organisation_fields(fields: dict) -> dict:
    cleaned = dict(fields)
    if cleaned.get("email_domain"):
        cleaned["email_domain"] = cleaned["email_domain"].strip().lower().lstrip("@")
    if cleaned.get("country"):
        cleaned["country"] = cleaned["country"].strip().upper()
    if cleaned.get("vat_id"):
        cleaned["vat_id"] = cleaned["vat_id"].replace(" ", "").upper()
    return {
        name: (value or None) if isinstance(value, str) else value
        for name, value in cleaned.items()
    }


def _flush_organisation() -> None:
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise VatIdTaken(
            _("Another organisation is already registered with this VAT/CIF number.")
        ) from error


def members_of(organisation: Organisation) -> list[User]:
    query = select(User).where(User.organisation_id == organisation.id).order_by(User.name)
    return list(db.session.scalars(query).unique())
