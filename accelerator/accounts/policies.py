"""Who may do what in the accounts area. Views, templates and services call these."""

from accelerator.accounts.enums import Role
from accelerator.core.policies import is_signed_in


def is_programme_manager(user) -> bool:
    return is_signed_in(user) and user.has_role(Role.PROGRAMME_MANAGER)


def is_member_of(user, organisation) -> bool:
    return (
        is_signed_in(user) and organisation is not None and user.organisation_id == organisation.id
    )


def can_manage_users(user) -> bool:
    return is_programme_manager(user)


def can_change_role(user, target, role: Role) -> bool:
    """Managers grant and revoke roles, but never take away their own manager role."""
    if not is_programme_manager(user):
        return False
    return not (target.id == user.id and role == Role.PROGRAMME_MANAGER)


def can_read_audit(user) -> bool:
    return is_programme_manager(user)


def can_create_organisation(user) -> bool:
    return is_signed_in(user) and user.organisation_id is None


def can_edit_organisation(user, organisation) -> bool:
    return is_member_of(user, organisation) or is_programme_manager(user)


def can_invite_to_organisation(user, organisation) -> bool:
    return is_member_of(user, organisation)


def can_join_organisation(user) -> bool:
    return is_signed_in(user) and user.organisation_id is None


def needs_confirmation_of_details(user, *, has_submitted_application: bool) -> bool:
    """Once its organisation has a submitted application, a member's change to what conflict
    detection reads waits for a programme manager: edited freely, it could hide a conflict.
    A manager's own edit applies at once."""
    return has_submitted_application and not is_programme_manager(user)


def can_decide_organisation_change(user) -> bool:
    return is_programme_manager(user)
