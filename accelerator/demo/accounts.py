"""Demo accounts: one per role, and the organisations that apply."""

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
        "jordi.ferrer@cellvia.example.org",
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
    {
        "legal_name": "NeuroGene Therapeutics SL",
        "kind": OrganisationKind.STARTUP,
        "vat_id": "ESB66100004",
        "country": "ES",
        "city": "Valencia",
        "founding_year": 2020,
        "website": "https://neurogene.example.org",
        "email_domain": "neurogene.example.org",
    },
    {
        "legal_name": "OcuCell Bio SL",
        "kind": OrganisationKind.STARTUP,
        "vat_id": "ESB66100005",
        "country": "ES",
        "city": "Barcelona",
        "founding_year": 2023,
        "website": "https://ocucell.example.org",
        "email_domain": "ocucell.example.org",
    },
    {
        "legal_name": "CardioRegen SL",
        "kind": OrganisationKind.SPIN_OFF,
        "vat_id": "ESB66100006",
        "country": "ES",
        "city": "Pamplona",
        "founding_year": 2019,
        "website": "https://cardioregen.example.org",
        "email_domain": "cardioregen.example.org",
    },
)

# Colleagues in the other applying organisations (password: demo-applicant-2026).
DEMO_MEMBERS = (
    ("laura@genret.example.org", "Laura Martín", "ESB66100002"),
    ("oriol@ub.example.edu", "Oriol Casals", "ESQ0818001J"),
    ("ines@neurogene.example.org", "Inés Navarro", "ESB66100004"),
    ("marc@ocucell.example.org", "Marc Roca", "ESB66100005"),
    ("ane@cardioregen.example.org", "Ane Etxeberria", "ESB66100006"),
)
MEMBER_PASSWORD = "demo-applicant-2026"


def seed_accounts(*, now: datetime) -> int:
    created = 0
    for fields in DEMO_ORGANISATIONS:
        created += _ensure_organisation(fields, now=now)
    for email, name, password, roles, vat_id in DEMO_ACCOUNTS:
        created += _ensure_user(email, name, password, roles, vat_id, now=now)
    for email, name, vat_id in DEMO_MEMBERS:
        created += _ensure_user(email, name, MEMBER_PASSWORD, (Role.APPLICANT,), vat_id, now=now)
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
