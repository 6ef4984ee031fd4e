"""The audit trail page: managers only, filters, newest first, a fixed number of queries."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from accelerator.accounts.enums import Role
from accelerator.core.audit import record_audit
from accelerator.extensions import db
from tests.applications.conftest import field_errors
from tests.conftest import sign_in
from tests.factories import make_user

AUDIT_LINK = '<a class="nav-link" href="/audit">Audit trail</a>'
ROW_OBJECT = re.compile(r"<td>\w+ #(\d+)</td>")
NOON = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def _record(action: str, *, by, object_id: int, at: datetime = NOON) -> None:
    record_audit(action, by=by, object_type="user", object_id=object_id, now=at)
    db.session.commit()


def _listed(response) -> list[int]:
    """The object ids of the rows shown, top to bottom."""
    assert response.status_code == 200
    return [int(found) for found in ROW_OBJECT.findall(response.get_data(as_text=True))]


@pytest.fixture
def manager_client(client):
    sign_in(client, make_user(Role.PROGRAMME_MANAGER, email="manager@example.org"))
    return client


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.REVIEWER, Role.MENTOR, Role.LAB_MANAGER])
def test_audit_page_for_other_roles_is_refused_and_unlinked(client, role):
    actor = make_user(role)
    _record("user.registered", by=actor, object_id=actor.id)
    sign_in(client, actor)

    refused = client.get("/audit")
    dashboard = client.get("/dashboard").get_data(as_text=True)

    assert refused.status_code == 403
    assert "user.registered" not in refused.get_data(as_text=True)
    assert AUDIT_LINK not in dashboard


def test_audit_page_for_manager_is_linked_from_navigation(manager_client):
    dashboard = manager_client.get("/dashboard").get_data(as_text=True)

    assert AUDIT_LINK in dashboard


def test_audit_page_lists_newest_first(manager_client):
    actor = make_user()
    for object_id, minutes in [(2, 20), (3, 30), (1, 10)]:
        _record(
            "user.registered", by=actor, object_id=object_id, at=NOON + timedelta(minutes=minutes)
        )

    assert _listed(manager_client.get("/audit")) == [3, 2, 1]


def test_audit_page_filtered_by_action_lists_only_that_action(manager_client):
    actor = make_user()
    _record("role.granted", by=actor, object_id=1, at=NOON)
    _record("user.registered", by=actor, object_id=2, at=NOON + timedelta(minutes=1))
    _record("role.granted", by=actor, object_id=3, at=NOON + timedelta(minutes=2))

    assert _listed(manager_client.get("/audit?action=role.granted")) == [3, 1]


def test_audit_page_filtered_by_actor_email_lists_only_that_actor(manager_client):
    alice = make_user(email="alice@cellvia.example.org")
    bob = make_user(email="bob@cellvia.example.org")
    _record("user.registered", by=alice, object_id=1, at=NOON)
    _record("user.registered", by=bob, object_id=2, at=NOON + timedelta(minutes=1))
    _record("user.locked_out", by=None, object_id=3, at=NOON + timedelta(minutes=2))
    _record("user.profile_updated", by=alice, object_id=4, at=NOON + timedelta(minutes=3))

    assert _listed(manager_client.get("/audit?actor=ALICE@cellvia")) == [4, 1]


def test_audit_page_filtered_by_actor_email_takes_wildcards_literally(manager_client):
    underscore = make_user(email="ana_b@example.org")
    lookalike = make_user(email="anaxb@example.org")
    _record("user.registered", by=underscore, object_id=1, at=NOON)
    _record("user.registered", by=lookalike, object_id=2, at=NOON + timedelta(minutes=1))

    assert _listed(manager_client.get("/audit?actor=ana_b")) == [1]
    assert _listed(manager_client.get("/audit?actor=ana%25b")) == []


def test_audit_page_filtered_by_object_type_lists_only_that_type(manager_client):
    actor = make_user()
    _record("user.registered", by=actor, object_id=1, at=NOON)
    record_audit(
        "organisation.created",
        by=actor,
        object_type="organisation",
        object_id=2,
        now=NOON + timedelta(minutes=1),
    )
    db.session.commit()

    assert _listed(manager_client.get("/audit?object_type=user")) == [1]


@pytest.mark.parametrize(
    ("day", "madrid_midnight"),
    [
        ("2026-03-10", datetime(2026, 3, 9, 23, 0, tzinfo=UTC)),  # winter time, UTC+1
        ("2026-07-10", datetime(2026, 7, 9, 22, 0, tzinfo=UTC)),  # summer time, UTC+2
    ],
)
def test_audit_page_filtered_by_dates_uses_madrid_days(manager_client, day, madrid_midnight):
    actor = make_user()
    next_midnight = madrid_midnight + timedelta(days=1)
    minute = timedelta(minutes=1)
    _record("user.registered", by=actor, object_id=1, at=madrid_midnight - minute)
    _record("user.registered", by=actor, object_id=2, at=madrid_midnight)
    _record("user.registered", by=actor, object_id=3, at=next_midnight - minute)
    _record("user.registered", by=actor, object_id=4, at=next_midnight)

    assert _listed(manager_client.get(f"/audit?since={day}&until={day}")) == [3, 2]
    assert _listed(manager_client.get(f"/audit?since={day}")) == [4, 3, 2]
    assert _listed(manager_client.get(f"/audit?until={day}")) == [3, 2, 1]


@pytest.mark.parametrize("entries", [3, 60])
def test_audit_page_query_count_does_not_grow_with_entries(manager_client, count_queries, entries):
    actors = [make_user() for _ in range(3)]
    for number in range(entries):
        _record(
            "user.registered",
            by=actors[number % 3],
            object_id=number,
            at=NOON + timedelta(minutes=number),
        )

    with count_queries() as statements:
        response = manager_client.get("/audit")

    assert len(_listed(response)) == min(entries, 50)
    assert len(statements) == 6


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("until=9999-12-31", "until", "Enter a date between 2000 and 2100."),
        ("since=0001-01-01", "since", "Enter a date between 2000 and 2100."),
        ("since=2026-03-01&until=9999-12-31", "until", "Enter a date between 2000 and 2100."),
        ("until=10000-01-01", "until", "Not a valid date value."),
    ],
)
def test_audit_page_with_an_implausible_date_says_so_next_to_the_field(
    manager_client, query, field, message
):
    actor = make_user()
    _record("user.registered", by=actor, object_id=1)

    response = manager_client.get(f"/audit?{query}")

    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), field) == [message]
