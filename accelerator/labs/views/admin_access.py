"""Who reaches the labs' management pages, and how their refusals show.

A role that may never manage labs gets 403; a lab manager gets 404 for a lab they are not
attached to (and for anything of it), so that ids reveal nothing.
"""

from datetime import date

from flask import abort, flash
from flask_babel import gettext as _
from flask_login import current_user

from accelerator.core.clock import as_madrid, utcnow
from accelerator.core.policies import require
from accelerator.extensions import db
from accelerator.labs import policies
from accelerator.labs.models import Lab
from accelerator.labs.staff import can_manage


def manages_every_lab() -> bool:
    """Programme managers: they may manage a lab without being on its staff."""
    return policies.can_manage_lab(current_user, is_staff=False)


def managed_lab_or_404(lab_id: int) -> Lab:
    require(policies.can_manage_labs_area(current_user))
    lab = db.get_or_404(Lab, lab_id)
    require_managed(lab.id)
    return lab


def managed_or_404(model, object_id: int):
    """A lab's hours, closure, blackout or resource, for those who manage the lab."""
    require(policies.can_manage_labs_area(current_user))
    thing = db.get_or_404(model, object_id)
    require_managed(thing.lab_id)
    return thing


def require_managed(lab_id: int) -> None:
    if not can_manage(current_user, lab_id):
        abort(404)


def madrid_today() -> date:
    return as_madrid(utcnow()).date()


def refuse(field, error: Exception) -> None:
    field.errors = [*field.errors, str(error)]


def flash_not_saved() -> None:
    flash(_("Nothing was saved: please correct the fields marked below."), "error")
