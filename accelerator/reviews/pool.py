"""The reviewer and mentor pools: managers invite by email; accepting creates the account or
adds the role the invitation names."""

from collections.abc import Callable
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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
from accelerator.mentoring.policies import can_manage_mentoring
from accelerator.reviews import policies
from accelerator.reviews.models import ReviewerInvitation

# Who may invite to each pool: the managers of the area the pool serves.
MAY_INVITE: dict[Role, Callable[[User], bool]] = {
    Role.REVIEWER: policies.can_manage_reviews,
    Role.MENTOR: can_manage_mentoring,
}
INVITATION_SUBJECTS = {
    Role.REVIEWER: _l("Invitation to review for ATMP Catalyst"),
    Role.MENTOR: _l("Invitation to mentor for ATMP Catalyst"),
}


def invite_to_pool(email: str, *, role: Role, by: User, now: datetime) -> ReviewerInvitation:
    """Emails a link that adds the role to the person at that address, creating their account
    if they have none: the pools are filled by the managers of the areas they serve."""
    require(MAY_INVITE[role](by))
    invitation = ReviewerInvitation(
        created_at=now, role=role, email=normalise_email(email), invited_by_id=by.id
    )
    db.session.add(invitation)
    db.session.flush()
    token = tokens.make_token(tokens.JOIN_REVIEWER_POOL, {"invitation": invitation.id}, now=now)
    queue_email(
        invitation.email,
        str(INVITATION_SUBJECTS[role]),
        "reviewer_invitation",
        now=now,
        role=role,
        inviter=by,
        token=token,
        has_account=find_user_by_email(invitation.email) is not None,
    )
    record_audit(
        f"{role.value}.invited",
        by=by,
        object_type="reviewer_invitation",
        object_id=invitation.id,
        now=now,
        details={"email": invitation.email},
    )
    db.session.commit()
    return invitation


def invite_reviewer(email: str, *, by: User, now: datetime) -> ReviewerInvitation:
    return invite_to_pool(email, role=Role.REVIEWER, by=by, now=now)


def invitation_for_token(token: str, *, now: datetime) -> ReviewerInvitation:
    return pending_invitation(ReviewerInvitation, tokens.JOIN_REVIEWER_POOL, token, now=now)


def accept_as_existing_user(token: str, *, by: User, now: datetime) -> None:
    """The signed-in person to whom the invitation was sent gains the invitation's role."""
    invitation = invitation_for_token(token, now=now)
    require_invitee(invitation, by)
    _accept(invitation, by, now=now)
    db.session.commit()


def accept_with_new_account(token: str, *, name: str, password: str, now: datetime) -> User:
    """Creates a confirmed account with the invitation's role: following the emailed link
    proved the address."""
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
    role = invitation.role
    if not user.has_role(role):
        user.role_grants.append(RoleGrant(role=role, granted_at=now))
        db.session.flush()
        record_audit(
            "role.granted",
            by=user,
            object_type="user",
            object_id=user.id,
            now=now,
            details={"role": role.value, "via": f"{role.value} invitation"},
        )


def pool_members(role: Role) -> list[User]:
    """Everyone holding the role, by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(RoleGrant, RoleGrant.user_id == User.id)
            .where(RoleGrant.role == role)
            .order_by(User.name)
        ).unique()
    )


def reviewer_pool() -> list[User]:
    return pool_members(Role.REVIEWER)


def pending_invitations(*, role: Role) -> list[ReviewerInvitation]:
    return list(
        db.session.scalars(
            select(ReviewerInvitation)
            .where(ReviewerInvitation.role == role, ReviewerInvitation.accepted_at.is_(None))
            .order_by(ReviewerInvitation.created_at.desc())
        )
    )
