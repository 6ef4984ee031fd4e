"""Rules of applications: drafting, completeness, submission and withdrawal (screening is in
screening.py).

The call's dates are checked here against the server's clock on every change, whatever the
page showed: after closes_at nothing can be submitted or changed.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from accelerator.accounts.models import User
from accelerator.applications import policies
from accelerator.applications.enums import (
    NEXT,
    ApplicationStatus,
    RegulatoryProgress,
)
from accelerator.applications.fields import (
    EDITABLE_FIELDS,
    EDITABLE_STATUSES,
    ENUM_FIELDS,
    LAB_CAPABILITIES,
    MENTORING_TOPICS,
    REGULATORY_FIELDS,
    REQUIRED_FIELDS,
    TEXT_LIMITS,
)
from accelerator.applications.models import (
    Application,
    Attachment,
    EligibilityAnswer,
    Submission,
)
from accelerator.calls.models import Call
from accelerator.core.audit import record_audit
from accelerator.core.errors import DomainError
from accelerator.core.mail import queue_email
from accelerator.core.policies import require
from accelerator.extensions import db


class DeadlinePassed(DomainError):
    pass


class CallNotOpen(DomainError):
    pass


class AlreadyApplied(DomainError):
    def __init__(self, message: str, application_id: int):
        super().__init__(message)
        self.application_id = application_id


class NoOrganisation(DomainError):
    pass


class ApplicationIncomplete(DomainError):
    def __init__(self, message: str, missing: list["MissingItem"]):
        super().__init__(message)
        self.missing = missing


class StatusDoesNotAllow(DomainError):
    pass


class TextTooLong(DomainError):
    pass


@dataclass(frozen=True)
class MissingItem:
    field: str
    label: str


# --- starting and editing ----------------------------------------------------------------


def start_application(call: Call, *, by: User, now: datetime) -> Application:
    """A draft for the user's organisation; one organisation applies once per call."""
    if by.organisation_id is None:
        raise NoOrganisation(_("Create or join an organisation before applying."))
    _require_call_accepting(call, now=now)
    application = Application(
        call_id=call.id,
        organisation_id=by.organisation_id,
        created_by_id=by.id,
        created_at=now,
        updated_at=now,
        status=ApplicationStatus.DRAFT,
    )
    db.session.add(application)
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        existing = db.session.scalar(
            select(Application.id).where(
                Application.call_id == call.id,
                Application.organisation_id == by.organisation_id,
            )
        )
        raise AlreadyApplied(
            _("Your organisation already has an application to this call."), existing
        ) from error
    record_audit(
        "application.started",
        by=by,
        object_type="application",
        object_id=application.id,
        now=now,
    )
    db.session.commit()
    return application


def save_draft(
    application: Application,
    *,
    by: User,
    now: datetime,
    fields: dict,
    eligibility: dict[int, bool | None],
) -> None:
    """Saves whatever is filled in, complete or not; submitting is what checks completeness."""
    require(policies.can_edit_application(by, application))
    _require_editable(application, now=now)
    for name, limit in TEXT_LIMITS.items():
        if len(fields.get(name) or "") > limit:
            raise TextTooLong(
                _(
                    "%(field)s is longer than %(limit)d characters.",
                    field=REQUIRED_FIELDS[name],
                    limit=limit,
                )
            )
    for name, value in _typed(fields).items():
        setattr(application, name, value)
    _save_eligibility_answers(application, eligibility)
    application.updated_at = now
    db.session.commit()


def _typed(fields: dict) -> dict:
    """Form values as the model's types; an unknown choice is refused, not stored."""
    typed = {}
    for name in EDITABLE_FIELDS:
        if name not in fields:
            continue
        value = fields[name]
        try:
            if name in ENUM_FIELDS:
                value = ENUM_FIELDS[name](value) if value else None
            elif name in REGULATORY_FIELDS:
                value = RegulatoryProgress(value) if value else RegulatoryProgress.NONE
        except ValueError as error:
            raise DomainError(_("%(value)s is not a valid choice.", value=value)) from error
        typed[name] = value
    if "mentoring_topics" in typed:
        typed["mentoring_topics"] = sorted(set(typed["mentoring_topics"] or []) & MENTORING_TOPICS)
    if "lab_capabilities" in typed:
        typed["lab_capabilities"] = sorted(set(typed["lab_capabilities"] or []) & LAB_CAPABILITIES)
    return typed


def _save_eligibility_answers(application: Application, answers: dict[int, bool | None]) -> None:
    valid_ids = {question.id for question in application.call.eligibility_questions}
    existing = {answer.question_id: answer for answer in _answers_of(application)}
    for question_id, value in answers.items():
        if question_id not in valid_ids:
            continue
        if value is None:
            if question_id in existing:
                db.session.delete(existing[question_id])
        elif question_id in existing:
            existing[question_id].answer = value
        else:
            db.session.add(
                EligibilityAnswer(
                    application_id=application.id, question_id=question_id, answer=value
                )
            )


def _answers_of(application: Application) -> list[EligibilityAnswer]:
    return list(
        db.session.scalars(
            select(EligibilityAnswer).where(EligibilityAnswer.application_id == application.id)
        )
    )


def eligibility_answers_by_question(application: Application) -> dict[int, bool]:
    return {answer.question_id: answer.answer for answer in _answers_of(application)}


# --- completeness and submission ---------------------------------------------------------


def missing_items(application: Application, *, attachments: list[Attachment] | None = None):
    """What still stands between this application and a valid submission."""
    missing = [
        MissingItem(name, _(label))
        for name, label in REQUIRED_FIELDS.items()
        if getattr(application, name) in (None, "", [])
    ]
    answered = eligibility_answers_by_question(application)
    missing.extend(
        MissingItem(f"eligibility_{question.id}", _("Eligibility: %(q)s", q=question.text))
        for question in application.call.eligibility_questions
        if question.id not in answered
    )
    if attachments is None:
        attachments = attachments_of(application)
    if not any(attachment.kind == "pitch_deck" for attachment in attachments):
        missing.append(MissingItem("pitch_deck", _("Pitch deck (PDF)")))
    return missing


def submit_application(application: Application, *, by: User, now: datetime) -> Submission:
    """Validates every required field and keeps an immutable snapshot of what was submitted.

    Submitting again before the deadline adds a new snapshot; earlier ones stay as they were.
    """
    require(policies.can_edit_application(by, application))
    _lock(application)
    _require_editable(application, now=now)
    missing = missing_items(application)
    if missing:
        raise ApplicationIncomplete(
            _(
                "The application is not complete yet: %(count)d item(s) missing.",
                count=len(missing),
            ),
            missing,
        )
    number = 1 + (
        db.session.scalar(
            select(func.max(Submission.number)).where(Submission.application_id == application.id)
        )
        or 0
    )
    submission = Submission(
        application_id=application.id,
        number=number,
        submitted_at=now,
        submitted_by_id=by.id,
        content=snapshot_content(application),
    )
    db.session.add(submission)
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_at = now
    db.session.flush()
    record_audit(
        "application.submitted",
        by=by,
        object_type="application",
        object_id=application.id,
        now=now,
        details={"submission": number},
    )
    queue_email(
        by.email,
        _(
            "Receipt: %(title)s submitted to %(call)s",
            title=application.title,
            call=application.call.title,
        ),
        "application_receipt",
        now=now,
        user=by,
        application=application,
        submission=submission,
    )
    db.session.commit()
    return submission


def snapshot_content(application: Application) -> dict:
    """Everything submitted, as plain JSON values, so later edits cannot reach it."""
    content = {name: _plain(getattr(application, name)) for name in EDITABLE_FIELDS}
    content["organisation"] = application.organisation.legal_name
    content["eligibility"] = [
        {"question": question.text, "answer": answers.get(question.id)}
        for answers in [eligibility_answers_by_question(application)]
        for question in application.call.eligibility_questions
    ]
    content["attachments"] = [
        {
            "id": attachment.id,
            "kind": attachment.kind.value,
            "filename": attachment.original_filename,
            "sha256": attachment.sha256,
            "size_bytes": attachment.size_bytes,
        }
        for attachment in attachments_of(application)
    ]
    return content


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "value"):
        return value.value
    return value


def withdraw_application(application: Application, *, by: User, now: datetime) -> None:
    require(policies.can_edit_application(by, application))
    _lock(application)
    _require_editable(application, now=now)
    _transition(application, ApplicationStatus.WITHDRAWN, "application.withdrawn", by=by, now=now)
    db.session.commit()


def reopen_application(application: Application, *, by: User, now: datetime) -> None:
    """A withdrawn application becomes a draft again while the call is open."""
    require(policies.can_edit_application(by, application))
    _require_call_accepting(application.call, now=now)
    _transition(application, ApplicationStatus.DRAFT, "application.reopened", by=by, now=now)
    db.session.commit()


# --- helpers -----------------------------------------------------------------------------


def attachments_of(application: Application) -> list[Attachment]:
    return list(
        db.session.scalars(
            select(Attachment)
            .where(Attachment.application_id == application.id, Attachment.removed_at.is_(None))
            .order_by(Attachment.uploaded_at, Attachment.id)
        )
    )


def submissions_of(application: Application) -> list[Submission]:
    return list(
        db.session.scalars(
            select(Submission)
            .where(Submission.application_id == application.id)
            .order_by(Submission.number)
        )
    )


def _members_of(application: Application) -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.organisation_id == application.organisation_id)
        ).unique()
    )


def _require_call_accepting(call: Call, *, now: datetime) -> None:
    if now >= call.closes_at:
        raise DeadlinePassed(
            _(
                "The call closed on %(when)s (Madrid time); applications can no longer change.",
                when=format_datetime(call.closes_at, "medium"),
            )
        )
    if not call.is_accepting_applications(now):
        raise CallNotOpen(_("This call is not open for applications."))


def _require_editable(application: Application, *, now: datetime) -> None:
    _require_call_accepting(application.call, now=now)
    if application.status not in EDITABLE_STATUSES:
        raise StatusDoesNotAllow(
            _(
                "An application that is %(status)s cannot be changed.",
                status=application.status.label,
            )
        )


def _transition(
    application: Application, target: ApplicationStatus, action: str, *, by: User, now: datetime
) -> None:
    _move(application, target)
    application.updated_at = now
    record_audit(action, by=by, object_type="application", object_id=application.id, now=now)


def _move(application: Application, target: ApplicationStatus) -> None:
    if target not in NEXT[application.status]:
        raise StatusDoesNotAllow(
            _(
                "An application that is %(status)s cannot become %(target)s.",
                status=application.status.label,
                target=target.label,
            )
        )
    application.status = target


def _lock(application: Application) -> None:
    """Serialises concurrent submissions of one application (a no-op on SQLite)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            select(Application.id).where(Application.id == application.id).with_for_update()
        )
