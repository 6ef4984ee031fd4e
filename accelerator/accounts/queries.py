"""Read queries of the accounts area: each takes arguments and returns a Select."""

from sqlalchemy import Select, func, or_, select

from accelerator.accounts.enums import Role
from accelerator.accounts.models import Organisation, RoleGrant, User


def users_matching(term: str | None) -> Select:
    """Users by name, narrowed to those whose name or email contains the term."""
    query = select(User).order_by(func.lower(User.name), User.id)
    if term:
        # autoescape: a typed % or _ is looked for as such, not as a wildcard.
        term = term.strip().lower()
        query = query.where(
            or_(
                func.lower(User.name).contains(term, autoescape=True),
                User.email.contains(term, autoescape=True),
            )
        )
    return query


def programme_managers() -> Select:
    """The active programme managers, whom the app tells of what needs the office's eye."""
    return (
        select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == Role.PROGRAMME_MANAGER, User.active.is_(True))
        .order_by(User.id)
    )


def organisations_named(term: str, *, limit: int) -> Select:
    """Organisations whose legal name contains the term, by name, at most `limit` of them."""
    return (
        select(Organisation)
        .where(func.lower(Organisation.legal_name).contains(term.strip().lower(), autoescape=True))
        .order_by(func.lower(Organisation.legal_name), Organisation.id)
        .limit(limit)
    )
