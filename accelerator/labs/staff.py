"""Whether a person is on a lab's staff, and so manages it: the one question every page,
feed and service of the area asks about a lab's staff."""

from accelerator.accounts.models import User
from accelerator.extensions import db
from accelerator.labs import policies, queries


def is_on_staff(user: User, lab_id: int) -> bool:
    """Whether the user is a lab manager attached to the lab (one query, only for them)."""
    if not policies.is_lab_manager(user):
        return False
    return db.session.scalar(queries.staff_membership(lab_id, user.id)) is not None


def can_manage(user: User, lab_id: int) -> bool:
    return policies.can_manage_lab(user, is_staff=is_on_staff(user, lab_id))
