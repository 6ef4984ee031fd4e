"""Time: stored in UTC, shown and entered in Europe/Madrid."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

MADRID = ZoneInfo("Europe/Madrid")


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_madrid(moment: datetime) -> datetime:
    return moment.astimezone(MADRID)


def madrid_to_utc(local: datetime) -> datetime:
    """A naive wall-clock time typed in Madrid, as an aware UTC datetime."""
    return local.replace(tzinfo=MADRID).astimezone(UTC)
