"""Helpers every area's policies use."""

from accelerator.core.errors import NotAllowed


def require(allowed: bool) -> None:
    """Refuses with the 403 page unless the policy said yes."""
    if not allowed:
        raise NotAllowed()


def is_signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated)
