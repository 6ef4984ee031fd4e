"""What every emailed invitation shares: reading its link and checking who accepts it."""

from datetime import datetime

from flask_babel import gettext as _

from accelerator.accounts import tokens
from accelerator.accounts.services import LinkAlreadyUsed
from accelerator.core.errors import DomainError
from accelerator.extensions import db


class InvitationForSomeoneElse(DomainError):
    pass


def pending_invitation(model, purpose: str, token: str, *, now: datetime):
    """The invitation a genuine, unexpired link names, if nobody has accepted it yet."""
    payload = tokens.read_token(purpose, token, now=now)
    invitation = db.session.get(model, payload.get("invitation"))
    if invitation is None:
        raise tokens.InvalidToken(_("This invitation is not valid."))
    if invitation.accepted_at is not None:
        raise LinkAlreadyUsed(_("This invitation has already been accepted."))
    return invitation


def require_invitee(invitation, user) -> None:
    """Only the address the invitation was sent to may accept it."""
    if user.email != invitation.email:
        raise InvitationForSomeoneElse(
            _(
                "This invitation was sent to %(email)s; sign in with that address to accept it.",
                email=invitation.email,
            )
        )
