"""The reviewer pool: managers invite by email; accepting creates the account or adds the role."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from accelerator.accounts import tokens
from accelerator.accounts.enums import Role
from accelerator.accounts.invitations import (
    pending_invitation,
    require_invitee,
)
from accelerator.accounts.models import RoleGrant, User
from accelerator.accounts.passwords import hash_password
from accelerator.accounts.services import (
    EmailTaken,
    check_password,
    find_user_by_email,
    normalise_email,
)
from accelerator.core.audit import record_audit
from accelerator.core.mail import queue_email
from accelerator.core.policies import require
from accelerator.extensions import db
from accelerator.reviews import policies
from accelerator.reviews.models import ReviewerInvitation


def invite_reviewer(email: str, *, by: User, now: datetime) -> ReviewerInvitation:
    require(policies.can_manage_reviews(by))
    invitation = ReviewerInvitation(
        created_at=now, email=normalise_email(email), invited_by_id=by.id
    )
    db.session.add(invitation)
    db.session.flush()
    token = tokens.make_token(tokens.JOIN_REVIEWER_POOL, {"invitation": invitation.id}, now=now)
    queue_email(
        invitation.email,
        _("Invitation to review for ATMP Catalyst"),
        "reviewer_invitation",
        now=now,
        inviter=by,
        token=token,
        has_account=find_user_by_email(invitation.email) is not None,
    )
    record_audit(
        "reviewer.invited",
        by=by,
        object_type="reviewer_invitation",
        object_id=invitation.id,
        now=now,
        details={"email": invitation.email},
    )
    db.session.commit()
    return invitation


def invitation_for_token(token: str, *, now: datetime) -> ReviewerInvitation:
    return pending_invitation(ReviewerInvitation, tokens.JOIN_REVIEWER_POOL, token, now=now)


def accept_as_existing_user(token: str, *, by: User, now: datetime) -> None:
    """The signed-in person to whom the invitation was sent gains the reviewer role."""
    invitation = invitation_for_token(token, now=now)
    require_invitee(invitation, by)
    _accept(invitation, by, now=now)
    db.session.commit()


def accept_with_new_account(token: str, *, name: str, password: str, now: datetime) -> User:
    """Creates a confirmed reviewer account: following the emailed link proved the address."""
    invitation = invitation_for_token(token, now=now)
    if find_user_by_email(invitation.email) is not None:
        raise EmailTaken(_("An account with this address exists: sign in to accept."))
    check_password(password)
    user = User(
        created_at=now,
        email=invitation.email,
        name=name.strip(),
        password_hash=hash_password(password),
        email_confirmed_at=now,
    )
    db.session.add(user)
    db.session.flush()
    _accept(invitation, user, now=now)
    db.session.commit()
    return user


def _accept(invitation: ReviewerInvitation, user: User, *, now: datetime) -> None:
    invitation.accepted_at = now
    invitation.accepted_by_id = user.id
    if not user.has_role(Role.REVIEWER):
        user.role_grants.append(RoleGrant(role=Role.REVIEWER, granted_at=now))
        db.session.flush()
        record_audit(
            "role.granted",
            by=user,
            object_type="user",
            object_id=user.id,
            now=now,
            details={"role": Role.REVIEWER.value, "via": "reviewer invitation"},
        )


def reviewer_pool() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(RoleGrant, RoleGrant.user_id == User.id)
            .where(RoleGrant.role == Role.REVIEWER)
            .order_by(User.name)
        ).unique()
    )


def pending_invitations() -> list[ReviewerInvitation]:
    return list(
        db.session.scalars(
            select(ReviewerInvitation)
            .where(ReviewerInvitation.accepted_at.is_(None))
            .order_by(ReviewerInvitation.created_at.desc())
        )
    )
