"""Rules for programmes and calls: dates, quotas, rubric weights, status changes."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from accelerator.calls import policies
from accelerator.calls.enums import NEXT, CallStatus
from accelerator.calls.models import Call, EligibilityQuestion, Programme, RubricCriterion
from accelerator.core.audit import record_audit
from accelerator.core.errors import DomainError
from accelerator.core.policies import require
from accelerator.core.transactions import update_while
from accelerator.extensions import db

PROGRAMME_NAME = "ATMP Catalyst"


class DatesOutOfOrder(DomainError):
    pass


class WeightsDoNotSumTo100(DomainError):
    pass


class RubricLocked(DomainError):
    pass


class TransitionNotAllowed(DomainError):
    pass


class YearTaken(DomainError):
    pass


class ClosingWithDrafts(DomainError):
    """Carries how many drafts the earlier closing date would shut out."""

    def __init__(self, message: str, drafts: int):
        super().__init__(message)
        self.drafts = drafts


class BlindReviewLocked(DomainError):
    pass


class ReviewPhaseNotOpen(DomainError):
    pass


@dataclass(frozen=True)
class CriterionDraft:
    name: str
    description: str
    weight: int
    scale_max: Decimal = Decimal("5")
    scale_step: Decimal = Decimal("0.5")


# SPEC: excellence and innovation 30 %, unmet need and impact 30 %, team 25 %, fit 15 %.
DEFAULT_RUBRIC = (
    CriterionDraft("Excellence and innovation", "Scientific quality and novelty.", 30),
    CriterionDraft("Unmet need and impact", "Medical need addressed and expected impact.", 30),
    CriterionDraft("Team and implementation", "Team, plan, resources and risks.", 25),
    CriterionDraft("Fit with the programme", "How much the programme can help.", 15),
)

DEFAULT_ELIGIBILITY_QUESTIONS = (
    ("Is the product an advanced therapy (cell, gene or tissue-engineered)?", True),
    ("Is the organisation registered in Spain or another EU member state?", True),
    ("Has the project already received a marketing authorisation?", False),
)


def the_programme(*, now: datetime) -> Programme:
    """The one programme this installation runs, created with SPEC's defaults if missing."""
    programme = db.session.scalar(select(Programme).where(Programme.name == PROGRAMME_NAME))
    if programme is None:
        programme = Programme(created_at=now, name=PROGRAMME_NAME)
        db.session.add(programme)
        db.session.flush()
    return programme


def create_call(programme: Programme, *, by, now: datetime, **fields) -> Call:
    """A draft call with the default rubric and eligibility questions."""
    require(policies.can_manage_calls(by))
    _check_dates(fields["opens_at"], fields["closes_at"], fields["review_deadline"])
    if fields.get("selection_quota") is None:
        fields["selection_quota"] = programme.default_quota
    call = Call(created_at=now, programme=programme, status=CallStatus.DRAFT, **fields)
    call.criteria = [
        RubricCriterion(position=index, **draft.__dict__)
        for index, draft in enumerate(DEFAULT_RUBRIC, start=1)
    ]
    call.eligibility_questions = [
        EligibilityQuestion(position=index, text=text, qualifying_answer=answer)
        for index, (text, answer) in enumerate(DEFAULT_ELIGIBILITY_QUESTIONS, start=1)
    ]
    db.session.add(call)
    _flush_call()
    record_audit("call.created", by=by, object_type="call", object_id=call.id, now=now)
    db.session.commit()
    return call


def update_call(
    call: Call, *, by, now: datetime, close_with_drafts: bool = False, **fields
) -> None:
    """Saves the call's dates and settings, refusing the edits that would hurt someone: a
    closing date moved into the past while drafts are still being written (unless the manager
    confirms it), and blind review switched on or off once a review has been submitted."""
    require(policies.can_manage_calls(by))
    _check_dates(fields["opens_at"], fields["closes_at"], fields["review_deadline"])
    _check_closing_early(call, fields["closes_at"], now=now, confirmed=close_with_drafts)
    _check_blind_review_unchanged(call, fields.get("blind_review", call.blind_review))
    if fields.get("selection_quota", call.selection_quota) is None:
        fields["selection_quota"] = call.programme.default_quota
    changed = {
        name: {"from": _plain(getattr(call, name)), "to": _plain(value)}
        for name, value in fields.items()
        if getattr(call, name) != value
    }
    for name, value in fields.items():
        setattr(call, name, value)
    _flush_call()
    record_audit(
        "call.updated",
        by=by,
        object_type="call",
        object_id=call.id,
        now=now,
        details={"changed": changed} if changed else None,
    )
    db.session.commit()


def drafts_in_call(call: Call) -> int:
    """Applications of the call still being written (read through the table: calls sit below
    applications in the layers)."""
    applications = db.metadata.tables["applications"]
    return db.session.scalar(
        select(func.count())
        .select_from(applications)
        .where(applications.c.call_id == call.id, applications.c.status == "draft")
    )


def _check_closing_early(call: Call, closes_at: datetime, *, now: datetime, confirmed: bool):
    if confirmed or closes_at > now or not call.is_accepting_applications(now):
        return
    drafts = drafts_in_call(call)
    if drafts:
        raise ClosingWithDrafts(
            _(
                "%(count)d draft application(s) have not been submitted yet: closing the call "
                "now ends their chance to submit. Confirm below to close it anyway.",
                count=drafts,
            ),
            drafts,
        )


def _check_blind_review_unchanged(call: Call, blind_review: bool) -> None:
    if blind_review != call.blind_review and has_submitted_reviews(call):
        raise BlindReviewLocked(
            _(
                "Blind review cannot be switched on or off once a review has been submitted: "
                "the reviewers have already read the applications that way."
            )
        )


def _plain(value):
    return value.isoformat() if isinstance(value, datetime) else value


def close_review_phase(call: Call, *, by, now: datetime) -> None:
    """Ends the review phase before its deadline, so that the results can be published: from
    now on no review is written, changed or submitted."""
    require(policies.can_manage_calls(by))
    if now < call.closes_at:
        raise ReviewPhaseNotOpen(_("The review phase starts once the call has closed."))
    # A conditional update: two managers closing at once record it once.
    closed = update_while(
        Call,
        call.id,
        Call.review_closed_at.is_(None),
        Call.results_published_at.is_(None),
        Call.review_deadline > now,
        values={"review_closed_at": now},
    )
    if not closed:
        db.session.rollback()
        raise ReviewPhaseNotOpen(_("The review phase of this call is already over."))
    record_audit("call.review_phase_closed", by=by, object_type="call", object_id=call.id, now=now)
    db.session.commit()
    db.session.refresh(call)


def save_rubric(call: Call, criteria: list[CriterionDraft], *, by, now: datetime) -> None:
    """Replaces the rubric; weights must sum to 100 and no review may have been submitted."""
    require(policies.can_manage_calls(by))
    if has_submitted_reviews(call):
        raise RubricLocked(_("The rubric cannot change once a review has been submitted."))
    total = sum(criterion.weight for criterion in criteria)
    if not criteria or total != 100:
        raise WeightsDoNotSumTo100(
            _("The weights add up to %(total)d %%; they must add up to 100 %%.", total=total)
        )
    call.criteria.clear()
    db.session.flush()
    call.criteria.extend(
        RubricCriterion(position=index, **criterion.__dict__)
        for index, criterion in enumerate(criteria, start=1)
    )
    record_audit(
        "call.rubric_saved",
        by=by,
        object_type="call",
        object_id=call.id,
        now=now,
        details={"criteria": [f"{c.name} ({c.weight} %)" for c in criteria]},
    )
    db.session.commit()


def save_eligibility_questions(
    call: Call, questions: list[tuple[str, bool]], *, by, now: datetime
) -> None:
    require(policies.can_manage_calls(by))
    call.eligibility_questions.clear()
    db.session.flush()
    call.eligibility_questions.extend(
        EligibilityQuestion(position=index, text=text, qualifying_answer=answer)
        for index, (text, answer) in enumerate(questions, start=1)
    )
    record_audit("call.eligibility_saved", by=by, object_type="call", object_id=call.id, now=now)
    db.session.commit()


def change_call_status(call: Call, target: CallStatus, *, by, now: datetime) -> None:
    """Moves the call along its lifecycle; review starts only once the call has closed, and the
    call is decided only once its review phase is over."""
    require(policies.can_manage_calls(by))
    problem = transition_problem(call, target, now=now)
    if problem is not None:
        raise problem
    previous = call.status
    call.status = target
    record_audit(
        "call.status_changed",
        by=by,
        object_type="call",
        object_id=call.id,
        now=now,
        details={"from": previous.value, "to": target.value},
    )
    db.session.commit()


def transition_problem(call: Call, target: CallStatus, *, now: datetime) -> DomainError | None:
    """Why the call cannot move to `target` now, as the error to raise; None when it can."""
    if target not in NEXT[call.status]:
        return TransitionNotAllowed(
            _(
                "A call that is %(current)s cannot become %(target)s.",
                current=call.status.label,
                target=target.label,
            )
        )
    if target == CallStatus.OPEN and call.rubric_weight_total != 100:
        return WeightsDoNotSumTo100(_("Fix the rubric first: its weights must add up to 100 %."))
    if target == CallStatus.IN_REVIEW and now < call.closes_at:
        return TransitionNotAllowed(_("Review can start only after the call has closed."))
    if target == CallStatus.DECIDED and policies.is_review_phase_open(call, now):
        return TransitionNotAllowed(
            _(
                "The call is decided once its review phase is over: wait for the review "
                "deadline or close the review phase first."
            )
        )
    return None


def next_statuses(call: Call, *, now: datetime) -> dict[CallStatus, str | None]:
    """Each status the call could move to next, with why it cannot now (None when it can)."""
    problems = {target: transition_problem(call, target, now=now) for target in NEXT[call.status]}
    return {
        target: None if problem is None else str(problem)
        for target, problem in sorted(problems.items())
    }


def has_submitted_reviews(call: Call) -> bool:
    # Read through the tables, not the review models: calls sit below reviews in the layers.
    tables = db.metadata.tables
    reviews, assignments, applications = (
        tables["reviews"],
        tables["assignments"],
        tables["applications"],
    )
    query = (
        select(reviews.c.id)
        .join(assignments, assignments.c.id == reviews.c.assignment_id)
        .join(applications, applications.c.id == assignments.c.application_id)
        .where(applications.c.call_id == call.id, reviews.c.status == "submitted")
        .limit(1)
    )
    return db.session.execute(query).first() is not None


def _check_dates(opens_at: datetime, closes_at: datetime, review_deadline: datetime) -> None:
    if not opens_at < closes_at:
        raise DatesOutOfOrder(_("The call must close after it opens."))
    if not closes_at < review_deadline:
        raise DatesOutOfOrder(_("The review deadline must come after the call closes."))


def _flush_call() -> None:
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        message = str(error.orig)
        if not ("programme_id" in message and "year" in message):  # the (programme, year) key
            raise
        raise YearTaken(_("The programme already has a call for this year.")) from error
