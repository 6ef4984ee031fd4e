"""The managers' mentoring report: hours per project, mentor and topic, overdue feedback, its
exports, and setting a project's budget.

Sessions are inserted directly (the report reads, it does not book): times are relative to the
real clock, since the page reads it, and every session counts in YEAR, the current Madrid year.
"""

import csv
import html
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from accelerator.accounts.enums import Role
from accelerator.cohorts.enums import ProjectStatus
from accelerator.core.clock import utcnow
from accelerator.extensions import db
from accelerator.mentoring.budget import programme_year_of, set_budget
from accelerator.mentoring.enums import SessionStatus
from accelerator.mentoring.models import MentoringBudget, MentoringSession, SessionFeedback
from tests.cohorts.conftest import field_errors, make_namesakes, make_project, member_of
from tests.conftest import post_form, sign_in
from tests.factories import make_user
from tests.mentoring.conftest import make_mentor

YEAR = programme_year_of(utcnow())
REPORT = f"/mentoring/report?year={YEAR}"
HELD, CONFIRMED, PENDING = SessionStatus.HELD, SessionStatus.CONFIRMED, SessionStatus.PENDING
CANCELLED, NO_SHOW = SessionStatus.CANCELLED, SessionStatus.NO_SHOW
# The signed-in user and their roles; the year's sessions with their rating; the projects with
# the topics they asked for; budgets and used or reserved minutes (budget.usage_by_project); the
# mentors' names; their topics.
REPORT_QUERIES = 8


def add_session(project, mentor, *, days, status=HELD, minutes=60, rating=None, hour=9):
    """A session `days` from now (negative: in the past), at `hour` o'clock UTC that day."""
    now = utcnow()
    starts_at = (now + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
    session = MentoringSession(
        mentor_id=mentor.id,
        project_id=project.id,
        programme_year=YEAR,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        status=status,
        created_at=now - timedelta(days=60),
        charged=status in (HELD, NO_SHOW),
        cancelled_at=now - timedelta(days=30) if status == CANCELLED else None,
    )
    db.session.add(session)
    db.session.flush()
    if rating is not None:
        db.session.add(SessionFeedback(session_id=session.id, rating=rating, created_at=now))
    db.session.commit()
    return session


def manager_client(client):
    sign_in(client, make_user(Role.PROGRAMME_MANAGER))
    return client


def cells(page: str, row_id: str) -> dict[str, str]:
    """The text of each cell with a class in the table row with the given id, by class."""
    match = re.search(rf'<tr id="{re.escape(row_id)}">(.*?)</tr>', page, re.S)
    assert match, f"the page has no row {row_id!r}"
    return {
        name: " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split())
        for name, text in re.findall(r'<td class="([\w-]+)">(.*?)</td>', match[1], re.S)
    }


def row_ids(page: str, prefix: str) -> list[str]:
    return re.findall(rf'<tr id="({re.escape(prefix)}[\w-]+)"', page)


@pytest.fixture
def mentors(app):
    return {
        "ana": make_mentor(name="Ana Regulatory", tags=["topic:regulatory"]),
        "bernat": make_mentor(name="Bernat Plant", tags=["topic:cmc_gmp", "topic:quality"]),
    }


def test_report_project_line_adds_up_budget_hours_and_sessions(client, mentors):
    ana, bernat = mentors["ana"], mentors["bernat"]
    project = make_project(title="CAR-T for glioma")
    set_budget(project, year=YEAR, minutes=750, by=make_user(Role.PROGRAMME_MANAGER), now=utcnow())
    add_session(project, ana, days=-10, rating=4)
    add_session(project, bernat, days=-10, hour=12, minutes=90, rating=5)
    add_session(project, ana, days=-20, status=NO_SHOW)
    add_session(project, ana, days=-15, status=CANCELLED)
    add_session(project, bernat, days=10, status=CONFIRMED)
    add_session(project, ana, days=12, status=PENDING, minutes=30)
    add_session(project, bernat, days=-1, status=CONFIRMED)  # over, outcome not recorded

    page = manager_client(client).get(REPORT).text

    assert cells(page, f"project-{project.id}") == {
        "budget": "12.5",
        "used": "3.5",  # held 1 h + 1.5 h, no-show 1 h
        "reserved": "2.5",  # confirmed 1 h + 1 h, pending 0.5 h
        "left": "6.5",
        "held": "2",
        "upcoming": "2",
        "awaiting": "1",
        "cancelled": "1",
        "no-show": "1",
        "rating": "4.5 (2)",
    }


def test_report_tells_apart_two_projects_with_one_acronym_in_two_cohorts(client, mentors):
    _member, older, newer = make_namesakes()

    page = manager_client(client).get(REPORT).text

    assert [
        re.search(rf'<tr id="project-{project.id}">.*?>([^<>]+)</a>', page, re.S)[1]
        for project in (older, newer)
    ] == ["RETIGENE (cohort 2024)", "RETIGENE (cohort 2025)"]


def test_report_lists_active_projects_and_withdrawn_ones_with_sessions(client, mentors):
    quiet = make_project(title="Quiet active project")
    gone = make_project(title="Withdrawn without sessions")
    gone_with_session = make_project(title="Withdrawn after a session")
    for project in (gone, gone_with_session):
        project.status = ProjectStatus.WITHDRAWN
    db.session.commit()
    add_session(gone_with_session, mentors["ana"], days=-30)

    page = manager_client(client).get(REPORT).text

    assert sorted(row_ids(page, "project-")) == sorted(
        [f"project-{quiet.id}", f"project-{gone_with_session.id}"]
    )
    assert cells(page, f"project-{quiet.id}")["budget"] == "20"
    assert cells(page, f"project-{quiet.id}")["rating"] == "—"


def test_report_element_ids_are_unique_with_a_budget_form_per_project(client):
    make_project()
    make_project()

    page = manager_client(client).get(REPORT).text

    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))


def test_report_mentor_line_counts_held_hours_and_ratings(client, mentors):
    ana, bernat = mentors["ana"], mentors["bernat"]
    first, second = make_project(), make_project()
    add_session(first, ana, days=-10, rating=3)
    add_session(second, ana, days=-10, hour=12, minutes=90, rating=4)
    add_session(first, ana, days=-20, status=NO_SHOW)
    add_session(second, bernat, days=5, status=CONFIRMED)

    page = manager_client(client).get(REPORT).text

    assert cells(page, f"mentor-{ana.id}") == {
        "held": "2",
        "hours": "2.5",
        "rating": "3.5",
        "ratings": "2",
    }
    assert cells(page, f"mentor-{bernat.id}") == {
        "held": "0",
        "hours": "0",
        "rating": "—",
        "ratings": "0",
    }


def test_report_topic_hours_follow_what_the_project_asked_for(client, mentors):
    ana, bernat = mentors["ana"], mentors["bernat"]
    clara = make_mentor(name="Clara Both", tags=["topic:regulatory", "topic:clinical"])
    project = make_project(mentoring_topics=["topic:regulatory"])
    add_session(project, ana, days=-10)  # regulatory, asked
    add_session(project, clara, days=-10, hour=12, minutes=30)  # regulatory only: asked
    add_session(project, bernat, days=-11, minutes=90)  # none asked: both of Bernat's topics
    add_session(project, clara, days=3, status=CONFIRMED)  # not held: no hours

    page = manager_client(client).get(REPORT).text

    assert cells(page, "topic-topic-regulatory") == {"hours": "1.5"}
    assert cells(page, "topic-topic-clinical") == {"hours": "0"}
    assert cells(page, "topic-topic-cmc_gmp") == {"hours": "1.5"}
    assert cells(page, "topic-topic-quality") == {"hours": "1.5"}


def test_report_overdue_feedback_lists_sessions_over_three_days_ago_without_rating(client, mentors):
    ana, bernat = mentors["ana"], mentors["bernat"]
    project = make_project(title="Retinal gene therapy")
    held_unrated = add_session(project, ana, days=-5)
    add_session(project, ana, days=-5, hour=12, rating=5)
    confirmed_over = add_session(project, bernat, days=-4)
    confirmed_over.status = CONFIRMED
    confirmed_over.charged = False
    db.session.commit()
    add_session(project, bernat, days=-1)  # too recent
    add_session(project, ana, days=-10, status=CANCELLED)
    add_session(project, bernat, days=-12, status=NO_SHOW)

    page = manager_client(client).get(REPORT).text

    assert row_ids(page, "overdue-") == [
        f"overdue-{held_unrated.id}",
        f"overdue-{confirmed_over.id}",
    ]
    overdue_row = re.search(rf'<tr id="overdue-{held_unrated.id}">(.*?)</tr>', page, re.S)[1]
    assert f">{project.label}</a>" in overdue_row
    assert "Ana Regulatory" in overdue_row


def test_report_without_year_is_the_current_madrid_year(client):
    page = manager_client(client).get("/mentoring/report").text

    assert f"Mentoring report {YEAR}" in page


def test_report_of_an_implausible_year_is_not_found(client):
    assert manager_client(client).get("/mentoring/report?year=1999").status_code == 404


@pytest.mark.parametrize("count", [3, 60])
def test_report_query_count_is_constant(client, count_queries, count):
    mentors = [make_mentor(tags=["topic:regulatory", "topic:ip"]) for _ in range(3)]
    projects = [make_project() for _ in range(3)]
    now = utcnow()
    sessions = []
    for number in range(count):
        starts_at = now + timedelta(days=number // 3 - 10, hours=number % 3 * 2)
        status = (HELD, CONFIRMED, CANCELLED, NO_SHOW, PENDING)[number % 5]
        sessions.append(
            MentoringSession(
                mentor_id=mentors[number % 3].id,
                project_id=projects[number % 3].id,
                programme_year=YEAR,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=1),
                status=status,
                created_at=now,
                charged=status in (HELD, NO_SHOW),
                cancelled_at=now if status == CANCELLED else None,
            )
        )
    db.session.add_all(sessions)
    db.session.flush()
    db.session.add_all(
        SessionFeedback(session_id=session.id, rating=4, created_at=now)
        for session in sessions
        if session.status == HELD and session.id % 2
    )
    db.session.commit()
    manager_client(client).get(REPORT)  # warm-up: the connection pool and the session are ready

    with count_queries() as statements:
        response = client.get(REPORT)

    assert response.status_code == 200
    assert len(statements) == REPORT_QUERIES


@pytest.mark.parametrize("path", ["/mentoring/report", "/mentoring/report.csv"])
@pytest.mark.parametrize("role", [Role.APPLICANT, Role.MENTOR, Role.REVIEWER, Role.LAB_MANAGER])
def test_report_is_refused_to_everyone_but_managers(client, path, role):
    sign_in(client, make_user(role))

    assert client.get(path).status_code == 403


def test_report_link_on_the_project_page_is_for_managers_only(client):
    member = member_of()
    project = make_project(member=member)
    link = f'href="/mentoring/report?year={YEAR}#project-{project.id}"'
    sign_in(client, member)
    member_page = client.get(f"/projects/{project.id}").text
    manager_page = manager_client(client).get(f"/projects/{project.id}").text

    assert link not in member_page
    assert link in manager_page


# --- exports -----------------------------------------------------------------------------


def test_report_csv_has_a_row_per_project(client, mentors):
    project = make_project(title="CAR-T for glioma", acronym="GLIO")
    set_budget(project, year=YEAR, minutes=750, by=make_user(Role.PROGRAMME_MANAGER), now=utcnow())
    add_session(project, mentors["ana"], days=-10, rating=4)
    add_session(project, mentors["ana"], days=10, status=CONFIRMED, minutes=90)
    other = make_project(title="Cartilage scaffold")

    response = manager_client(client).get(f"/mentoring/report.csv?year={YEAR}")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert f'filename="mentoring-{YEAR}.csv"' in response.headers["Content-Disposition"]
    rows = {row["Project"]: row for row in csv.DictReader(io.StringIO(response.text))}
    assert set(rows) == {"CAR-T for glioma", "Cartilage scaffold"}
    glioma = rows["CAR-T for glioma"]
    assert (glioma["Year"], glioma["Acronym"], glioma["Budget (h)"], glioma["Used (h)"]) == (
        str(YEAR),
        "GLIO",
        "12.5",
        "1",
    )
    assert (glioma["Reserved (h)"], glioma["Left (h)"], glioma["Held"]) == ("1.5", "10", "1")
    assert (glioma["Upcoming"], glioma["Average rating"], glioma["Ratings"]) == ("1", "4.0", "1")
    assert rows[other.title]["Budget (h)"] == "20"  # not "2E+1"
    assert rows[other.title]["Average rating"] == ""


def test_report_xlsx_has_a_row_per_project(client, mentors):
    project = make_project(title="CAR-T for glioma")
    add_session(project, mentors["ana"], days=-10, minutes=90)

    response = manager_client(client).get(f"/mentoring/report.xlsx?year={YEAR}")

    assert response.status_code == 200
    assert f'filename="mentoring-{YEAR}.xlsx"' in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    header, *body = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert sheet.title == f"Mentoring {YEAR}"
    line = dict(zip(header, body[0], strict=True))
    assert len(body) == 1
    assert (line["Project"], line["Budget (h)"], line["Used (h)"], line["Left (h)"]) == (
        "CAR-T for glioma",
        20,
        1.5,
        18.5,
    )
    assert (line["Held"], line["Ratings"]) == (1, 0)


def test_report_mentors_csv_has_a_row_per_mentor(client, mentors):
    project = make_project()
    add_session(project, mentors["ana"], days=-10, minutes=90, rating=5)
    add_session(project, mentors["bernat"], days=3, status=CONFIRMED)

    response = manager_client(client).get(f"/mentoring/report.csv?year={YEAR}&table=mentors")

    assert f'filename="mentoring-mentors-{YEAR}.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [
        (row["Mentor"], row["Sessions held"], row["Hours held"], row["Average rating"])
        for row in rows
    ] == [("Ana Regulatory", "1", "1.5", "5.0"), ("Bernat Plant", "0", "0", "")]


def test_report_export_of_an_unknown_table_is_not_found(client):
    response = manager_client(client).get(f"/mentoring/report.csv?year={YEAR}&table=users")

    assert response.status_code == 404


# --- budgets -----------------------------------------------------------------------------


def budget_minutes(project) -> int | None:
    return db.session.scalar(
        select(MentoringBudget.minutes).where(
            MentoringBudget.project_id == project.id, MentoringBudget.programme_year == YEAR
        )
    )


def test_budget_in_half_hours_is_saved_and_shown(client):
    project = make_project()
    manager_client(client)

    response = post_form(
        client,
        f"/mentoring/projects/{project.id}/budget",
        {"year": YEAR, "hours": "12.5"},
        page=REPORT,
    )

    assert response.status_code == 302
    assert response.location == f"/mentoring/report?year={YEAR}#project-{project.id}"
    assert budget_minutes(project) == 750
    page = client.get(REPORT).text
    assert cells(page, f"project-{project.id}")["budget"] == "12.5"
    assert f'id="budget-{project.id}-hours"' in page
    assert 'value="12.5"' in page


def test_budget_negative_is_refused_next_to_the_field(client):
    project = make_project()
    manager_client(client)

    response = post_form(
        client,
        f"/mentoring/projects/{project.id}/budget",
        {"year": YEAR, "hours": "-5"},
        page=REPORT,
    )

    assert response.status_code == 200
    assert field_errors(response.text, f"budget-{project.id}-hours") == [
        "The budget is 0 hours or more."
    ]
    assert budget_minutes(project) is None


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("12.25", "Use steps of half an hour, such as 12.5."),
        ("abc", "Not a valid decimal value."),
        ("NaN", "Not a valid decimal value."),
        ("1e999999", "At most 8,760 hours."),
        ("", "Enter the budget in hours, 0 for none."),
    ],
)
def test_budget_bad_hours_are_refused_next_to_the_field(client, hours, message):
    project = make_project()
    other = make_project()
    manager_client(client)

    response = post_form(
        client,
        f"/mentoring/projects/{project.id}/budget",
        {"year": YEAR, "hours": hours},
        page=REPORT,
    )

    assert response.status_code == 200
    assert field_errors(response.text, f"budget-{project.id}-hours") == [message]
    assert f'id="budget-{other.id}-hours-error"' not in response.text
    assert budget_minutes(project) is None


def test_budget_of_zero_hours_is_saved(client):
    project = make_project()
    manager_client(client)

    post_form(
        client,
        f"/mentoring/projects/{project.id}/budget",
        {"year": YEAR, "hours": "0"},
        page=REPORT,
    )

    assert budget_minutes(project) == 0


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.MENTOR, Role.LAB_MANAGER])
def test_budget_is_refused_to_everyone_but_managers(client, role):
    member = member_of()
    project = make_project(member=member)
    sign_in(client, member if role == Role.APPLICANT else make_user(role))

    response = post_form(
        client,
        f"/mentoring/projects/{project.id}/budget",
        {"year": YEAR, "hours": "40"},
        page="/confirm",
    )

    assert response.status_code == 403
    assert budget_minutes(project) is None


def test_budget_of_a_missing_project_is_not_found(client):
    manager_client(client)

    response = post_form(
        client, "/mentoring/projects/999999/budget", {"year": YEAR, "hours": "10"}, page=REPORT
    )

    assert response.status_code == 404
