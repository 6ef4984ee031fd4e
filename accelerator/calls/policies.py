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


def can_apply(user, call, now: datetime) -> bool:
    return bool(
        user.is_authenticated
        and user.organisation_id is not None
        and call.is_accepting_applications(now)
    )
