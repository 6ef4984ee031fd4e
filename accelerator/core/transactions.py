"""Transaction helpers shared by the areas that serialise writes behind a lock."""

import functools

from accelerator.core.errors import DomainError
from accelerator.extensions import db


def releases_lock_on_refusal(service):
    """A refused decision rolls back at once, so the lock is not held until the request ends."""

    @functools.wraps(service)
    def refusing(*args, **kwargs):
        try:
            return service(*args, **kwargs)
        except DomainError:
            db.session.rollback()
            raise

    return refusing
