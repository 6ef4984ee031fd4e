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


def make_call(*, now=None, status=None, **fields):
    """An open call that accepts applications now (closes in 30 days), with the default rubric."""
    from datetime import timedelta

    from accelerator.calls.enums import CallStatus
    from accelerator.calls.models import Call, EligibilityQuestion, RubricCriterion
    from accelerator.calls.services import (
        DEFAULT_ELIGIBILITY_QUESTIONS,
        DEFAULT_RUBRIC,
        the_programme,
    )

    now = now or utcnow()
    number = next(_numbers)
    opens_at = fields.pop("opens_at", now - timedelta(days=10))
    closes_at = fields.pop("closes_at", now + timedelta(days=30))
    call = Call(
        created_at=now,
        programme=the_programme(now=now),
        title=fields.pop("title", f"Call {number}"),
        year=fields.pop("year", 2000 + number % 100),
        opens_at=opens_at,
        closes_at=closes_at,
        review_deadline=fields.pop("review_deadline", closes_at + timedelta(days=30)),
        selection_quota=fields.pop("selection_quota", 6),
        status=status or CallStatus.OPEN,
        criteria=[
            RubricCriterion(position=index, **draft.__dict__)
            for index, draft in enumerate(DEFAULT_RUBRIC, start=1)
        ],
        eligibility_questions=[
            EligibilityQuestion(position=index, text=text, qualifying_answer=answer)
            for index, (text, answer) in enumerate(DEFAULT_ELIGIBILITY_QUESTIONS, start=1)
        ],
        **fields,
    )
    db.session.add(call)
    db.session.commit()
    return call


COMPLETE_APPLICATION = {
    "title": "AAV gene therapy for retinitis pigmentosa",
    "acronym": "RETIGENE",
    "summary": "A subretinal AAV8 vector restoring RPGR expression.",
    "unmet_need": "No approved therapy exists.",
    "innovation": "A codon-optimised RPGR cassette.",
    "development_plan": "GLP toxicology, then a phase I/II trial.",
    "team": "Two clinicians and a vector scientist.",
    "programme_use": "Regulatory mentoring and vector suite time.",
    "atmp_class": "gene_therapy",
    "cell_source": "in_vivo_vector",
    "therapeutic_area": "ophthalmology",
    "target_indication": "X-linked retinitis pigmentosa",
    "development_stage": "preclinical_poc",
    "trl": 4,
    "gmp_readiness": "process_in_development",
    "manufacturing_model": "cdmo",
    "ip_status": "patent_filed",
    "funding_raised_cents": 120_000_000,
    "funding_sought_cents": 250_000_000,
    "mentoring_topics": ["topic:regulatory"],
    "lab_capabilities": ["viral_vector_suite"],
}

# One blank page: a PDF that readers and pikepdf (blind-review copies) open.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 1/Kids[3 0 R]>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"  # noqa: E501


def make_application(call=None, *, member=None, complete=False, submitted=False, **fields):
    """A draft of a member's organisation (one is made if not given); complete=True fills every
    required field, answers eligibility and uploads a pitch deck; submitted=True submits it."""
    from accelerator.applications import services
    from accelerator.applications.attachments import add_attachment
    from accelerator.applications.enums import AttachmentKind

    call = call or make_call()
    if member is None:
        member = make_user(organisation=make_organisation())
    now = utcnow()
    application = services.start_application(call, by=member, now=now)
    values = {**(COMPLETE_APPLICATION if complete or submitted else {}), **fields}
    eligibility = {}
    if complete or submitted:
        eligibility = {q.id: q.qualifying_answer for q in call.eligibility_questions}
    if values or eligibility:
        services.save_draft(application, by=member, now=now, fields=values, eligibility=eligibility)
    if complete or submitted:
        add_attachment(
            application,
            kind=AttachmentKind.PITCH_DECK,
            filename="deck.pdf",
            content=PDF_BYTES,
            by=member,
            now=now,
        )
    if submitted:
        services.submit_application(application, by=member, now=now)
    return application
