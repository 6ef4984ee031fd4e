"""Fixtures and page readers for the calls tests.

Times in forms are typed in Madrid ("YYYY-MM-DDTHH:MM"); the database keeps UTC.
"""

import html
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from accelerator.accounts.enums import Role
from accelerator.core.models import AuditEntry
from accelerator.extensions import db
from tests.conftest import sign_in
from tests.factories import make_user

# A fixed moment for service calls, well inside the years the calls use.
NOW = datetime(2030, 3, 4, 10, 0, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def request_context(app):
    with app.test_request_context():
        yield


@pytest.fixture
def manager(app):
    return make_user(Role.PROGRAMME_MANAGER)


@pytest.fixture
def manager_client(app, manager):
    client = app.test_client()
    sign_in(client, manager)
    return client


def call_form(**overrides) -> dict:
    """A valid new-call form in Madrid time; override any field."""
    return {
        "title": "ATMP Catalyst 2031",
        "year": "2031",
        "description": "Mentoring, training and lab access.",
        "opens_at": "2031-01-15T09:00",
        "closes_at": "2031-03-31T14:00",
        "review_deadline": "2031-05-15T18:00",
        "selection_quota": "",
        "reviews_per_application": "3",
        **overrides,
    }


def field_errors(page: str, field_id: str) -> list[str]:
    """The messages inside the element with id "<field_id>-error", in order."""
    match = re.search(rf'<div id="{re.escape(field_id)}-error"[^>]*>(.*?)</div>', page, re.S)
    assert match, f"the page shows no error next to the field {field_id!r}"
    return [html.unescape(message) for message in re.findall(r"<span>(.*?)</span>", match[1])]


def error_fields(page: str) -> list[str]:
    """The ids of every field that shows an error, in page order."""
    return re.findall(r'<div id="([\w-]+)-error"', page)


def element_text(page: str, element_id: str) -> str:
    """The text of the element with that id, tags removed and spaces collapsed."""
    match = re.search(rf'<(\w+) id="{re.escape(element_id)}"[^>]*>(.*?)</\1>', page, re.S)
    assert match, f"the page has no element with id {element_id!r}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match[2])).split())


def input_value(page: str, name: str) -> str | None:
    """The value attribute of the input with that name (None when it has none)."""
    match = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', page)
    assert match, f"the page has no input named {name!r}"
    value = re.search(r'\bvalue="([^"]*)"', match[0])
    return html.unescape(value[1]) if value else None


def flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


def audit_trail(action: str) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    return list(db.session.scalars(query))


def field_errors_plain(page: str, field_id: str) -> str:
    """The text of the error element next to a field that joins its messages with spaces."""
    return element_text(page, f"{field_id}-error")
