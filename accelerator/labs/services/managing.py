"""What every service of the labs' management shares: the manager's check, the refusal of a
missing or taken name, and the audit entry on the lab."""

from datetime import datetime

from sqlalchemy.exc import IntegrityError

from accelerator.accounts.models import User
from accelerator.core.audit import record_audit
from accelerator.core.errors import DomainError
from accelerator.core.policies import require
from accelerator.extensions import db
from accelerator.labs.staff import can_manage


class DetailMissing(DomainError):
    pass


def require_manager(by: User, lab_id: int) -> None:
    require(can_manage(by, lab_id))


def flush_unique(refusal: DomainError) -> None:
    """The unique constraint decides when two managers save the same name at the same time."""
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise refusal from error


def audit_lab(action: str, lab_id: int, *, by: User, now: datetime, details=None) -> None:
    record_audit(action, by=by, object_type="lab", object_id=lab_id, now=now, details=details)
