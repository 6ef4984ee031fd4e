"""Signed, expiring tokens for links sent by email.

Each token carries its purpose (as the signing salt) and the moment it was issued, so that
expiry is judged against the clock the caller passes in.
"""

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from accelerator.core.errors import DomainError

CONFIRM_EMAIL = "confirm-email"
RESET_PASSWORD = "reset-password"
JOIN_ORGANISATION = "join-organisation"
JOIN_REVIEWER_POOL = "join-reviewer-pool"

LIFETIMES = {
    CONFIRM_EMAIL: timedelta(hours=48),
    RESET_PASSWORD: timedelta(hours=1),
    JOIN_ORGANISATION: timedelta(days=7),
    JOIN_REVIEWER_POOL: timedelta(days=14),
}


class InvalidToken(DomainError):
    pass


class ExpiredToken(DomainError):
    pass


def _serializer(purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def make_token(purpose: str, payload: dict, *, now: datetime) -> str:
    return _serializer(purpose).dumps({**payload, "iat": int(now.timestamp())})


def read_token(purpose: str, token: str, *, now: datetime) -> dict:
    """The payload of a genuine, unexpired token for this purpose; raises otherwise."""
    try:
        payload = _serializer(purpose).loads(token)
    except BadSignature as error:
        raise InvalidToken(_invalid_message()) from error
    issued_at = payload.pop("iat", None)
    if not isinstance(issued_at, int):
        raise InvalidToken(_invalid_message())
    if now.timestamp() - issued_at > LIFETIMES[purpose].total_seconds():
        raise ExpiredToken(_expired_message())
    return payload


def _invalid_message() -> str:
    return _("This link is not valid. Please check that you copied it completely.")


def _expired_message() -> str:
    return _("This link has expired. Please ask for a new one.")
