"""Decision letters: editable per outcome, previewed, then sent to every applicant at once."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from accelerator.accounts.models import User
from accelerator.applications.enums import ApplicationStatus
from accelerator.applications.models import Application
from accelerator.calls.enums import CallStatus
from accelerator.calls.locks import lock_call
from accelerator.calls.models import Call
from accelerator.cohorts.services import create_project
from accelerator.core.audit import record_audit
from accelerator.core.mail import queue_email
from accelerator.core.policies import require
from accelerator.core.transactions import releases_lock_on_refusal
from accelerator.extensions import db
from accelerator.reviews.published import freeze_ranking
from accelerator.selection import policies
from accelerator.selection.enums import Outcome
from accelerator.selection.locks import lock_programme
from accelerator.selection.models import Decision, DecisionLetter
from accelerator.selection.readiness import AlreadyPublished, publication_summary

DEFAULT_LETTERS = {
    Outcome.SELECTED: (
        "Your application to {call} is selected",
        "Dear {name},\n\nWe are delighted to tell you that {project} of {organisation} is "
        "selected for {call}. The programme office will contact you about the kick-off, "
        "mentoring and lab access.\n\nThe reviewers' comments are on your application page.",
    ),
    Outcome.WAITLISTED: (
        "Your application to {call} is on the waiting list",
        "Dear {name},\n\n{project} of {organisation} is on the waiting list of {call}. If a "
        "place becomes free, we will write to you at once.\n\nThe reviewers' comments are on "
        "your application page.",
    ),
    Outcome.REJECTED: (
        "Your application to {call}",
        "Dear {name},\n\nThank you for applying to {call}. We are sorry that {project} of "
        "{organisation} is not selected this year.\n\nThe reviewers' comments on your "
        "application page may help a future application.",
    ),
}


def letters_of(call: Call, *, now: datetime) -> dict[Outcome, DecisionLetter]:
    """The call's letters, created from the defaults the first time they are needed."""
    letters = {
        letter.outcome: letter
        for letter in db.session.scalars(
            select(DecisionLetter).where(DecisionLetter.call_id == call.id)
        )
    }
    for outcome, (subject, body) in DEFAULT_LETTERS.items():
        if outcome not in letters:
            letters[outcome] = DecisionLetter(
                call_id=call.id, outcome=outcome, subject=subject, body=body, updated_at=now
            )
            db.session.add(letters[outcome])
    db.session.flush()
    return letters


def save_letter(
    call: Call, outcome: Outcome, *, subject: str, body: str, by: User, now: datetime
) -> None:
    require(policies.can_decide(by))
    if call.results_published_at is not None:
        raise AlreadyPublished(_("The results are published; the letters were sent."))
    letter = letters_of(call, now=now)[outcome]
    letter.subject = subject.strip()
    letter.body = body.strip()
    letter.updated_at = now
    record_audit(
        "call.letter_saved",
        by=by,
        object_type="call",
        object_id=call.id,
        now=now,
        details={"outcome": outcome.value},
    )
    db.session.commit()


def fill(text: str, *, application: Application, member: User) -> str:
    """Replaces the placeholders; anything else in braces stays as written."""
    values = {
        "{name}": member.name,
        "{project}": application.title or _("your project"),
        "{call}": application.call.title,
        "{organisation}": application.organisation.legal_name,
    }
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text


def first_member(application: Application) -> User | None:
    return (
        db.session.scalars(
            select(User)
            .where(User.organisation_id == application.organisation_id)
            .order_by(User.id)
        )
        .unique()
        .first()
    )


def queue_letters(application: Application, outcome: Outcome, *, now: datetime) -> int:
    """One email per member of the applying organisation; returns how many."""
    letter = letters_of(application.call, now=now)[outcome]
    members = (
        db.session.scalars(
            select(User)
            .where(User.organisation_id == application.organisation_id)
            .order_by(User.id)
        )
        .unique()
        .all()
    )
    for member in members:
        queue_email(
            member.email,
            fill(letter.subject, application=application, member=member),
            "decision_letter",
            now=now,
            body=fill(letter.body, application=application, member=member),
            application=application,
        )
    return len(members)


def decided_applications(call: Call) -> list[tuple[Application, Decision]]:
    return list(
        db.session.execute(
            select(Application, Decision)
            .join(Decision, Decision.application_id == Application.id)
            .where(Application.call_id == call.id)
            .order_by(Application.id)
        ).unique()
    )


@releases_lock_on_refusal
def publish_results(call: Call, *, by: User, now: datetime) -> int:
    """Sends every decision letter once, opens the results to applicants, creates projects.

    Refused while the review phase is open, while an application has no decision, with no
    decision at all, and once published: the confirmation page shows the same reasons.
    """
    require(policies.can_decide(by))
    # Two managers publishing at once, or a decision changed meanwhile, would send letters twice
    # or letters that no longer match: publishing waits for the same lock as deciding, and holds
    # the call's row so that no review is saved while it reads them.
    lock_programme(call.programme_id)
    call = lock_call(call.id, shared=False)
    blockers = publication_summary(call, now=now).blockers
    if blockers:
        raise blockers[0]
    freeze_ranking(call, now=now)
    sent = 0
    for application, decision in decided_applications(call):
        if application.status == ApplicationStatus.WITHDRAWN:
            continue
        if application.status == ApplicationStatus.SELECTED:
            create_project(
                application, now=now, second_project_reason=decision.second_project_reason
            )
        sent += queue_letters(application, decision.outcome, now=now)
    call.results_published_at = now
    if call.status in (CallStatus.IN_REVIEW, CallStatus.OPEN):
        call.status = CallStatus.DECIDED
    record_audit(
        "call.results_published",
        by=by,
        object_type="call",
        object_id=call.id,
        now=now,
        details={"emails": sent},
    )
    db.session.commit()
    return sent
