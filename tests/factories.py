"""Plain factories: each builds a valid object in one line and commits it."""

from itertools import count

from accelerator.accounts.enums import OrganisationKind, Role
from accelerator.accounts.models import Organisation, RoleGrant, User
from accelerator.accounts.passwords import hash_password
from accelerator.core.clock import utcnow
from accelerator.extensions import db

PASSWORD = "correct horse battery"
_numbers = count(1)


def make_organisation(**fields) -> Organisation:
    number = next(_numbers)
    organisation = Organisation(
        created_at=utcnow(),
        legal_name=fields.pop("legal_name", f"Organisation {number} SL"),
        kind=fields.pop("kind", OrganisationKind.STARTUP),
        country=fields.pop("country", "ES"),
        city=fields.pop("city", "Barcelona"),
        email_domain=fields.pop("email_domain", f"org{number}.example.org"),
        **fields,
    )
    db.session.add(organisation)
    db.session.commit()
    return organisation


def make_user(
    *roles: Role,
    email: str | None = None,
    name: str | None = None,
    password: str = PASSWORD,
    confirmed: bool = True,
    organisation: Organisation | None = None,
) -> User:
    number = next(_numbers)
    now = utcnow()
    user = User(
        created_at=now,
        email=email or f"person{number}@example.org",
        name=name or f"Person {number}",
        password_hash=hash_password(password),
        email_confirmed_at=now if confirmed else None,
        organisation_id=organisation.id if organisation else None,
    )
    user.role_grants.extend(
        RoleGrant(role=role, granted_at=now) for role in (roles or (Role.APPLICANT,))
    )
    db.session.add(user)
    db.session.commit()
    return user
