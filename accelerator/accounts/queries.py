"""Read queries of the accounts area: each takes arguments and returns a Select."""

from sqlalchemy import Select, func, or_, select

from accelerator.accounts.models import User


def users_matching(term: str | None) -> Select:
    """Users by name, narrowed to those whose name or email contains the term."""
    query = select(User).order_by(func.lower(User.name), User.id)
    if term:
        pattern = f"%{term.strip().lower()}%"
        query = query.where(or_(func.lower(User.name).like(pattern), User.email.like(pattern)))
    return query
