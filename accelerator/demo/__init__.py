"""Demo data for `flask seed-demo`.

Idempotent: every record is looked up by a natural key before it is created, so a second run
adds nothing.
"""

from datetime import datetime

from accelerator.demo.accounts import DEMO_ACCOUNTS, DEMO_ORGANISATIONS, seed_accounts
from accelerator.demo.calls import seed_calls
from accelerator.demo.labs import seed_labs
from accelerator.demo.mentoring import seed_mentoring
from accelerator.demo.selection import seed_history
from accelerator.extensions import db

__all__ = ["DEMO_ACCOUNTS", "DEMO_ORGANISATIONS", "seed_demo"]


def seed_demo(*, now: datetime) -> int:
    created = seed_accounts(now=now)
    created += seed_calls(now=now)
    created += seed_history(now=now)
    created += seed_mentoring(now=now)
    created += seed_labs(now=now)
    db.session.commit()
    return created
