"""Read queries of the accounts area: each takes arguments and returns a Select."""

from sqlalchemy import Select, func, or_, select

from accelerator.accounts.models import User


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
