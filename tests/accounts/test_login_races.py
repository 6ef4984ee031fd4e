"""Wrong passwords sent at the same instant: the account locks and only the lockout's threshold
of them is even checked (on SQLite, which ignores FOR UPDATE, as on PostgreSQL)."""

import threading
from collections import Counter

import argon2

from accelerator.accounts import services
from accelerator.accounts.models import User
from accelerator.core.clock import utcnow
from accelerator.extensions import db
from tests.accounts.conftest import audit_trail
from tests.factories import make_user

WRONG = "not the password at all"


def count_password_checks(monkeypatch) -> list[None]:
    """Wraps argon2's verify (a third-party library) so each check leaves a mark."""
    checks: list[None] = []
    lock = threading.Lock()
    verify = argon2.PasswordHasher.verify

    def counted(self, hash, password):  # noqa: A002 -- argon2's own parameter name
        with lock:
            checks.append(None)
        return verify(self, hash, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", counted)
    return checks


def test_login_sixteen_wrong_passwords_at_the_same_instant_lock_after_five_checks(
    app, at_the_same_instant, monkeypatch
):
    user = make_user(email="ana@example.org")
    checks = count_password_checks(monkeypatch)
    throttle_limit = app.config["THROTTLE_LIMITS"]["login"]["per_email"]

    def guess():
        return lambda: services.authenticate("ana@example.org", WRONG, now=utcnow())

    results = at_the_same_instant([guess] * 16)

    assert len(checks) == services.MAX_FAILED_LOGINS == 5
    # Past the per-email throttle, four guesses are told "wrong", the fifth locks, the rest
    # find the account locked without being checked.
    assert Counter(results) == {
        "Throttled": 16 - throttle_limit,
        "InvalidCredentials": 4,
        "AccountLocked": throttle_limit - 4,
    }
    db.session.expire_all()
    locked = db.session.get(User, user.id)
    assert locked.locked_until > utcnow()
    assert (locked.failed_login_count, locked.first_failed_login_at) == (0, None)
    assert [entry.object_id for entry in audit_trail("user.locked_out")] == [user.id]
