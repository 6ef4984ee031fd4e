"""Who may see and change applications and their attachments."""

from accelerator.accounts.policies import is_programme_manager
from accelerator.applications.enums import ApplicationStatus
from accelerator.core.policies import is_signed_in

# Submitted in time and not yet in review: a verdict may be recorded, or changed.
SCREENABLE_STATUSES = {
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.ELIGIBLE,
    ApplicationStatus.INELIGIBLE,
}


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


def is_open_for_screening(application, now) -> bool:
    """Eligibility is judged once the call has closed (until then the applicants may still
    change a submitted application), and only before reviewers are assigned."""
    return now >= application.call.closes_at and application.status in SCREENABLE_STATUSES
