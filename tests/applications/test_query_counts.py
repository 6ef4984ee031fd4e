"""List pages run a number of SQL queries that depends on the view, never on the data."""

from datetime import timedelta
from itertools import cycle, islice

import pytest

from accelerator.accounts.enums import OrganisationKind, Role
from accelerator.accounts.models import Organisation
from accelerator.applications.enums import (
    ApplicationStatus,
    ATMPClass,
    DevelopmentStage,
    TherapeuticArea,
)
from accelerator.applications.models import Application
from accelerator.core.clock import utcnow
from accelerator.extensions import db
from tests.applications.conftest import member_of
from tests.conftest import sign_in
from tests.factories import make_application, make_call, make_user

# The signed-in user, their roles, the call, one page of applications with their
# organisations, and the count for the pager.
MANAGER_LIST_QUERIES = 5
# The signed-in user, their roles, and the organisation's applications with their calls.
DASHBOARD_QUERIES = 3


def _bulk_applications(call, count: int) -> None:
    """`count` organisations with one application each, added in bulk, not through the
    services (which would take seconds for 500)."""
    now = utcnow()
    organisations = [
        Organisation(
            created_at=now,
            legal_name=f"Bulk Therapeutics {number} SL",
            kind=OrganisationKind.STARTUP,
            country="ES",
            city="Valencia",
        )
        for number in range(count)
    ]
    db.session.add_all(organisations)
    db.session.flush()
    statuses = cycle([ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED])
    classes, areas, stages = cycle(ATMPClass), cycle(TherapeuticArea), cycle(DevelopmentStage)
    db.session.add_all(
        Application(
            call_id=call.id,
            organisation_id=organisation.id,
            created_at=now,
            updated_at=now + timedelta(seconds=number),
            status=next(statuses),
            title=f"Bulk project {number}",
            acronym=f"BULK{number}",
            atmp_class=next(classes),
            therapeutic_area=next(areas),
            development_stage=next(stages),
            trl=1 + number % 9,
        )
        for number, organisation in enumerate(organisations)
    )
    db.session.commit()


def _queries_of(client, count_queries, url) -> list[str]:
    client.get(url)  # warm-up: the connection pool and the session are ready
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return statements


@pytest.mark.parametrize("count", [10, 500])
def test_manager_list_page_query_count_is_constant(client, count_queries, count):
    call = make_call()
    _bulk_applications(call, count)
    sign_in(client, make_user(Role.PROGRAMME_MANAGER))

    statements = _queries_of(client, count_queries, f"/manage/calls/{call.id}/applications")

    assert len(statements) == MANAGER_LIST_QUERIES


@pytest.mark.parametrize("count", [10, 500])
def test_manager_list_page_shows_one_page_of_all_applications(client, count):
    call = make_call()
    _bulk_applications(call, count)
    sign_in(client, make_user(Role.PROGRAMME_MANAGER))

    page = client.get(f"/manage/calls/{call.id}/applications").get_data(as_text=True)

    assert f"{count} applications match." in page
    assert page.count('href="/manage/applications/') == min(count, 25)


@pytest.mark.parametrize("count", [1, 3])
def test_dashboard_query_count_is_constant(client, count_queries, count):
    member = member_of()
    for year in islice(range(2030, 2040), count):
        make_application(make_call(year=year), member=member, title=f"Project {year}")
    sign_in(client, member)

    statements = _queries_of(client, count_queries, "/applications")

    assert len(statements) == DASHBOARD_QUERIES
    page = client.get("/applications").get_data(as_text=True)
    assert page.count('<td><a href="/applications/') == count


def test_manager_list_pager_links_keep_the_call_and_the_filters(client):
    call = make_call()
    _bulk_applications(call, 60)
    sign_in(client, make_user(Role.PROGRAMME_MANAGER))

    page = client.get(f"/manage/calls/{call.id}/applications?status=draft").get_data(as_text=True)

    assert "30 applications match." in page
    assert f'href="/manage/calls/{call.id}/applications?status=draft&amp;page=2"' in page
