"""Who keeps a mentor profile and who reads the mentor directory."""

from accelerator.accounts.enums import Role
from accelerator.accounts.policies import is_programme_manager
from accelerator.cohorts.policies import is_active, is_project_member
from accelerator.core.policies import is_signed_in
from accelerator.mentoring.enums import Side


def is_mentor(user) -> bool:
    return is_signed_in(user) and user.has_role(Role.MENTOR)


def is_bookable_mentor(profile) -> bool:
    """A profile whose person is still active and still holds the mentor role."""
    return profile.user.active and profile.user.has_role(Role.MENTOR)


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
    return is_mentor(user) and is_session_mentor(user, profile)


def can_manage_mentoring(user) -> bool:
    """Budgets, the mentoring report and mentor invitations are the programme office's."""
    return is_programme_manager(user)


def is_session_mentor(user, profile) -> bool:
    return is_signed_in(user) and profile is not None and profile.user_id == user.id


def side_in_session(user, *, project, mentor):
    """The side the user acts for in a session (project, mentor, manager), or None."""
    if is_session_mentor(user, mentor):
        return Side.MENTOR
    if is_project_member(user, project) and is_active(project):
        return Side.PROJECT
    if is_programme_manager(user):
        return Side.MANAGER
    return None


def can_view_session(user, *, project, mentor) -> bool:
    """The project's members, the session's mentor and managers; nobody else, notes included."""
    return (
        is_project_member(user, project)
        or is_session_mentor(user, mentor)
        or is_programme_manager(user)
    )


def can_record_outcome(user, profile) -> bool:
    return is_session_mentor(user, profile) or is_programme_manager(user)


def can_write_notes(user, profile) -> bool:
    """Notes and action items are the mentor's own record of the session."""
    return is_session_mentor(user, profile)


def can_rate_session(user, project) -> bool:
    return is_project_member(user, project)


def can_read_ratings(user) -> bool:
    """Individual ratings and comments are for managers; mentors see averages only."""
    return is_programme_manager(user)


def can_use_mentor_feed(user, profile) -> bool:
    """A mentor's calendar address is their own to see and reset."""
    return is_mentor(user) and is_session_mentor(user, profile)


def can_use_project_feed(user, project) -> bool:
    """A project's calendar address is for its members and for managers to see and reset."""
    return is_project_member(user, project) or is_programme_manager(user)
