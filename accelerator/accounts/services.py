"""Rules of the accounts area: registration, login, passwords, roles and organisations."""

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import case, delete, literal, or_, select, update
from sqlalchemy.exc import IntegrityError

from accelerator.accounts import policies, tokens
from accelerator.accounts.enums import EXPERTISE_TAGS, Role
from accelerator.accounts.models import (
    RoleGrant,
    User,
    UserExpertise,
)
from accelerator.accounts.passwords import (
    MINIMUM_PASSWORD_LENGTH,
    hash_password,
    password_fingerprint,
    password_matches,
    spend_hashing_time,
)
from accelerator.core.audit import record_audit
from accelerator.core.errors import DomainError
from accelerator.core.mail import queue_email
from accelerator.core.policies import require
from accelerator.core.throttle import count_attempt
from accelerator.core.types import UTCDateTime
from accelerator.extensions import db

MAX_FAILED_LOGINS = 5
FAILED_LOGIN_WINDOW = timedelta(minutes=15)
LOCKOUT_DURATION = timedelta(minutes=15)


class EmailTaken(DomainError):
    pass


class PasswordTooShort(DomainError):
    pass


class InvalidCredentials(DomainError):
    pass


class AccountLocked(DomainError):
    pass


class EmailNotConfirmed(DomainError):
    pass


class LinkAlreadyUsed(DomainError):
    pass


class OwnManagerRoleKept(DomainError):
    pass


# --- registration and confirmation -------------------------------------------------------


def register_user(
    *, email: str, name: str, password: str, ip: str | None = None, now: datetime
) -> User:
    """Creates an applicant account and emails a confirmation link.

    Self-registration only ever grants the applicant role; other roles come from a manager.
    Each IP address may register a few accounts an hour (raises Throttled beyond).
    """
    count_attempt("registration", now=now, ip=ip)
    check_password(password)
    user = User(
        created_at=now,
        email=normalise_email(email),
        name=name.strip(),
        password_hash=hash_password(password),
    )
    user.role_grants.append(RoleGrant(role=Role.APPLICANT, granted_at=now))
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise EmailTaken(_("An account with this email address already exists.")) from error
    record_audit("user.registered", by=user, object_type="user", object_id=user.id, now=now)
    _queue_confirmation(user, now=now)
    db.session.commit()
    return user


def resend_confirmation(email: str, *, ip: str | None = None, now: datetime) -> None:
    """Sends a fresh link to an unconfirmed account; says nothing about unknown emails.

    Throttled per IP and per email address alike, known or not, so nobody floods an inbox.
    """
    count_attempt("confirmation_resend", now=now, ip=ip, email=normalise_email(email))
    user = find_user_by_email(email)
    if user is not None and not user.email_confirmed:
        _queue_confirmation(user, now=now)
        db.session.commit()


def confirm_email(token: str, *, now: datetime) -> User:
    payload = tokens.read_token(tokens.CONFIRM_EMAIL, token, now=now)
    user = db.session.get(User, payload.get("user"))
    if user is None or user.email != payload.get("email"):
        raise tokens.InvalidToken(_("This link is not valid."))
    if not user.email_confirmed:
        user.email_confirmed_at = now
        record_audit(
            "user.email_confirmed", by=user, object_type="user", object_id=user.id, now=now
        )
        db.session.commit()
    return user


def _queue_confirmation(user: User, *, now: datetime) -> None:
    token = tokens.make_token(tokens.CONFIRM_EMAIL, {"user": user.id, "email": user.email}, now=now)
    queue_email(
        user.email,
        _("Confirm your email address"),
        "confirm_email",
        now=now,
        user=user,
        token=token,
    )


# --- login and lockout -------------------------------------------------------------------


def authenticate(email: str, password: str, *, ip: str | None = None, now: datetime) -> User:
    """The user whose password this is.

    Attempts are throttled per IP and per email address first (raises Throttled), so nobody
    can guess across many accounts from one address or hammer one account from many.

    After MAX_FAILED_LOGINS failures within FAILED_LOGIN_WINDOW the account refuses every
    attempt for LOCKOUT_DURATION. Each attempt first claims its place in the count with one
    conditional UPDATE, so parallel guesses cannot overtake the count on any backend and at
    most MAX_FAILED_LOGINS passwords are checked per window; the slow check itself runs with
    no lock held, since SQLite's write lock would stall every write in the app meanwhile.
    """
    count_attempt("login", now=now, ip=ip, email=normalise_email(email))
    user = find_user_by_email(email)
    if user is None:
        spend_hashing_time(password)
        raise InvalidCredentials(_("The email address or password is not correct."))
    password_hash = user.password_hash
    attempt = _claim_attempt(user, now=now)
    if attempt is None:
        raise AccountLocked(_locked_message(_lock_remaining(user, now=now)))
    if not password_matches(password_hash, password):
        if attempt == MAX_FAILED_LOGINS:
            # Only this attempt filled the window: no other can claim until it is done.
            _start_counting_afresh(user, locked_until=now + LOCKOUT_DURATION)
            record_audit("user.locked_out", by=None, object_type="user", object_id=user.id, now=now)
            db.session.commit()
            raise AccountLocked(_locked_message(LOCKOUT_DURATION))
        raise InvalidCredentials(_("The email address or password is not correct."))
    _start_counting_afresh(user, locked_until=None)
    db.session.commit()
    if not user.is_active:
        raise InvalidCredentials(_("This account has been deactivated."))
    if not user.email_confirmed:
        raise EmailNotConfirmed(
            _("Please confirm your email address first: follow the link we sent you.")
        )
    return user


def _claim_attempt(user: User, *, now: datetime) -> int | None:
    """Counts one attempt unless the account is locked or its window is full; the attempt's
    number in the window, or None when refused. A window older than FAILED_LOGIN_WINDOW
    starts again at 1."""
    window_over = or_(
        User.first_failed_login_at.is_(None),
        User.first_failed_login_at <= now - FAILED_LOGIN_WINDOW,
    )
    claim = (
        update(User)
        .where(
            User.id == user.id,
            or_(User.locked_until.is_(None), User.locked_until <= now),
            or_(window_over, User.failed_login_count < MAX_FAILED_LOGINS),
        )
        .values(
            failed_login_count=case((window_over, 1), else_=User.failed_login_count + 1),
            first_failed_login_at=case(
                (window_over, literal(now, UTCDateTime())), else_=User.first_failed_login_at
            ),
        )
        .returning(User.failed_login_count)
        .execution_options(synchronize_session=False)
    )
    attempt = db.session.scalar(claim)
    db.session.commit()
    return attempt


def _lock_remaining(user: User, *, now: datetime) -> timedelta:
    # A full window whose last attempt is still being checked locks the account in a moment.
    if user.locked_until is None or user.locked_until <= now:
        return LOCKOUT_DURATION
    return user.locked_until - now


def _start_counting_afresh(user: User, *, locked_until: datetime | None) -> None:
    user.failed_login_count = 0
    user.first_failed_login_at = None
    user.locked_until = locked_until


def _locked_message(remaining: timedelta) -> str:
    minutes = max(1, -(-int(remaining.total_seconds()) // 60))
    return _(
        "Too many failed attempts. This account is locked for %(minutes)d more minute(s); "
        "try again later or reset your password.",
        minutes=minutes,
    )


# --- password reset ----------------------------------------------------------------------


def request_password_reset(email: str, *, ip: str | None = None, now: datetime) -> None:
    """Emails a one-hour, single-use link; says nothing about whether the account exists.

    Throttled per IP and per email address alike, known or not, so nobody floods an inbox.
    """
    count_attempt("password_reset", now=now, ip=ip, email=normalise_email(email))
    user = find_user_by_email(email)
    if user is None:
        return
    token = tokens.make_token(
        tokens.RESET_PASSWORD,
        {"user": user.id, "fp": password_fingerprint(user.password_hash)},
        now=now,
    )
    queue_email(
        user.email, _("Reset your password"), "reset_password", now=now, user=user, token=token
    )
    db.session.commit()


def user_for_reset_token(token: str, *, now: datetime) -> User:
    """The user a reset link is for, if the link is genuine, unexpired and unused."""
    payload = tokens.read_token(tokens.RESET_PASSWORD, token, now=now)
    user = db.session.get(User, payload.get("user"))
    if user is None:
        raise tokens.InvalidToken(_("This link is not valid."))
    if payload.get("fp") != password_fingerprint(user.password_hash):
        raise LinkAlreadyUsed(
            _("This link has already been used. Please ask for a new one if you need it.")
        )
    return user


def reset_password(token: str, new_password: str, *, now: datetime) -> User:
    user = user_for_reset_token(token, now=now)
    check_password(new_password)
    user.password_hash = hash_password(new_password)
    _start_counting_afresh(user, locked_until=None)
    # Following the emailed link proves the address too.
    user.email_confirmed_at = user.email_confirmed_at or now
    record_audit("user.password_reset", by=user, object_type="user", object_id=user.id, now=now)
    db.session.commit()
    return user


def check_password(password: str) -> None:
    if len(password) < MINIMUM_PASSWORD_LENGTH:
        raise PasswordTooShort(
            _("Use at least %(count)d characters.", count=MINIMUM_PASSWORD_LENGTH)
        )


# --- profile and roles -------------------------------------------------------------------


def update_profile(user: User, *, name: str, expertise: list[str], now: datetime) -> None:
    unknown = set(expertise) - set(EXPERTISE_TAGS)
    if unknown:
        raise DomainError(_("Unknown expertise: %(tags)s", tags=", ".join(sorted(unknown))))
    user.name = name.strip()
    db.session.execute(delete(UserExpertise).where(UserExpertise.user_id == user.id))
    db.session.add_all(UserExpertise(user_id=user.id, tag=tag) for tag in sorted(set(expertise)))
    record_audit("user.profile_updated", by=user, object_type="user", object_id=user.id, now=now)
    db.session.commit()


def expertise_of(user: User) -> list[str]:
    query = select(UserExpertise.tag).where(UserExpertise.user_id == user.id)
    return sorted(db.session.scalars(query))


def grant_role(user: User, role: Role, *, by: User, now: datetime) -> None:
    require(policies.can_change_role(by, user, role))
    _grant(user, role, by=by, now=now)
    db.session.commit()


def revoke_role(user: User, role: Role, *, by: User, now: datetime) -> None:
    require(policies.can_change_role(by, user, role))
    _revoke(user, role, by=by, now=now)
    db.session.commit()


def set_roles(user: User, roles: set[Role], *, by: User, now: datetime) -> None:
    """Grants and revokes, in one transaction, so that the user holds exactly these roles."""
    require(policies.can_manage_users(by))
    if user.id == by.id and Role.PROGRAMME_MANAGER not in roles:
        raise OwnManagerRoleKept(_("You cannot remove your own programme manager role."))
    for role in sorted(roles ^ user.roles):
        require(policies.can_change_role(by, user, role))
    for role in sorted(roles - user.roles):
        _grant(user, role, by=by, now=now)
    for role in sorted(user.roles - roles):
        _revoke(user, role, by=by, now=now)
    db.session.commit()


def _grant(user: User, role: Role, *, by: User | None, now: datetime, **details) -> None:
    if user.has_role(role):
        return
    user.role_grants.append(RoleGrant(role=role, granted_at=now))
    db.session.flush()
    record_audit(
        "role.granted",
        by=by,
        object_type="user",
        object_id=user.id,
        now=now,
        details={"role": role.value, **details},
    )


def _revoke(user: User, role: Role, *, by: User, now: datetime) -> None:
    grant = next((grant for grant in user.role_grants if grant.role == role), None)
    if grant is None:
        return
    user.role_grants.remove(grant)
    record_audit(
        "role.revoked",
        by=by,
        object_type="user",
        object_id=user.id,
        now=now,
        details={"role": role.value},
    )


def create_admin(email: str, *, name: str, password: str, now: datetime) -> User:
    """A confirmed programme manager, or the manager role added to an existing account."""
    user = find_user_by_email(email)
    if user is None:
        check_password(password)
        user = User(
            created_at=now,
            email=normalise_email(email),
            name=name,
            password_hash=hash_password(password),
            email_confirmed_at=now,
        )
        db.session.add(user)
        db.session.flush()
    _grant(user, Role.PROGRAMME_MANAGER, by=None, now=now, via="create-admin")
    db.session.commit()
    return user


# --- look-ups ----------------------------------------------------------------------------


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return (
        db.session.scalars(select(User).where(User.email == normalise_email(email)))
        .unique()
        .one_or_none()
    )
