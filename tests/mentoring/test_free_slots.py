"""Slots from weekly Madrid rules, in UTC, across the daylight-saving changes.

Madrid is UTC+1 in winter (CET) and UTC+2 in summer (CEST); in 2026 summer time starts on
Sunday 29 March (02:00 → 03:00) and ends on Sunday 25 October (03:00 → 02:00). Expected times
are written by hand.
"""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from accelerator.mentoring.availability import SessionLengthRefused, Slot, free_slots
from accelerator.mentoring.models import AvailabilityException, AvailabilityRule, OneOffSlot

LONG_BEFORE = datetime(2026, 1, 1, tzinfo=UTC)
TUESDAY_MORNINGS = [AvailabilityRule(weekday=1, starts_at=time(10), ends_at=time(13))]


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def starts(slots: list[Slot]) -> list[datetime]:
    return [slot.starts_at for slot in slots]


def slots_of(rules=TUESDAY_MORNINGS, exceptions=(), one_offs=(), **options):
    values = {
        "start_date": date(2026, 3, 23),
        "days": 14,
        "length_minutes": 60,
        "now": LONG_BEFORE,
        **options,
    }
    return free_slots(rules, exceptions, one_offs, **values)


def test_free_slots_follow_madrid_time_across_the_march_change():
    slots = slots_of(start_date=date(2026, 3, 23), days=14)

    assert starts(slots) == [
        utc(2026, 3, 24, 9),  # winter: 10:00 Madrid is 09:00 UTC
        utc(2026, 3, 24, 10),
        utc(2026, 3, 24, 11),
        utc(2026, 3, 31, 8),  # summer: 10:00 Madrid is 08:00 UTC
        utc(2026, 3, 31, 9),
        utc(2026, 3, 31, 10),
    ]
    assert slots[-1].ends_at == utc(2026, 3, 31, 11)  # 13:00 Madrid in summer


def test_free_slots_follow_madrid_time_across_the_october_change():
    slots = slots_of(start_date=date(2026, 10, 19), days=14)

    assert starts(slots) == [
        utc(2026, 10, 20, 8),  # summer
        utc(2026, 10, 20, 9),
        utc(2026, 10, 20, 10),
        utc(2026, 10, 27, 9),  # winter
        utc(2026, 10, 27, 10),
        utc(2026, 10, 27, 11),
    ]


def test_free_slots_on_the_march_change_day_skip_the_missing_hour():
    # Sunday 29 March 02:00–04:00 Madrid: 02:00–03:00 does not exist, so one hour is left.
    sunday_night = [AvailabilityRule(weekday=6, starts_at=time(2), ends_at=time(4))]

    slots = slots_of(sunday_night, start_date=date(2026, 3, 29), days=1, length_minutes=30)

    assert slots == [
        Slot(utc(2026, 3, 29, 1, 0), utc(2026, 3, 29, 1, 30)),  # 03:00 CEST
        Slot(utc(2026, 3, 29, 1, 30), utc(2026, 3, 29, 2, 0)),
    ]


def test_free_slots_on_the_october_change_day_count_the_repeated_hour():
    # Sunday 25 October 01:00–04:00 Madrid lasts four real hours: 02:00–03:00 happens twice.
    sunday_night = [AvailabilityRule(weekday=6, starts_at=time(1), ends_at=time(4))]

    slots = slots_of(sunday_night, start_date=date(2026, 10, 25), days=1, length_minutes=90)

    assert slots == [
        Slot(utc(2026, 10, 24, 23, 0), utc(2026, 10, 25, 0, 30)),  # 01:00 CEST
        Slot(utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 2, 0)),
    ]


def test_free_slots_start_after_the_minimum_notice():
    # Sunday 22 March 10:00 UTC + 48 h = Tuesday 24 March 10:00 UTC.
    slots = slots_of(now=utc(2026, 3, 22, 10), days=7)

    assert starts(slots) == [utc(2026, 3, 24, 10), utc(2026, 3, 24, 11)]


def test_free_slots_use_the_minimum_notice_given():
    slots = slots_of(now=utc(2026, 3, 24, 9, 30), days=7, minimum_notice=timedelta(hours=1))

    assert starts(slots) == [utc(2026, 3, 24, 11)]


def test_free_slots_keep_the_buffer_around_busy_time():
    busy = [(utc(2026, 3, 24, 10), utc(2026, 3, 24, 11))]

    slots = slots_of(days=7, length_minutes=30, busy=busy, buffer_minutes=15)

    assert starts(slots) == [utc(2026, 3, 24, 9), utc(2026, 3, 24, 11, 30)]


def test_free_slots_without_buffer_touch_busy_time():
    busy = [(utc(2026, 3, 24, 10), utc(2026, 3, 24, 11))]

    slots = slots_of(days=7, length_minutes=30, busy=busy, buffer_minutes=0)

    assert starts(slots) == [
        utc(2026, 3, 24, 9),
        utc(2026, 3, 24, 9, 30),
        utc(2026, 3, 24, 11),
        utc(2026, 3, 24, 11, 30),
    ]


def test_free_slots_skip_exception_dates():
    holiday = AvailabilityException(first_day=date(2026, 3, 24), last_day=date(2026, 3, 25))

    slots = slots_of(exceptions=[holiday])

    assert starts(slots) == [utc(2026, 3, 31, 8), utc(2026, 3, 31, 9), utc(2026, 3, 31, 10)]


def test_free_slots_add_one_off_slots_in_the_range_only():
    thursday = OneOffSlot(starts_at=utc(2026, 3, 26, 15), ends_at=utc(2026, 3, 26, 16, 30))
    after_range = OneOffSlot(starts_at=utc(2026, 4, 20, 15), ends_at=utc(2026, 4, 20, 16))

    slots = slots_of(rules=[], one_offs=[thursday, after_range], length_minutes=30)

    assert starts(slots) == [utc(2026, 3, 26, 15), utc(2026, 3, 26, 15, 30), utc(2026, 3, 26, 16)]


def test_free_slots_keep_one_off_slots_on_exception_dates():
    holiday = AvailabilityException(first_day=date(2026, 3, 24), last_day=date(2026, 3, 24))
    extra = OneOffSlot(starts_at=utc(2026, 3, 24, 15), ends_at=utc(2026, 3, 24, 16))

    slots = slots_of(exceptions=[holiday], one_offs=[extra], days=7)

    assert starts(slots) == [utc(2026, 3, 24, 15)]


@pytest.mark.parametrize(("length", "count"), [(30, 12), (60, 6), (90, 4)])
def test_free_slots_accept_30_60_and_90_minutes(length, count):
    assert len(slots_of(length_minutes=length)) == count


@pytest.mark.parametrize("length", [0, 15, 45, 120])
def test_free_slots_refuse_other_lengths(length):
    with pytest.raises(SessionLengthRefused) as refused:
        slots_of(length_minutes=length)

    assert str(refused.value) == "Sessions last 30, 60 or 90 minutes."
