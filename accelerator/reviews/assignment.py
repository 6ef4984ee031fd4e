"""Assigning reviewers: manually, and automatically with a deterministic, balanced plan."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accelerator.accounts.enums import Role
from accelerator.accounts.models import RoleGrant, User, UserExpertise
from accelerator.applications.enums import ApplicationStatus
from accelerator.applications.models import Application
from accelerator.calls.models import Call
from accelerator.core.audit import record_audit
from accelerator.core.errors import DomainError
from accelerator.core.policies import require
from accelerator.extensions import db
from accelerator.reviews import policies
from accelerator.reviews.conflicts import conflicts_in_call
from accelerator.reviews.enums import ReviewStatus
from accelerator.reviews.models import Assignment, Review

REVIEWABLE = (ApplicationStatus.ELIGIBLE, ApplicationStatus.UNDER_REVIEW)


class ConflictOfInterest(DomainError):
    pass


class NotAReviewer(DomainError):
    pass


class AlreadyAssigned(DomainError):
    pass


class NotReviewable(DomainError):
    pass


class ReviewAlreadySubmitted(DomainError):
    pass


# --- the plan: pure data in, pure data out -----------------------------------------------


@dataclass(frozen=True)
class Plan:
    new_pairs: list[tuple[int, int]]  # (application_id, reviewer_id), in the order chosen
    short: dict[int, int] = field(default_factory=dict)  # application_id: reviewers missing


def plan_assignments(
    *,
    applications: dict[int, set[str]],
    reviewers: dict[int, set[str]],
    existing: Iterable[tuple[int, int]],
    excluded: Iterable[tuple[int, int]],
    per_application: int,
) -> Plan:
    """Gives every application `per_application` reviewers, keeping existing assignments.

    Applications with the fewest possible reviewers are served first; each takes the least
    loaded reviewers, preferring matching expertise, then the lower id. Loads therefore differ
    by at most one unless conflicts or existing assignments make that impossible, and the same
    input always gives the same plan.
    """
    existing = set(existing)
    excluded = set(excluded)
    load = defaultdict(int)
    assigned = defaultdict(set)
    for application_id, reviewer_id in existing:
        load[reviewer_id] += 1
        assigned[application_id].add(reviewer_id)

    def candidates(application_id):
        return [
            reviewer_id
            for reviewer_id in sorted(reviewers)
            if reviewer_id not in assigned[application_id]
            and (application_id, reviewer_id) not in excluded
        ]

    order = sorted(applications, key=lambda app_id: (len(candidates(app_id)), app_id))
    new_pairs, short = [], {}
    for application_id in order:
        need = per_application - len(assigned[application_id])
        if need <= 0:
            continue
        tags = applications[application_id]
        ranked = sorted(
            candidates(application_id),
            key=lambda reviewer_id: (
                load[reviewer_id],
                -len(tags & reviewers[reviewer_id]),
                reviewer_id,
            ),
        )
        for reviewer_id in ranked[:need]:
            load[reviewer_id] += 1
            assigned[application_id].add(reviewer_id)
            new_pairs.append((application_id, reviewer_id))
        if len(ranked) < need:
            short[application_id] = need - len(ranked)
    return Plan(new_pairs=new_pairs, short=short)


# --- services ----------------------------------------------------------------------------


def reviewable_applications(call: Call) -> list[Application]:
    return list(
        db.session.scalars(
            select(Application)
            .where(Application.call_id == call.id, Application.status.in_(REVIEWABLE))
            .order_by(Application.id)
        ).unique()
    )


def plan_for_call(call: Call) -> Plan:
    """What automatic assignment would add now; nothing is saved."""
    applications = reviewable_applications(call)
    reviewer_ids = list(
        db.session.scalars(select(RoleGrant.user_id).where(RoleGrant.role == Role.REVIEWER))
    )
    expertise = defaultdict(set)
    for user_id, tag in db.session.execute(
        select(UserExpertise.user_id, UserExpertise.tag).where(
            UserExpertise.user_id.in_(reviewer_ids)
        )
    ):
        expertise[user_id].add(tag)
    rows = assignments_in_call(call)
    conflicted = {
        (application_id, reviewer_id) for reviewer_id, application_id in conflicts_in_call(call.id)
    }
    return plan_assignments(
        applications={app.id: _tags_of(app) for app in applications},
        reviewers={reviewer_id: expertise[reviewer_id] for reviewer_id in reviewer_ids},
        # A conflict found after assigning leaves a review nobody can write: it does not count.
        existing=[
            (a.application_id, a.reviewer_id)
            for a in rows
            if a.is_active and (a.application_id, a.reviewer_id) not in conflicted
        ],
        # Declined pairs are not offered again; conflicted pairs never.
        excluded=[(a.application_id, a.reviewer_id) for a in rows if not a.is_active]
        + sorted(conflicted),
        per_application=call.reviews_per_application,
    )


def auto_assign(call: Call, *, by: User, now: datetime) -> Plan:
    """Saves the plan computed now (the preview shows the same, deterministic plan)."""
    require(policies.can_manage_reviews(by))
    plan = plan_for_call(call)
    for application_id, reviewer_id in plan.new_pairs:
        _add_assignment(application_id, reviewer_id, by=by, now=now)
    record_audit(
        "assignment.automatic",
        by=by,
        object_type="call",
        object_id=call.id,
        now=now,
        details={"assigned": len(plan.new_pairs), "short": len(plan.short)},
    )
    db.session.commit()
    return plan


def assign_reviewer(application: Application, reviewer: User, *, by: User, now: datetime):
    require(policies.can_manage_reviews(by))
    if not reviewer.has_role(Role.REVIEWER):
        raise NotAReviewer(_("%(name)s is not in the reviewer pool.", name=reviewer.name))
    if application.status not in REVIEWABLE:
        raise NotReviewable(
            _(
                "Only eligible applications are reviewed; this one is %(status)s.",
                status=application.status.label,
            )
        )
    if (reviewer.id, application.id) in conflicts_in_call(
        application.call_id, reviewer_ids=[reviewer.id]
    ):
        raise ConflictOfInterest(
            _("%(name)s has a conflict of interest with this application.", name=reviewer.name)
        )
    try:
        assignment = _add_assignment(application.id, reviewer.id, by=by, now=now)
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise AlreadyAssigned(_("%(name)s is already assigned.", name=reviewer.name)) from error
    db.session.commit()
    return assignment


def unassign_reviewer(assignment: Assignment, *, by: User, now: datetime) -> None:
    require(policies.can_manage_reviews(by))
    review = review_of(assignment)
    if review is not None and review.status == ReviewStatus.SUBMITTED:
        raise ReviewAlreadySubmitted(_("A submitted review cannot be unassigned."))
    record_audit(
        "assignment.removed",
        by=by,
        object_type="application",
        object_id=assignment.application_id,
        now=now,
        details={"reviewer_id": assignment.reviewer_id},
    )
    if review is not None:  # a draft: the review's foreign key cannot be emptied
        db.session.delete(review)
    db.session.delete(assignment)
    db.session.commit()


def decline_assignment(assignment: Assignment, *, reason: str, by: User, now: datetime) -> None:
    """The reviewer steps back with a reason; the manager then reassigns."""
    require(assignment.reviewer_id == by.id and assignment.is_active)
    if not reason.strip():
        raise DomainError(_("Tell the programme office why you decline."))
    review = review_of(assignment)
    if review is not None and review.status == ReviewStatus.SUBMITTED:
        raise ReviewAlreadySubmitted(_("You have already submitted this review."))
    assignment.declined_at = now
    assignment.declined_reason = reason.strip()
    record_audit(
        "assignment.declined",
        by=by,
        object_type="application",
        object_id=assignment.application_id,
        now=now,
        details={"reason": assignment.declined_reason},
    )
    db.session.commit()


def assignments_in_call(call: Call) -> list[Assignment]:
    return list(
        db.session.scalars(
            select(Assignment)
            .join(Assignment.application)
            .where(Application.call_id == call.id)
            .order_by(Assignment.application_id, Assignment.reviewer_id)
        ).unique()
    )


def review_of(assignment: Assignment) -> Review | None:
    return db.session.scalar(select(Review).where(Review.assignment_id == assignment.id))


def _add_assignment(application_id: int, reviewer_id: int, *, by: User, now: datetime):
    assignment = Assignment(
        application_id=application_id,
        reviewer_id=reviewer_id,
        assigned_at=now,
        assigned_by_id=by.id,
    )
    db.session.add(assignment)
    application = db.session.get(Application, application_id)
    if application.status == ApplicationStatus.ELIGIBLE:
        application.status = ApplicationStatus.UNDER_REVIEW
    record_audit(
        "assignment.added",
        by=by,
        object_type="application",
        object_id=application_id,
        now=now,
        details={"reviewer_id": reviewer_id},
    )
    return assignment


def _tags_of(application: Application) -> set[str]:
    tags = set()
    if application.therapeutic_area:
        tags.add(f"area:{application.therapeutic_area.value}")
    if application.atmp_class:
        tags.add(f"class:{application.atmp_class.value}")
    return tags
