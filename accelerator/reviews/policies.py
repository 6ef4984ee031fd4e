"""Who may do what in the review area. Facts that need the database are passed in."""

from datetime import datetime

from accelerator.accounts.enums import Role
from accelerator.accounts.policies import is_programme_manager
from accelerator.calls.policies import is_review_phase_open
from accelerator.core.policies import is_signed_in


def is_reviewer(user) -> bool:
    return is_signed_in(user) and user.has_role(Role.REVIEWER)


def can_manage_reviews(user) -> bool:
    return is_programme_manager(user)


def can_review(user, assignment, *, conflicted: bool) -> bool:
    """The assigned reviewer, while the assignment stands and no conflict of interest exists."""
    return (
        is_reviewer(user)
        and assignment.reviewer_id == user.id
        and assignment.is_active
        and not conflicted
    )


def is_review_editable(call, now: datetime) -> bool:
    """Reviews change only while the call's review phase is open (deadline, early close and
    publication all end it)."""
    return is_review_phase_open(call, now)


def is_review_to_do(review, call, now: datetime) -> bool:
    """Still the reviewer's to do: not submitted while the call's review phase is open."""
    return (review is None or not review.is_submitted) and is_review_editable(call, now)


def can_declare_conflicts(user) -> bool:
    """Reviewers and mentors declare their conflicts of interest with organisations: a
    declared conflict keeps a reviewer off its applications and a mentor off its projects."""
    return is_reviewer(user) or (is_signed_in(user) and user.has_role(Role.MENTOR))


def is_blind_review_phase(call, now: datetime) -> bool:
    """A blind call after its close while its review phase is open: while assignments are
    being reviewed, what vanishes from a reviewer's list says who applied."""
    return call.blind_review and now >= call.closes_at and is_review_phase_open(call, now)
