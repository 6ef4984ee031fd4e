"""Demo data for `flask seed-demo`: one account per role and a few organisations.

Idempotent: every record is looked up by a natural key before it is created.
"""

from datetime import datetime

from sqlalchemy import select

from accelerator.accounts.enums import OrganisationKind, Role
from accelerator.accounts.models import Organisation, RoleGrant, User
from accelerator.accounts.passwords import hash_password
from accelerator.core.audit import record_audit
from accelerator.extensions import db

DEMO_ACCOUNTS = (
    # email, name, password, roles, organisation VAT
    (
        "manager@demo.atmpcatalyst.eu",
        "Marta Puig",
        "demo-manager-2026",
        (Role.PROGRAMME_MANAGER,),
        None,
    ),
    (
        "applicant@demo.atmpcatalyst.eu",
        "Jordi Ferrer",
        "demo-applicant-2026",
        (Role.APPLICANT,),
        "ESB66100001",
    ),
    ("reviewer@demo.atmpcatalyst.eu", "Elena García", "demo-reviewer-2026", (Role.REVIEWER,), None),
    (
        "mentor@demo.atmpcatalyst.eu",
        "Pau Soler",
        "demo-mentor-2026",
        (Role.MENTOR, Role.REVIEWER),
        None,
    ),
    (
        "labmanager@demo.atmpcatalyst.eu",
        "Núria Vidal",
        "demo-labmanager-2026",
        (Role.LAB_MANAGER,),
        None,
    ),
)

DEMO_ORGANISATIONS = (
    {
        "legal_name": "CellVia Therapeutics SL",
        "kind": OrganisationKind.STARTUP,
        "vat_id": "ESB66100001",
        "country": "ES",
        "city": "Barcelona",
        "founding_year": 2021,
        "website": "https://cellvia.example.org",
        "email_domain": "cellvia.example.org",
    },
    {
        "legal_name": "GenRet Bio SL",
        "kind": OrganisationKind.SPIN_OFF,
        "vat_id": "ESB66100002",
        "country": "ES",
        "city": "Madrid",
        "founding_year": 2022,
        "website": "https://genret.example.org",
        "email_domain": "genret.example.org",
    },
    {
        "legal_name": "Tissue Engineering Lab, Universitat de Barcelona",
        "kind": OrganisationKind.RESEARCH_GROUP,
        "vat_id": "ESQ0818001J",
        "country": "ES",
        "city": "Barcelona",
        "founding_year": 1998,
        "website": None,
        "email_domain": "ub.example.edu",
    },
)


def seed_demo(*, now: datetime) -> int:
    created = 0
    for fields in DEMO_ORGANISATIONS:
        created += _ensure_organisation(fields, now=now)
    for email, name, password, roles, vat_id in DEMO_ACCOUNTS:
        created += _ensure_user(email, name, password, roles, vat_id, now=now)
    db.session.commit()
    return created


def _ensure_organisation(fields: dict, *, now: datetime) -> int:
    exists = db.session.scalar(
        select(Organisation.id).where(Organisation.vat_id == fields["vat_id"])
    )
    if exists:
        return 0
    db.session.add(Organisation(created_at=now, **fields))
    db.session.flush()
    return 1


def _ensure_user(email, name, password, roles, vat_id, *, now: datetime) -> int:
    if db.session.scalar(select(User.id).where(User.email == email)):
        return 0
    organisation_id = None
    if vat_id:
        organisation_id = db.session.scalar(
            select(Organisation.id).where(Organisation.vat_id == vat_id)
        )
    user = User(
        created_at=now,
        email=email,
        name=name,
        password_hash=hash_password(password),
        email_confirmed_at=now,
        organisation_id=organisation_id,
    )
    user.role_grants.extend(RoleGrant(role=role, granted_at=now) for role in roles)
    db.session.add(user)
    db.session.flush()
    record_audit("user.seeded", by=None, object_type="user", object_id=user.id, now=now)
    return 1
