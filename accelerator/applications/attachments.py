"""Attachments: PDFs checked by content, at most 10 MB, stored outside static/."""

import hashlib
import secrets
from datetime import datetime
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from accelerator.accounts.models import User
from accelerator.applications import policies
from accelerator.applications.enums import AttachmentKind
from accelerator.applications.models import Application, Attachment
from accelerator.applications.services import _require_editable, attachments_of
from accelerator.core.audit import record_audit
from accelerator.core.characters import LINE_BREAK, without_control_characters
from accelerator.core.errors import DomainError
from accelerator.core.policies import require
from accelerator.extensions import db

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
PDF_SIGNATURE = b"%PDF-"
PDF_SUFFIX = ".pdf"


class NotAPdf(DomainError):
    pass


class FileTooLarge(DomainError):
    pass


def upload_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def check_pdf(content: bytes) -> None:
    """At most 10 MB, and a PDF by its first bytes, never by its name."""
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise FileTooLarge(_("The file is larger than 10 MB."))
    if content.lstrip()[:5] != PDF_SIGNATURE:
        raise NotAPdf(_("The file is not a PDF. Please upload a PDF document."))


def stored_path(attachment: Attachment) -> Path:
    return upload_folder() / attachment.stored_name


def add_attachment(
    application: Application,
    *,
    kind: AttachmentKind,
    filename: str,
    content: bytes,
    by: User,
    now: datetime,
) -> Attachment:
    """Stores a PDF; a new pitch deck replaces the previous one (letters accumulate).

    The type is judged by the file's first bytes, never by its name.
    """
    require(policies.can_edit_application(by, application))
    _require_editable(application, now=now)
    check_pdf(content)
    replaced = [
        existing
        for existing in attachments_of(application)
        if kind == AttachmentKind.PITCH_DECK and existing.kind == AttachmentKind.PITCH_DECK
    ]
    attachment = Attachment(
        application_id=application.id,
        kind=kind,
        original_filename=safe_filename(filename),
        stored_name=secrets.token_hex(16),
        size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_at=now,
        uploaded_by_id=by.id,
    )
    db.session.add(attachment)
    for old in replaced:
        old.removed_at = now
    application.updated_at = now
    db.session.flush()
    record_audit(
        "application.attachment_added",
        by=by,
        object_type="application",
        object_id=application.id,
        now=now,
        details={"kind": kind.value, "filename": attachment.original_filename},
    )
    path = stored_path(attachment)
    path.write_bytes(content)
    try:
        db.session.commit()
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return attachment


def remove_attachment(attachment: Attachment, *, by: User, now: datetime) -> None:
    application = attachment.application
    require(policies.can_edit_application(by, application))
    _require_editable(application, now=now)
    attachment.removed_at = now
    application.updated_at = now
    record_audit(
        "application.attachment_removed",
        by=by,
        object_type="application",
        object_id=application.id,
        now=now,
        details={"kind": attachment.kind.value, "filename": attachment.original_filename},
    )
    db.session.commit()


def safe_filename(filename: str) -> str:
    """The name a PDF is kept and offered under: no folders, line breaks or control characters,
    at most 255 characters, and ending in .pdf whatever it was called (the content is a PDF)."""
    name = Path((filename or "").replace("\\", "/")).name
    name = without_control_characters(LINE_BREAK.sub("", name)).strip()
    if name.lower().endswith(PDF_SUFFIX):
        stem, suffix = name[: -len(PDF_SUFFIX)], name[-len(PDF_SUFFIX) :]  # "deck.PDF" stays
    else:
        stem, suffix = name, PDF_SUFFIX
    return f"{stem[: 255 - len(suffix)] or 'document'}{suffix}"
