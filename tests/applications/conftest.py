"""Fixtures and page readers for the applications tests.

Service calls take the clock as `now=`: tests that hit the deadline to the second build their
applications at a fixed moment (NOW) with `apply_at`. Pages use the server's real clock, so
HTTP tests build calls around the real time with the shared factories.
"""

import html
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from accelerator.applications import services
from accelerator.applications.attachments import add_attachment
from accelerator.applications.enums import AttachmentKind
from accelerator.applications.models import Application, Attachment, Submission
from accelerator.core.clock import utcnow
from accelerator.core.models import AuditEntry, OutboxMessage
from accelerator.extensions import db
from tests.conftest import csrf_token_from
from tests.factories import (
    COMPLETE_APPLICATION,
    PDF_BYTES,
    make_call,
    make_organisation,
    make_user,
)

# A fixed moment for service calls; the call made by `call_at` closes one day later.
NOW = datetime(2030, 3, 4, 10, 0, 0, tzinfo=UTC)
CLOSES_AT = NOW + timedelta(days=1)
SECOND = timedelta(seconds=1)
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
)


def call_at(**fields):
    """A call open at NOW that closes at CLOSES_AT (11:00 on 5 March 2030 in Madrid)."""
    return make_call(now=NOW, opens_at=NOW - timedelta(days=10), closes_at=CLOSES_AT, **fields)


def member_of(organisation=None, **fields):
    """An applicant who belongs to an organisation (a new one unless given)."""
    return make_user(organisation=organisation or make_organisation(), **fields)


def eligibility_passing(call) -> dict[int, bool]:
    return {question.id: question.qualifying_answer for question in call.eligibility_questions}


def apply_at(call, *, member, now=NOW, complete=False, submit=False, **fields) -> Application:
    """An application made through the services at a given moment (make_application uses the
    real clock): complete fills every field, answers eligibility and uploads a pitch deck."""
    application = services.start_application(call, by=member, now=now)
    values = {**(COMPLETE_APPLICATION if complete or submit else {}), **fields}
    eligibility = eligibility_passing(call) if complete or submit else {}
    if values or eligibility:
        services.save_draft(application, by=member, now=now, fields=values, eligibility=eligibility)
    if complete or submit:
        add_attachment(
            application,
            kind=AttachmentKind.PITCH_DECK,
            filename="deck.pdf",
            content=PDF_BYTES,
            by=member,
            now=now,
        )
    if submit:
        services.submit_application(application, by=member, now=now)
    return application


def close_call_now(call) -> None:
    """Moves the call's deadline a minute into the (real) past, as if it had just closed."""
    now = utcnow().replace(microsecond=0)
    call.opens_at = now - timedelta(days=20)
    call.closes_at = now - timedelta(minutes=1)
    call.review_deadline = now + timedelta(days=30)
    db.session.commit()


# --- reading pages -----------------------------------------------------------------------


def field_errors(page: str, field_id: str) -> list[str]:
    """The messages inside the element with id "<field_id>-error", in order."""
    match = re.search(rf'<div id="{re.escape(field_id)}-error"[^>]*>(.*?)</div>', page, re.S)
    assert match, f"the page shows no error next to the field {field_id!r}"
    spans = re.findall(r"<span>(.*?)</span>", match[1], re.S)
    return [html.unescape(text).strip() for text in spans or [match[1]]]


def error_fields(page: str) -> list[str]:
    """The ids of every field that shows an error, in page order."""
    return re.findall(r'<div id="([\w-]+)-error"', page)


def checklist(page: str) -> list[str]:
    """The items of the completeness checklist on an application's page."""
    match = re.search(r'<ul class="checklist">(.*?)</ul>', page, re.S)
    if not match:
        return []
    return [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", match[1], re.S)]


def flashes(client) -> list[tuple[str, str]]:
    """The (category, message) pairs waiting in the client's session for the next page."""
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


def token_of(client, url: str) -> str:
    """A CSRF token of the client's session, read from a page that holds a form."""
    return csrf_token_from(client.get(url).get_data(as_text=True))


# --- reading the database ----------------------------------------------------------------


def emails_to(recipient: str) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.recipient == recipient)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def all_emails() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def audit_trail(action: str | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return list(db.session.scalars(query))


def submissions_of(application) -> list[Submission]:
    query = select(Submission).where(Submission.application_id == application.id)
    return list(db.session.scalars(query.order_by(Submission.number)))


def current_attachments(application) -> list[Attachment]:
    return services.attachments_of(application)


def row_count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))
