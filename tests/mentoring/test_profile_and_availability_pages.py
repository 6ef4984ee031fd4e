"""The mentor's own pages: bad input gets a message next to the field and saves nothing."""

import re
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from accelerator.accounts.enums import Role
from accelerator.core.clock import as_madrid, madrid_to_utc, utcnow
from accelerator.extensions import db
from accelerator.mentoring import booking, services
from accelerator.mentoring.models import AvailabilityException, AvailabilityRule, MentorProfile
from tests.cohorts.conftest import field_errors, make_project, member_of
from tests.conftest import post_form, sign_in
from tests.factories import make_user
from tests.mentoring.conftest import NOW, add_rule, make_mentor

PROFILE = {
    "bio": "Regulatory affairs for gene therapies.",
    "organisation": "Vector Advisers SL",
    "languages": ["ca", "en"],
    "topics": ["topic:regulatory", "topic:cmc_gmp"],
    "atmp_classes": ["class:gene_therapy"],
    "therapeutic_areas": ["area:ophthalmology"],
    "monthly_hour_limit": "8",
    "minimum_notice_hours": "48",
    "buffer_minutes": "15",
}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_mentor_profile_is_saved_with_languages_and_expertise(client):
    mentor = make_user(Role.MENTOR)
    sign_in(client, mentor)

    response = post_form(client, "/mentoring/profile", PROFILE)

    assert response.status_code == 302
    profile = db.session.scalar(select(MentorProfile))
    assert (profile.user_id, profile.monthly_hour_limit) == (mentor.id, 8)
    assert profile.language_codes == {"ca", "en"}
    assert profile.tags == {
        "topic:regulatory",
        "topic:cmc_gmp",
        "class:gene_therapy",
        "area:ophthalmology",
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-5", "Between 1 and 200 hours."),
        ("0", "Between 1 and 200 hours."),
        ("", "Enter the hours you can give each month."),
        ("five", "Not a valid integer value."),
    ],
)
def test_mentor_profile_with_bad_hour_limit_is_refused_next_to_the_field(client, value, message):
    sign_in(client, make_user(Role.MENTOR))

    response = post_form(client, "/mentoring/profile", {**PROFILE, "monthly_hour_limit": value})

    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "monthly_hour_limit") == [message]
    assert count(MentorProfile) == 0


def test_mentor_profile_service_refuses_a_negative_hour_limit(app):
    mentor = make_user(Role.MENTOR)

    with pytest.raises(services.HourLimitNotPositive):
        services.save_mentor_profile(
            mentor,
            bio="",
            organisation="",
            languages=[],
            tags=[],
            monthly_hour_limit=-5,
            minimum_notice_hours=48,
            buffer_minutes=15,
            by=mentor,
            now=NOW,
        )


def test_mentor_profile_with_unknown_language_is_refused(client):
    sign_in(client, make_user(Role.MENTOR))

    response = post_form(client, "/mentoring/profile", {**PROFILE, "languages": ["fr"]})

    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "languages") == [
        "'fr' is not a valid choice for this field."
    ]


def test_availability_without_profile_leads_to_the_profile(client):
    sign_in(client, make_user(Role.MENTOR))

    response = client.get("/mentoring/availability")

    assert response.status_code == 302
    assert response.headers["Location"] == "/mentoring/profile"


def test_availability_rule_is_added_in_madrid_time(client):
    profile = make_mentor()
    sign_in(client, profile.user)

    response = post_form(
        client,
        "/mentoring/availability/rules",
        {"weekday": "1", "starts_at": "10:00", "ends_at": "13:00"},
        page="/mentoring/availability",
    )

    assert response.status_code == 302
    rule = db.session.scalar(select(AvailabilityRule))
    assert (rule.weekday, rule.starts_at, rule.ends_at) == (1, time(10), time(13))


@pytest.mark.parametrize("ends_at", ["09:00", "10:00"])
def test_availability_rule_ending_before_it_starts_is_refused_next_to_the_field(client, ends_at):
    profile = make_mentor()
    sign_in(client, profile.user)

    response = post_form(
        client,
        "/mentoring/availability/rules",
        {"weekday": "1", "starts_at": "10:00", "ends_at": ends_at},
        page="/mentoring/availability",
    )

    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "ends_at") == [
        "The end must be after the start."
    ]
    assert count(AvailabilityRule) == 0


def test_availability_rule_service_refuses_an_end_before_the_start(app):
    profile = make_mentor()

    with pytest.raises(services.EndNotAfterStart):
        add_rule(profile, starts_at=time(13), ends_at=time(10))


def test_availability_rule_with_bad_day_is_refused_next_to_the_field(client):
    profile = make_mentor()
    sign_in(client, profile.user)

    response = post_form(
        client,
        "/mentoring/availability/rules",
        {"weekday": "9", "starts_at": "10:00", "ends_at": "11:00"},
        page="/mentoring/availability",
    )

    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "weekday") == ["Not a valid choice."]


def test_availability_exception_ending_before_it_starts_is_refused_next_to_the_field(client):
    profile = make_mentor()
    sign_in(client, profile.user)

    response = post_form(
        client,
        "/mentoring/availability/exceptions",
        {"first_day": "2026-08-10", "last_day": "2026-08-01", "note": "Holidays"},
        page="/mentoring/availability",
    )

    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "last_day") == [
        "The last day cannot be before the first."
    ]
    assert count(AvailabilityException) == 0


def test_availability_exception_is_added(client):
    profile = make_mentor()
    sign_in(client, profile.user)

    response = post_form(
        client,
        "/mentoring/availability/exceptions",
        {"first_day": "2026-08-01", "last_day": "2026-08-31", "note": "Holidays"},
        page="/mentoring/availability",
    )

    assert response.status_code == 302
    exception = db.session.scalar(select(AvailabilityException))
    assert (exception.first_day.isoformat(), exception.last_day.isoformat(), exception.note) == (
        "2026-08-01",
        "2026-08-31",
        "Holidays",
    )


@pytest.mark.parametrize("length", ["45", "15", "abc"])
def test_slot_preview_with_other_length_is_refused_next_to_the_field(client, length):
    profile = make_mentor()
    add_rule(profile)
    sign_in(client, profile.user)

    response = client.get(f"/mentoring/availability?length={length}")

    assert response.status_code == 200
    message = (
        "Not a valid integer value." if length == "abc" else "Sessions last 30, 60 or 90 minutes."
    )
    assert field_errors(response.get_data(as_text=True), "length") == [message]


def test_another_mentors_rule_is_not_found_and_stays(client):
    owner = make_mentor()
    rule = add_rule(owner)
    sign_in(client, make_mentor().user)

    response = post_form(
        client,
        f"/mentoring/availability/rules/{rule.id}/delete",
        {},
        page="/mentoring/availability",
    )

    assert response.status_code == 404
    assert count(AvailabilityRule) == 1


def test_own_rule_is_removed(client):
    profile = make_mentor()
    rule = add_rule(profile)
    sign_in(client, profile.user)

    response = post_form(
        client,
        f"/mentoring/availability/rules/{rule.id}/delete",
        {},
        page="/mentoring/availability",
    )

    assert response.status_code == 302
    assert count(AvailabilityRule) == 0


def test_slot_preview_lists_slots_in_madrid_time(client):
    profile = make_mentor()
    for weekday in range(7):  # every day, so the next 14 days always hold slots after notice
        add_rule(profile, weekday=weekday, starts_at=time(10), ends_at=time(11))
    sign_in(client, profile.user)

    response = client.get("/mentoring/availability?length=30")

    assert response.status_code == 200
    starts = [
        as_madrid(datetime.fromisoformat(value))
        for value in re.findall(r'<time datetime="([^"]+)"', response.get_data(as_text=True))
    ]
    assert {moment.time() for moment in starts} == {time(10), time(10, 30)}
    assert 2 * 11 <= len(starts) <= 2 * 12  # 14 days, less the 48 h of notice


def listed_starts(html: str) -> list[datetime]:
    return [
        datetime.fromisoformat(value) for value in re.findall(r'<time datetime="([^"]+)"', html)
    ]


def test_slot_preview_leaves_out_a_confirmed_session_and_its_buffer(client):
    """One weekday five days ahead, 10:00–13:00, and a confirmed session 11:00–12:00 with a
    15-minute buffer: of its 30-minute slots only 10:00 and 12:30 are free; a week later, all
    six. Far past the 48 h of notice, so the clock cannot move a slot in or out."""
    day = as_madrid(utcnow()).date() + timedelta(days=5)
    profile = make_mentor(buffer_minutes=15)
    add_rule(profile, weekday=day.weekday(), starts_at=time(10), ends_at=time(13))
    member = member_of()
    project = make_project(member=member)
    session = booking.request_session(
        project,
        profile,
        starts_at=madrid_to_utc(datetime.combine(day, time(11))),
        length_minutes=60,
        agenda="CMC plan",
        by=member,
        now=utcnow(),
    )
    booking.confirm_session(session, by=profile.user, now=utcnow())
    sign_in(client, profile.user)

    html = client.get("/mentoring/availability?length=30").get_data(as_text=True)

    next_week = day + timedelta(days=7)
    assert [as_madrid(start).replace(tzinfo=None) for start in listed_starts(html)] == [
        datetime.combine(day, time(10)),
        datetime.combine(day, time(12, 30)),
        *(
            datetime.combine(next_week, time(hour, minute))
            for hour in (10, 11, 12)
            for minute in (0, 30)
        ),
    ]
    sign_in(client, member)
    booking_page = client.get(
        f"/mentoring/projects/{project.id}/mentors/{profile.id}/book?length=30"
    ).get_data(as_text=True)
    offered = re.findall(r'name="starts_at" id="[^"]+" value="([^"]+)"', booking_page)
    last_day = as_madrid(utcnow()).date() + timedelta(days=13)
    assert [as_madrid(start).strftime("%Y-%m-%dT%H:%M") for start in listed_starts(html)] == [
        value for value in offered if datetime.fromisoformat(value).date() <= last_day
    ]
