"""Who may do what with programmes and calls."""

from datetime import datetime

from accelerator.accounts.policies import is_programme_manager
from accelerator.calls.enums import CallStatus


def can_manage_calls(user) -> bool:
    return is_programme_manager(user)


def is_public(call) -> bool:
    return call.status != CallStatus.DRAFT


def can_view_call(user, call) -> bool:
    return is_public(call) or can_manage_calls(user)


def can_edit_rubric(user, call, *, has_submitted_reviews: bool) -> bool:
    """The rubric is fixed once any review against it has been submitted."""
    return can_manage_calls(user) and not has_submitted_reviews


def are_results_published(call) -> bool:
    return call.results_published_at is not None


def is_review_phase_open(call, now: datetime) -> bool:
    """Reviews are written until the review deadline, unless the programme office closed the
    review phase early; once the results are published nothing about the review changes."""
    return (
        not are_results_published(call)
        and call.review_closed_at is None
        and now < call.review_deadline
    )


def can_close_review_phase(user, call, now: datetime) -> bool:
    """The programme office ends the review phase early, once the call has closed."""
    return can_manage_calls(user) and now >= call.closes_at and is_review_phase_open(call, now)


def can_apply(user, call, now: datetime) -> bool:
    return bool(
        user.is_authenticated
        and user.organisation_id is not None
        and call.is_accepting_applications(now)
    )
