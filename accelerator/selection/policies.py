"""Who may decide, publish and read results."""

from accelerator.accounts.policies import is_programme_manager
from accelerator.applications.policies import is_applicant_member


def can_decide(user) -> bool:
    return is_programme_manager(user)


def can_read_result(user, application, *, published: bool) -> bool:
    """Applicants read their decision and the anonymised comments only once results are out."""
    return (is_applicant_member(user, application) and published) or is_programme_manager(user)
