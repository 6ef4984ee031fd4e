"""The mail outbox: emails are stored with the action and sent after it commits.

A failed send leaves the message in the outbox with its error; `flask send-mail` retries it.
Nothing here ever undoes the action that queued the email.
"""

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app, g, render_template
from flask.logging import default_handler, has_level_handler
from flask_mail import Message
from sqlalchemy import select

from accelerator.core.characters import one_line
from accelerator.core.clock import utcnow
from accelerator.core.models import OutboxMessage
from accelerator.extensions import db, mail

log = logging.getLogger(__name__)
LINK = re.compile(r"https?://\S+")


def show_logged_emails(app: Flask) -> None:
    """With MAIL_TRANSPORT=log the log is the only way to read an email (a newcomer confirms
    their account from it), so its lines go, at INFO, to the stderr that `flask run` shows."""
    if app.config["MAIL_TRANSPORT"] != "log":
        return
    log.setLevel(logging.INFO)
    if not has_level_handler(log):
        # Flask's own logger ("accelerator", this logger's parent) writes to stderr.
        app.logger.addHandler(default_handler)


@dataclass(frozen=True)
class TextAttachment:
    filename: str
    content_type: str
    body: str


def queue_email(
    recipient: str,
    subject: str,
    template: str,
    *,
    now: datetime,
    attachment: TextAttachment | None = None,
    **context,
):
    """Adds the rendered email to the caller's transaction; it is sent after the commit."""
    message = OutboxMessage(
        created_at=now,
        recipient=recipient,
        template=template,
        subject=one_line(subject),  # a title with a line break would break the header
        # Links come from BASE_URL (core.links), so the text is the same in a request or not.
        body_text=render_template(f"emails/{template}.txt", **context),
    )
    if attachment is not None:
        message.attachment_filename = attachment.filename
        message.attachment_content_type = attachment.content_type
        message.attachment_body = attachment.body
    db.session.add(message)
    db.session.flush()
    if g:
        g.setdefault("queued_email_ids", []).append(message.id)
    return message


def send_queued_in_this_request() -> None:
    """Sends what this request queued, once its transaction has committed."""
    ids = g.pop("queued_email_ids", None) if g else None
    if ids:
        db.session.rollback()  # nothing uncommitted may ride along with the send bookkeeping
        send_outbox(only_ids=ids)


def send_outbox(
    *, only_ids: list[int] | None = None, now: datetime | None = None
) -> tuple[int, int]:
    """Tries every unsent message (or only those given); returns (sent, failed)."""
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.attempts < current_app.config["MAIL_MAX_ATTEMPTS"],
        )
        .order_by(OutboxMessage.id)
    )
    if only_ids is not None:
        query = query.where(OutboxMessage.id.in_(only_ids))
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    sent = failed = 0
    for message in db.session.scalars(query).all():
        if _deliver(message, now=now or utcnow()):
            sent += 1
        else:
            failed += 1
    db.session.commit()
    return sent, failed


def _deliver(message: OutboxMessage, *, now: datetime) -> bool:
    message.attempts += 1
    message.last_attempt_at = now
    try:
        _transport(message)
    except Exception as error:  # noqa: BLE001 -- any transport failure is recorded and retried
        message.last_error = f"{type(error).__name__}: {error}"[:2000]
        log.warning("email %s to %s not sent: %s", message.id, message.recipient, error)
        return False
    message.sent_at = now
    message.last_error = None
    return True


def _transport(message: OutboxMessage) -> None:
    if current_app.config["MAIL_TRANSPORT"] == "log":
        _log_email(message)
        return
    email = Message(
        subject=message.subject,
        recipients=[message.recipient],
        body=message.body_text,
        html=message.body_html,
    )
    if message.attachment_body is not None:
        email.attach(
            message.attachment_filename,
            message.attachment_content_type,
            message.attachment_body.encode(),
        )
    mail.send(email)


def _log_email(message: OutboxMessage) -> None:
    """Who, about what, and the links to follow; never the body, which may hold personal data."""
    links = " ".join(LINK.findall(message.body_text)) or "none"
    log.info("email to %s: %s; links: %s", message.recipient, message.subject, links)
