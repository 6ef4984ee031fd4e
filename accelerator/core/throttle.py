"""How often an action may be tried per key (an email or IP address) in a fixed window.

The counters live in the database, so a limit holds across workers and app servers: each
(scope, key, window) row is incremented atomically with INSERT … ON CONFLICT DO UPDATE …
RETURNING, which SQLite and PostgreSQL both run as one statement. Keys are stored as an HMAC
of the address under SECRET_KEY, never as the address itself.
"""

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite

from accelerator.core.errors import DomainError
from accelerator.core.models import ThrottleCounter
from accelerator.extensions import db

UPSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


class Throttled(DomainError):
    """Too many attempts from one key in this window; the message says how long to wait."""

    def __init__(self, retry_after: timedelta):
        self.retry_after = retry_after
        minutes = max(1, -(-int(retry_after.total_seconds()) // 60))
        super().__init__(
            _(
                "Too many attempts. Please wait %(minutes)d minute(s) and try again.",
                minutes=minutes,
            )
        )


def count_attempt(action: str, *, now: datetime, **keys: str | None) -> None:
    """Counts one attempt at `action` for each key given (ip=..., email=...), in that order,
    against THROTTLE_LIMITS[action]; raises Throttled for the first key over its limit.

    Each count commits at once: an attempt that fails afterwards still counts, and SQLite's
    write lock is not held during what the caller does next.
    """
    limits = current_app.config["THROTTLE_LIMITS"][action]
    window = timedelta(minutes=limits["window_minutes"])
    for kind, key in keys.items():
        limit = limits.get(f"per_{kind}")
        if key is not None and limit is not None:
            _spend(f"{action}:{kind}", key, limit=limit, window=window, now=now)


def _spend(scope: str, key: str, *, limit: int, window: timedelta, now: datetime) -> None:
    seconds = int(window.total_seconds())
    window_start = datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, UTC)
    window_end = window_start + window
    attempts = db.session.scalar(_upsert(scope, _keyed_hash(scope, key), window_start, window_end))
    db.session.execute(delete(ThrottleCounter).where(ThrottleCounter.expires_at <= now))
    db.session.commit()
    if attempts > limit:
        raise Throttled(window_end - now)


def _upsert(scope: str, key_hash: str, window_start: datetime, window_end: datetime):
    insert = UPSERTS[db.session.get_bind().dialect.name]
    return (
        insert(ThrottleCounter)
        .values(
            scope=scope,
            key_hash=key_hash,
            window_start=window_start,
            attempts=1,
            expires_at=window_end,
        )
        .on_conflict_do_update(
            index_elements=["scope", "key_hash", "window_start"],
            set_={"attempts": ThrottleCounter.attempts + 1},
        )
        .returning(ThrottleCounter.attempts)
    )


def _keyed_hash(scope: str, key: str) -> str:
    """The same key gives the same hash, but nobody without SECRET_KEY can test a guess."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"{scope}\n{key}".encode(), hashlib.sha256).hexdigest()
