"""The project space shows the year's mentoring hours against the budget, and links to them."""

from datetime import timedelta

from accelerator.accounts.enums import Role
from accelerator.core.clock import utcnow
from accelerator.extensions import db
from accelerator.mentoring.budget import programme_year_of, set_budget
from accelerator.mentoring.enums import SessionStatus
from accelerator.mentoring.models import MentoringSession
from tests.cohorts.conftest import make_project, member_of, text_of
from tests.conftest import sign_in
from tests.factories import make_user
from tests.mentoring.conftest import make_mentor


def _session(project, mentor, *, year, days, minutes, status):
    starts_at = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=days)
    db.session.add(
        MentoringSession(
            mentor_id=mentor.id,
            project_id=project.id,
            programme_year=year,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            status=status,
            created_at=utcnow(),
            charged=status == SessionStatus.HELD,
        )
    )
    db.session.commit()


def test_project_page_shows_mentoring_hours_used_and_reserved_of_the_budget(client):
    member = member_of()
    project = make_project(member=member)
    year = programme_year_of(utcnow())
    set_budget(project, year=year, minutes=750, by=make_user(Role.PROGRAMME_MANAGER), now=utcnow())
    mentor = make_mentor()
    _session(project, mentor, year=year, days=-7, minutes=90, status=SessionStatus.HELD)
    _session(project, mentor, year=year, days=7, minutes=60, status=SessionStatus.CONFIRMED)
    _session(project, mentor, year=year - 1, days=-9, minutes=60, status=SessionStatus.HELD)
    sign_in(client, member)

    page = client.get(f"/projects/{project.id}").text

    assert text_of(page, "mentoring-hours") == f"1.5 h used, 1 h reserved of 12.5 h ({year})"
    assert f'href="/mentoring/projects/{project.id}">Mentoring</a>' in page


def test_project_page_without_sessions_shows_the_default_budget(client):
    member = member_of()
    project = make_project(member=member)
    sign_in(client, member)

    page = client.get(f"/projects/{project.id}").text

    year = programme_year_of(utcnow())
    assert text_of(page, "mentoring-hours") == f"0 h used, 0 h reserved of 20 h ({year})"
