"""Who browses, books and manages lab resources. Facts that need the database (whether the
user is on the lab's staff) are passed in by the caller."""

from accelerator.accounts.enums import Role
from accelerator.accounts.policies import is_programme_manager
from accelerator.cohorts.policies import is_active, is_project_member
from accelerator.core.policies import is_signed_in


def is_lab_manager(user) -> bool:
    return is_signed_in(user) and user.has_role(Role.LAB_MANAGER)


def can_manage_lab(user, *, is_staff: bool) -> bool:
    """A lab manager manages the labs a programme manager attached them to; programme managers
    manage every lab."""
    return is_programme_manager(user) or (is_lab_manager(user) and is_staff)


def can_manage_labs_area(user) -> bool:
    """The "Labs" management pages: lab managers (their labs) and programme managers."""
    return is_programme_manager(user) or is_lab_manager(user)


def can_attach_staff(user) -> bool:
    return is_programme_manager(user)


def can_set_quotas(user) -> bool:
    return is_programme_manager(user)


def can_view_reports(user) -> bool:
    return is_programme_manager(user) or is_lab_manager(user)


def can_browse_resources(user, *, organisation_has_project: bool) -> bool:
    """Projects' members find resources to book; lab and programme managers see them too."""
    return can_manage_labs_area(user) or (
        is_signed_in(user) and user.organisation_id is not None and organisation_has_project
    )


def can_book(user, project) -> bool:
    """Members of an active project's organisation book lab time for it."""
    return is_project_member(user, project) and is_active(project)


def can_view_booking(user, *, project, is_staff: bool) -> bool:
    return is_project_member(user, project) or can_manage_lab(user, is_staff=is_staff)


def can_cancel_booking(user, *, project, is_staff: bool) -> bool:
    return can_book(user, project) or can_manage_lab(user, is_staff=is_staff)
