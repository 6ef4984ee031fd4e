"""What was submitted, read back from a submission's immutable snapshot.

Reviewers score what the applicants submitted, never the working copy they may have edited
since; the snapshot keeps plain JSON values, which come back here as the model's types.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from accelerator.applications.enums import AttachmentKind, RegulatoryProgress
from accelerator.applications.fields import EDITABLE_FIELDS, ENUM_FIELDS, REGULATORY_FIELDS
from accelerator.applications.models import Application, Submission
from accelerator.extensions import db


@dataclass(frozen=True)
class SubmittedAttachment:
    id: int
    kind: AttachmentKind
    filename: str
    size_bytes: int


class SubmittedApplication:
    """The fields of one submission under the names the Application model uses."""

    def __init__(self, submission: Submission):
        content = submission.content
        self.submission = submission
        self.number = submission.number
        self.submitted_at = submission.submitted_at
        for name in EDITABLE_FIELDS:
            setattr(self, name, _typed(name, content.get(name)))
        self.organisation_name: str = content.get("organisation", "")
        self.eligibility: list[dict[str, Any]] = content.get("eligibility", [])
        self.attachments = [
            SubmittedAttachment(
                id=item["id"],
                kind=AttachmentKind(item["kind"]),
                filename=item["filename"],
                size_bytes=item["size_bytes"],
            )
            for item in content.get("attachments", [])
        ]

    def names_attachment(self, attachment_id: int) -> bool:
        return any(attachment.id == attachment_id for attachment in self.attachments)


def _typed(name: str, value):
    if name in ENUM_FIELDS:
        return ENUM_FIELDS[name](value) if value else None
    if name in REGULATORY_FIELDS:
        return RegulatoryProgress(value) if value else RegulatoryProgress.NONE
    return value


def latest_submission(application: Application) -> Submission | None:
    return db.session.scalar(
        select(Submission)
        .where(Submission.application_id == application.id)
        .order_by(Submission.number.desc())
        .limit(1)
    )


def submitted_application(application: Application) -> SubmittedApplication | None:
    """The application as last submitted; None when it never was."""
    submission = latest_submission(application)
    return SubmittedApplication(submission) if submission is not None else None


def submitted_titles(application_ids: list[int]) -> dict[int, str]:
    """Each application's title as last submitted, in one query (for lists of applications)."""
    if not application_ids:
        return {}
    latest = (
        select(Submission.application_id, func.max(Submission.number).label("number"))
        .where(Submission.application_id.in_(application_ids))
        .group_by(Submission.application_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Submission.application_id, Submission.content).join(
            latest,
            (latest.c.application_id == Submission.application_id)
            & (latest.c.number == Submission.number),
        )
    )
    return {application_id: content.get("title", "") for application_id, content in rows}
