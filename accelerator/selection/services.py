"""Decisions within the call's quota and the programme's cap, carry-forward and waitlists.

Both limits are checked after taking a lock that every decision takes first (the programme row
on PostgreSQL, the database's write lock on SQLite), so two managers deciding at the same
instant are served one after the other and can never exceed them together.
"""

from collections import defaultdict
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from accelerator.accounts.models import User
from accelerator.applications.enums import NEXT, ApplicationStatus
from accelerator.applications.models import Application
from accelerator.calls.enums import CallStatus
from accelerator.calls.models import Call, Programme
from accelerator.cohorts.enums import ProjectStatus
from accelerator.cohorts.models import Project, cohort_label
from accelerator.cohorts.services import active_projects_of, create_project
from accelerator.core.audit import record_audit
from accelerator.core.errors import DomainError
from accelerator.core.policies import require
from accelerator.core.transactions import releases_lock_on_refusal
from accelerator.extensions import db
from accelerator.selection import policies
from accelerator.selection.enums import Outcome
from accelerator.selection.locks import lock_programme
from accelerator.selection.models import Decision
from accelerator.selection.publishing import queue_letters

DECIDABLE = (
    ApplicationStatus.UNDER_REVIEW,
    ApplicationStatus.ELIGIBLE,
    ApplicationStatus.SELECTED,
    ApplicationStatus.WAITLISTED,
    ApplicationStatus.REJECTED,
)


class QuotaExceeded(DomainError):
    pass


class CapReached(DomainError):
    pass


class DecisionNotAllowed(DomainError):
    pass


class NoNextCall(DomainError):
    pass


class SecondProjectNeedsReason(DomainError):
    pass


@releases_lock_on_refusal
def decide(
    application: Application,
    outcome: Outcome,
    *,
    note: str = "",
    second_project_reason: str = "",
    by: User,
    now: datetime,
) -> Decision:
    """Records select, waitlist or reject; selecting needs a free place in call and programme,
    and, for an organisation that already has an active (or selected) project, a reason."""
    require(policies.can_decide(by))
    programme = lock_programme(application.call.programme_id)
    application = _fresh(application)
    call = application.call
    if call.results_published_at is not None:
        raise DecisionNotAllowed(
            _("Results are published: withdraw a project or promote from the waitlist instead.")
        )
    if application.status not in DECIDABLE:
        raise DecisionNotAllowed(
            _(
                "An application that is %(status)s cannot be decided.",
                status=application.status.label,
            )
        )
    target = ApplicationStatus(outcome.value)
    reason = _second_project_reason(application, second_project_reason, outcome=outcome)
    if target == application.status:  # a new note on the same outcome
        decision = _record(application, outcome, note=note, reason=reason, by=by, now=now)
        db.session.commit()
        return decision
    if target == ApplicationStatus.SELECTED:
        _require_free_place(call, programme)
    application.status = target
    decision = _record(application, outcome, note=note, reason=reason, by=by, now=now)
    db.session.commit()
    return decision


@releases_lock_on_refusal
def promote_from_waitlist(
    application: Application, *, second_project_reason: str = "", by: User, now: datetime
) -> Project:
    """A waitlisted application takes a place freed after publishing, and becomes a project."""
    require(policies.can_decide(by))
    programme = lock_programme(application.call.programme_id)
    application = _fresh(application)
    if application.status != ApplicationStatus.WAITLISTED:
        raise DecisionNotAllowed(_("Only a waitlisted application can be promoted."))
    reason = _second_project_reason(application, second_project_reason, outcome=Outcome.SELECTED)
    _require_free_place(application.call, programme)
    application.status = ApplicationStatus.SELECTED
    _record(
        application,
        Outcome.SELECTED,
        note=_("Promoted from the waitlist."),
        reason=reason,
        by=by,
        now=now,
    )
    project = None
    if application.call.results_published_at is not None:
        project = create_project(application, now=now, second_project_reason=reason)
        queue_letters(application, Outcome.SELECTED, now=now)
    db.session.commit()
    return project


@releases_lock_on_refusal
def withdraw_project(project: Project, *, by: User, now: datetime) -> None:
    """A selected project leaves the programme; its place becomes free for the waitlist."""
    require(policies.can_decide(by))
    lock_programme(project.call.programme_id)
    application = _fresh(db.session.get(Application, project.application_id))
    if ApplicationStatus.WITHDRAWN not in NEXT[application.status]:
        raise DecisionNotAllowed(_("Only a selected project can withdraw."))
    application.status = ApplicationStatus.WITHDRAWN
    project.status = ProjectStatus.WITHDRAWN
    record_audit("project.withdrawn", by=by, object_type="project", object_id=project.id, now=now)
    db.session.commit()


@releases_lock_on_refusal
def carry_forward(call: Call, *, by: User, now: datetime) -> int:
    """Moves a decided call's unused places to the programme's next call; returns how many."""
    require(policies.can_decide(by))
    lock_programme(call.programme_id)
    if call.status not in (CallStatus.DECIDED, CallStatus.ARCHIVED):
        raise DecisionNotAllowed(_("Places are carried forward once the call is decided."))
    unused = call.selection_quota - selected_in_call(call)
    if unused <= 0:
        raise DecisionNotAllowed(_("This call has no unused places."))
    following = db.session.scalar(
        select(Call)
        .where(Call.programme_id == call.programme_id, Call.year > call.year)
        .order_by(Call.year)
        .limit(1)
    )
    if following is None:
        raise NoNextCall(_("Create the next call first; the places go to it."))
    call.selection_quota -= unused
    following.selection_quota += unused
    record_audit(
        "call.places_carried_forward",
        by=by,
        object_type="call",
        object_id=call.id,
        now=now,
        details={"places": unused, "to_call_id": following.id},
    )
    db.session.commit()
    return unused


def selected_in_call(call: Call) -> int:
    return db.session.scalar(
        select(func.count(Application.id)).where(
            Application.call_id == call.id, Application.status == ApplicationStatus.SELECTED
        )
    )


def selected_in_programme(programme: Programme) -> int:
    return db.session.scalar(
        select(func.count(Application.id))
        .join(Call, Call.id == Application.call_id)
        .where(Call.programme_id == programme.id, Application.status == ApplicationStatus.SELECTED)
    )


def _require_free_place(call: Call, programme: Programme) -> None:
    in_call = selected_in_call(call)
    if in_call >= call.selection_quota:
        raise QuotaExceeded(
            _(
                "The call's quota is full: %(used)d of %(quota)d places are taken.",
                used=in_call,
                quota=call.selection_quota,
            )
        )
    in_programme = selected_in_programme(programme)
    if in_programme >= programme.selection_cap:
        raise CapReached(
            _(
                "The programme's cap is reached: %(used)d of %(cap)d projects are selected.",
                used=in_programme,
                cap=programme.selection_cap,
            )
        )


def other_projects_of(organisation_ids: set[int], *, besides: set[int]) -> dict[int, list[str]]:
    """Per organisation, its other active projects and its applications selected elsewhere
    (their projects come at publication), each named with its cohort year; two queries."""
    named = defaultdict(list)
    for project in active_projects_of(organisation_ids):
        if project.application_id not in besides:
            named[project.organisation_id].append(project.label)
    selected = db.session.execute(
        select(
            Application.organisation_id,
            Application.id,
            Application.acronym,
            Application.title,
            Call.year,
        )
        .join(Call, Call.id == Application.call_id)
        .where(
            Application.organisation_id.in_(organisation_ids),
            Application.status == ApplicationStatus.SELECTED,
            Call.results_published_at.is_(None),
            Application.id.not_in(besides),
        )
    )
    for organisation_id, _id, acronym, title, year in selected:
        named[organisation_id].append(cohort_label(name=acronym or title, year=year))
    return dict(named)


def _second_project_reason(application: Application, reason: str, *, outcome: Outcome) -> str:
    """The reason a second project is allowed, required when selecting an application whose
    organisation already has one (or one selected in another call); empty otherwise."""
    if outcome != Outcome.SELECTED:
        return ""
    others = other_projects_of({application.organisation_id}, besides={application.id})
    if not others:
        return ""
    if not reason.strip():
        raise SecondProjectNeedsReason(
            _(
                "%(organisation)s already has an active project: %(projects)s. Selecting this "
                "application needs a reason to allow a second one.",
                organisation=application.organisation.legal_name,
                projects=", ".join(others[application.organisation_id]),
            )
        )
    return reason.strip()


def _record(
    application, outcome: Outcome, *, note: str, reason: str = "", by: User, now: datetime
) -> Decision:
    decision = db.session.scalar(select(Decision).where(Decision.application_id == application.id))
    if decision is None:
        decision = Decision(application_id=application.id)
        db.session.add(decision)
    newly_allowed = bool(reason) and reason != decision.second_project_reason
    decision.second_project_reason = reason or None
    decision.outcome = outcome
    decision.note = note.strip()
    decision.decided_at = now
    decision.decided_by_id = by.id
    db.session.flush()
    record_audit(
        "application.decided",
        by=by,
        object_type="application",
        object_id=application.id,
        now=now,
        details={"outcome": outcome.value},
    )
    if newly_allowed:
        record_audit(
            "application.second_project_allowed",
            by=by,
            object_type="application",
            object_id=application.id,
            now=now,
            details={"reason": reason},
        )
    return decision


def _fresh(application: Application) -> Application:
    """The application as the lock holder sees it, not as it was loaded before the lock."""
    return (
        db.session.scalars(
            select(Application)
            .where(Application.id == application.id)
            .execution_options(populate_existing=True)
        )
        .unique()
        .one()
    )
