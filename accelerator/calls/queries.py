"""Read queries for calls."""

from datetime import datetime

from sqlalchemy import Select, select

from accelerator.calls.enums import CallStatus
from accelerator.calls.models import Call


def public_calls(now: datetime) -> Select:
    """Open and upcoming calls, the soonest deadline first."""
    return (
        select(Call)
        .where(Call.status == CallStatus.OPEN, Call.closes_at > now)
        .order_by(Call.closes_at)
    )


def all_calls() -> Select:
    return select(Call).order_by(Call.year.desc(), Call.id.desc())
