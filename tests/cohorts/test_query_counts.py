"""The project list and the project page run a number of queries that does not grow with data."""

from datetime import timedelta

import pytest

from accelerator.cohorts import services
from accelerator.cohorts.enums import MilestoneStatus
from accelerator.core.clock import utcnow
from accelerator.extensions import db
from accelerator.labs.models import LabBooking, LabQuota
from accelerator.labs.quota import quarter_of
from tests.cohorts.conftest import (
    FAR_AHEAD,
    NOW,
    make_milestone,
    make_project,
    make_report,
    member_of,
)
from tests.conftest import sign_in
from tests.factories import PDF_BYTES, make_call
from tests.labs.conftest import make_resource

# The signed-in user and their roles; the organisation's projects (call and organisation joined).
PROJECT_LIST_QUERIES = 3
# The signed-in user and their roles; the project (call and organisation joined); its TRL history
# with who changed it; its milestones; its KPI reports with who submitted them; its mentoring
# budget and its used or reserved sessions of the year (mentoring.budget.usage_of); its lab quotas
# and its bookings of the quarter (labs.report.lab_hours_of_project).
PROJECT_PAGE_QUERIES = 10


def _queries_of(client, count_queries, url) -> int:
    client.get(url)  # warm-up: the connection pool and the session are ready
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("count", [1, 3])
def test_project_list_query_count_is_constant(client, count_queries, count):
    member = member_of()
    for year in range(2031, 2031 + count):
        make_project(
            member=member,
            call=make_call(year=year),
            title=f"Project {year}",
            second_project_reason=None if year == 2031 else "A second therapy, spun out",
        )
    sign_in(client, member)

    assert _queries_of(client, count_queries, "/projects") == PROJECT_LIST_QUERIES


@pytest.mark.parametrize("count", [1, 3])
def test_project_page_query_count_is_constant(client, count_queries, count):
    member = member_of()
    project = make_project(member=member, trl=1)
    for number in range(count):
        services.update_trl(project, trl=2 + number, by=member, now=NOW)
        make_milestone(
            project,
            member,
            due=FAR_AHEAD,
            status=MilestoneStatus.AT_RISK,
            evidence=services.EvidencePdf(f"evidence-{number}.pdf", PDF_BYTES),
        )
        make_report(project, member, 2025, 1 + number)
        _add_lab_hours(project)
    sign_in(client, member)

    assert _queries_of(client, count_queries, f"/projects/{project.id}") == PROJECT_PAGE_QUERIES


def _add_lab_hours(project) -> None:
    """A lab with a quota for the project and a booking of this quarter (inserted directly: the
    page reads, it does not book)."""
    resource = make_resource()
    starts_at = utcnow().replace(microsecond=0)
    year, quarter = quarter_of(starts_at)
    db.session.add_all(
        [
            LabQuota(
                lab_id=resource.lab_id,
                project_id=project.id,
                minutes_per_quarter=600,
                updated_at=starts_at,
            ),
            LabBooking(
                resource_id=resource.id,
                project_id=project.id,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=2),
                year=year,
                quarter=quarter,
                created_at=starts_at,
            ),
        ]
    )
    db.session.commit()
