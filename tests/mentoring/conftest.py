"""Factories of the mentoring tests: mentors with a profile, and their availability; readers of
the calendar feeds' pages and emails."""

import itertools
import re
from datetime import UTC, datetime, time

import pytest
from sqlalchemy import select

from accelerator.accounts.enums import Role
from accelerator.core.models import OutboxMessage
from accelerator.extensions import db
from accelerator.mentoring import services
from tests.cohorts.conftest import make_project, member_of
from tests.factories import make_user

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
_numbers = itertools.count(1)


def make_mentor(
    *,
    name: str | None = None,
    languages=("en",),
    tags=("topic:regulatory",),
    monthly_hour_limit: int = 10,
    organisation=None,
    buffer_minutes: int = 15,
):
    """A user with the mentor role and a saved mentor profile; their email domain is their
    own, so they share none with a project (which would be a conflict)."""
    email = f"mentor{next(_numbers)}@mentors.example.net"
    user = make_user(Role.MENTOR, name=name, organisation=organisation, email=email)
    return services.save_mentor_profile(
        user,
        bio="Twenty years in cell therapy.",
        organisation="Mentors SL",
        languages=list(languages),
        tags=list(tags),
        monthly_hour_limit=monthly_hour_limit,
        minimum_notice_hours=48,
        buffer_minutes=buffer_minutes,
        by=user,
        now=NOW,
    )


def add_rule(profile, weekday: int = 1, starts_at=time(10), ends_at=time(13)):
    return services.add_availability_rule(
        profile, weekday=weekday, starts_at=starts_at, ends_at=ends_at, by=profile.user, now=NOW
    )


@pytest.fixture
def booking(app):
    """A project, one of its members, and a mentor free on Tuesdays 10:00–13:00 Madrid."""
    member = member_of()
    project = make_project(member=member, acronym="CARTX")
    mentor = make_mentor(buffer_minutes=0)
    add_rule(mentor)
    return project, mentor, member


# --- calendar feeds ------------------------------------------------------------------------


def feed_path(token: str) -> str:
    return f"/mentoring/calendar/{token}.ics"


def project_feed(project) -> str:
    return f"/mentoring/projects/{project.id}/calendar/reset"


def shown_address(response) -> str:
    """The address in the read-only field of the page a create or reset answers with."""
    html = response.get_data(as_text=True)
    return re.search(r'id="calendar-address" [^>]*value="([^"]+)" readonly', html)[1]


def resets_told() -> list[OutboxMessage]:
    return db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.subject.startswith("The calendar address of"))
        .order_by(OutboxMessage.id)
    ).all()


def path_of(address: str) -> str:
    return address.removeprefix("http://127.0.0.1:5000")
