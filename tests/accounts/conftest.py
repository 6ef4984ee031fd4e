"""Page and outbox readers for the accounts tests.

Services are called outside any request, as commands call them: emailed links come from
BASE_URL, not from a request.
"""

import html
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from accelerator.core.models import AuditEntry, OutboxMessage
from accelerator.extensions import db

# A fixed moment for service calls: whole seconds, since tokens carry whole seconds.
NOW = datetime(2030, 3, 4, 10, 0, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def application_context(app):
    """Every test here runs in the test app's context, on its database, outside any request."""
    return app


def field_errors(page: str, field_id: str) -> list[str]:
    """The messages inside the element with id "<field_id>-error", in order."""
    match = re.search(rf'<div id="{re.escape(field_id)}-error"[^>]*>(.*?)</div>', page, re.S)
    assert match, f"the page shows no error next to the field {field_id!r}"
    return [html.unescape(message) for message in re.findall(r"<span>(.*?)</span>", match[1])]


def error_fields(page: str) -> list[str]:
    """The ids of every field that shows an error, in page order."""
    return re.findall(r'<div id="([\w-]+)-error"', page)


def flashes(client) -> list[tuple[str, str]]:
    """The (category, message) pairs waiting in the client's session for the next page."""
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


def emails_to(recipient: str) -> list[OutboxMessage]:
    query = (
        select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id)
    )
    return list(db.session.scalars(query))


def link_in(message: OutboxMessage) -> str:
    """The one absolute link in an email's text."""
    (link,) = re.findall(r"https?://\S+", message.body_text)
    return link


def path_of(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


def audit_trail(action: str | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return list(db.session.scalars(query))
