"""Who keeps a mentor profile and who reads the mentor directory."""

from accelerator.accounts.enums import Role
from accelerator.accounts.policies import is_programme_manager
from accelerator.cohorts.policies import is_active, is_project_member
from accelerator.core.policies import is_signed_in


def is_mentor(user) -> bool:
    return is_signed_in(user) and user.has_role(Role.MENTOR)


def can_edit_mentor_profile(user, profile=None) -> bool:
    """Mentors keep their own profile and availability; nobody edits another's."""
    if not is_mentor(user):
        return False
    return profile is None or profile.user_id == user.id


def can_view_mentor_directory(user, *, organisation_has_project: bool) -> bool:
    """The directory is for the programme's projects (their organisations' members) and managers.

    Whether the user's organisation runs a project is a fact the caller reads from the database.
    """
    return is_programme_manager(user) or (
        is_signed_in(user) and user.organisation_id is not None and organisation_has_project
    )


def can_request_session(user, project) -> bool:
    """Members of an active project's organisation book its mentoring sessions."""
    return is_project_member(user, project) and is_active(project)


def can_answer_session(user, profile) -> bool:
    """Only the mentor asked confirms or declines a session."""
    return is_mentor(user) and profile is not None and profile.user_id == user.id
