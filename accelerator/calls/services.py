"""Rules for programmes and calls: dates, quotas, rubric weights, status changes."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accelerator.calls import policies
from accelerator.calls.enums import NEXT, CallStatus
from accelerator.calls.models import Call, EligibilityQuestion, Programme, RubricCriterion
from accelerator.core.audit import record_audit
from accelerator.core.errors import DomainError
from accelerator.core.policies import require
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


def update_call(call: Call, *, by, now: datetime, **fields) -> None:
    require(policies.can_manage_calls(by))
    _check_dates(fields["opens_at"], fields["closes_at"], fields["review_deadline"])
    if fields.get("selection_quota", call.selection_quota) is None:
        fields["selection_quota"] = call.programme.default_quota
    for name, value in fields.items():
        setattr(call, name, value)
    _flush_call()
    record_audit("call.updated", by=by, object_type="call", object_id=call.id, now=now)
    db.session.commit()


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
    """Moves the call along its lifecycle; review starts only once the call has closed."""
    require(policies.can_manage_calls(by))
    if target not in NEXT[call.status]:
        raise TransitionNotAllowed(
            _(
                "A call that is %(current)s cannot become %(target)s.",
                current=call.status.label,
                target=target.label,
            )
        )
    if target == CallStatus.OPEN and call.rubric_weight_total != 100:
        raise WeightsDoNotSumTo100(_("Fix the rubric first: its weights must add up to 100 %."))
    if target == CallStatus.IN_REVIEW and now < call.closes_at:
        raise TransitionNotAllowed(_("Review can start only after the call has closed."))
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


def next_statuses(call: Call) -> set[CallStatus]:
    return NEXT[call.status]


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
