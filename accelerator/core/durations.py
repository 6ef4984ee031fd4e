"""Durations kept as whole minutes and shown as hours."""

from decimal import Decimal


def hours(minutes: int) -> Decimal:
    """Minutes as hours with at most two decimals (90 → 1.5, 600 → 10), exact."""
    value = (Decimal(minutes) / 60).quantize(Decimal("0.01"))
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
