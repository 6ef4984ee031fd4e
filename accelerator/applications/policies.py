"""Who may see and change applications and their attachments."""

from accelerator.accounts.policies import is_programme_manager
from accelerator.core.policies import is_signed_in


def is_applicant_member(user, application) -> bool:
    return is_signed_in(user) and user.organisation_id == application.organisation_id


def can_view_application(user, application) -> bool:
    return is_applicant_member(user, application) or is_programme_manager(user)


def can_edit_application(user, application) -> bool:
    """Only the applying organisation's members edit; the call's dates are the service's rule."""
    return is_applicant_member(user, application)


def can_download_attachment(user, attachment) -> bool:
    return can_view_application(user, attachment.application)


def can_list_applications(user) -> bool:
    return is_programme_manager(user)


def can_screen_eligibility(user) -> bool:
    return is_programme_manager(user)
