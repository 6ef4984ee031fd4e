"""Password hashing with Argon2id, a memory-hard scheme."""

import hashlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MINIMUM_PASSWORD_LENGTH = 12


def _hasher() -> PasswordHasher:
    return PasswordHasher(
        time_cost=current_app.config["ARGON2_TIME_COST"],
        memory_cost=current_app.config["ARGON2_MEMORY_COST"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def spend_hashing_time(password: str) -> None:
    """Hashes once so that an unknown email takes as long as a wrong password."""
    _hasher().hash(password)


def password_fingerprint(password_hash: str) -> str:
    """Changes whenever the password does; binds a reset link to one use."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]
