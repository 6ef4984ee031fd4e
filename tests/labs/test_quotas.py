"""The programme managers' quota table: each active project's hours per quarter at each lab, the
quarter's booked hours, and setting one of them."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from accelerator.accounts.enums import Role
from accelerator.cohorts.enums import ProjectStatus
from accelerator.core.clock import utcnow
from accelerator.extensions import db
from accelerator.labs.enums import BookingStatus
from accelerator.labs.models import LabBooking, LabQuota
from accelerator.labs.quota import quarter_of
from tests.cohorts.conftest import (
    field_errors,
    make_namesakes,
    make_project,
    member_of,
    text_of,
)
from tests.conftest import post_form, sign_in
from tests.factories import make_user
from tests.labs.conftest import make_lab, make_lab_manager, make_resource

QUOTAS = "/labs/quotas"
# The signed-in user and their roles; the labs; the active projects (call and organisation
# joined); quota.usage_by_lab_and_project (labs, quotas, bookings of the quarter).
QUOTA_PAGE_QUERIES = 7


def manager(client):
    user = make_user(Role.PROGRAMME_MANAGER)
    sign_in(client, user)
    return user


def quota_minutes(lab, project) -> int | None:
    return db.session.scalar(
        select(LabQuota.minutes_per_quarter).where(
            LabQuota.lab_id == lab.id, LabQuota.project_id == project.id
        )
    )


def book_this_quarter(resource, project, *, hours: int, status=BookingStatus.APPROVED):
    starts_at = utcnow().replace(microsecond=0)
    year, quarter = quarter_of(starts_at)
    db.session.add(
        LabBooking(
            resource_id=resource.id,
            project_id=project.id,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours),
            year=year,
            quarter=quarter,
            status=status,
            created_at=starts_at,
            cancelled_at=starts_at if status == BookingStatus.CANCELLED else None,
        )
    )
    db.session.commit()


def test_quota_table_shows_each_active_project_at_each_lab(client):
    leitat, park = make_lab(name="Leitat"), make_lab(name="Barcelona Science Park")
    project = make_project(title="CAR-T for glioma")
    withdrawn = make_project(title="Cartilage scaffold")
    withdrawn.status = ProjectStatus.WITHDRAWN
    db.session.commit()
    book_this_quarter(make_resource(park), project, hours=3)
    book_this_quarter(make_resource(park), project, hours=5, status=BookingStatus.CANCELLED)
    year, quarter = quarter_of(utcnow())
    manager(client)

    page = client.get(QUOTAS).text

    assert text_of(page, f"quota-{project.id}-{park.id}-booked") == (
        f"3 h booked in Q{quarter} {year}"
    )
    assert text_of(page, f"quota-{project.id}-{leitat.id}-booked") == (
        f"0 h booked in Q{quarter} {year}"
    )
    # Without a quota set, the default 40 h.
    assert (
        f'id="quota-{project.id}-{leitat.id}-hours" min="0" name="hours" required step="0.5"'
        ' type="number" value="40.0"'
    ) in page
    assert "Cartilage scaffold" not in page


def test_quota_table_tells_apart_two_projects_with_one_acronym_in_two_cohorts(client):
    lab = make_lab(name="Leitat")
    _member, older, newer = make_namesakes()
    manager(client)

    page = client.get(QUOTAS).text

    assert [
        re.search(rf'<label [^>]*for="quota-{project.id}-{lab.id}-hours">([^<]+)', page)[1]
        for project in (older, newer)
    ] == [
        "Hours per quarter of RETIGENE (cohort 2024) at Leitat",
        "Hours per quarter of RETIGENE (cohort 2025) at Leitat",
    ]
    assert page.count(">RETIGENE (cohort 2024)</a>") == page.count(">RETIGENE (cohort 2025)</a>")
    assert page.count(">RETIGENE (cohort 2024)</a>") == 1


def test_quota_in_half_hours_is_saved(client):
    lab = make_lab()
    project = make_project()
    manager(client)

    response = post_form(
        client, QUOTAS, {"project_id": project.id, "lab_id": lab.id, "hours": "12.5"}
    )

    assert response.status_code == 302
    assert response.location == f"/labs/quotas#quota-{project.id}-{lab.id}"
    assert quota_minutes(lab, project) == 750
    page = client.get(QUOTAS).text
    assert 'value="12.5"' in page


def test_quota_negative_is_refused_next_to_the_field(client):
    lab = make_lab()
    project = make_project()
    other_lab = make_lab()
    manager(client)

    response = post_form(
        client, QUOTAS, {"project_id": project.id, "lab_id": lab.id, "hours": "-5"}
    )

    assert response.status_code == 200
    assert field_errors(response.text, f"quota-{project.id}-{lab.id}-hours") == [
        "The quota is 0 hours or more."
    ]
    assert f'id="quota-{project.id}-{other_lab.id}-hours-error"' not in response.text
    assert quota_minutes(lab, project) is None


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("12.25", "Use steps of half an hour, such as 12.5."),
        ("abc", "Not a valid decimal value."),
        ("NaN", "Not a valid decimal value."),
        ("1e999999", "At most 2,208 hours."),
        ("", "Enter the hours per quarter, 0 for none."),
    ],
)
def test_quota_bad_hours_are_refused_next_to_the_field(client, hours, message):
    lab = make_lab()
    project = make_project()
    manager(client)

    response = post_form(
        client, QUOTAS, {"project_id": project.id, "lab_id": lab.id, "hours": hours}
    )

    assert response.status_code == 200
    assert field_errors(response.text, f"quota-{project.id}-{lab.id}-hours") == [message]
    assert quota_minutes(lab, project) is None


def test_quota_of_zero_hours_is_saved(client):
    lab = make_lab()
    project = make_project()
    manager(client)

    post_form(client, QUOTAS, {"project_id": project.id, "lab_id": lab.id, "hours": "0"})

    assert quota_minutes(lab, project) == 0


@pytest.mark.parametrize(
    "ids", [{"project_id": 999_999}, {"lab_id": 999_999}, {"project_id": ""}, {"lab_id": "x"}]
)
def test_quota_of_a_missing_project_or_lab_is_not_found(client, ids):
    lab = make_lab()
    project = make_project()
    manager(client)

    response = post_form(
        client, QUOTAS, {"project_id": project.id, "lab_id": lab.id, "hours": "10"} | ids
    )

    assert response.status_code == 404


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.MENTOR, Role.REVIEWER, Role.LAB_MANAGER])
def test_quotas_are_refused_to_everyone_but_programme_managers(client, role):
    lab = make_lab()
    member = member_of()
    project = make_project(member=member)
    user = {Role.APPLICANT: member, Role.LAB_MANAGER: make_lab_manager(lab)}.get(role)
    sign_in(client, user or make_user(role))

    page = client.get(QUOTAS)
    posted = post_form(
        client,
        QUOTAS,
        {"project_id": project.id, "lab_id": lab.id, "hours": "12.5"},
        page="/confirm",
    )

    assert page.status_code == 403
    assert posted.status_code == 403
    assert quota_minutes(lab, project) is None


@pytest.mark.parametrize("count", [1, 3])
def test_quota_page_query_count_is_constant(client, count_queries, count):
    labs = [make_lab() for _ in range(count)]
    for _ in range(count):
        project = make_project()
        for lab in labs:
            book_this_quarter(make_resource(lab), project, hours=2)
    manager(client)
    client.get(QUOTAS)  # warm-up: the connection pool and the session are ready

    with count_queries() as statements:
        response = client.get(QUOTAS)

    assert response.status_code == 200
    assert len(statements) == QUOTA_PAGE_QUERIES
