"""Who may see and change projects, and who reads the cohort dashboard."""

from accelerator.accounts.policies import is_programme_manager
from accelerator.cohorts.enums import ProjectStatus
from accelerator.core.policies import is_signed_in


def is_project_member(user, project) -> bool:
    """Members of the project's organisation are the project's members."""
    return is_signed_in(user) and user.organisation_id == project.organisation_id


def is_active(project) -> bool:
    return project.status == ProjectStatus.ACTIVE


def can_view_project(user, project) -> bool:
    return is_project_member(user, project) or is_programme_manager(user)


def can_edit_project(user, project) -> bool:
    """Members keep their own project up to date; a withdrawn project is read-only."""
    return is_project_member(user, project) and is_active(project)


def can_list_projects(user) -> bool:
    """The "Projects" link: projects belong to organisations, so their members see it."""
    return is_signed_in(user) and user.organisation_id is not None


def can_view_dashboard(user) -> bool:
    return is_programme_manager(user)
