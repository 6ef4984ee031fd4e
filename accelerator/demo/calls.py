"""A demo open call with a realistic spread of draft, submitted and withdrawn applications."""

import hashlib
import secrets
from datetime import datetime, time, timedelta

from sqlalchemy import select

from accelerator.accounts.models import Organisation, User
from accelerator.applications.attachments import upload_folder
from accelerator.applications.enums import (
    ApplicationStatus,
    AttachmentKind,
    RegulatoryProgress,
)
from accelerator.applications.fields import ENUM_FIELDS, REGULATORY_FIELDS
from accelerator.applications.models import (
    Application,
    Attachment,
    EligibilityAnswer,
    Submission,
)
from accelerator.applications.services import snapshot_content
from accelerator.calls.enums import CallStatus
from accelerator.calls.models import Call, EligibilityQuestion, RubricCriterion
from accelerator.calls.services import (
    DEFAULT_ELIGIBILITY_QUESTIONS,
    DEFAULT_RUBRIC,
    the_programme,
)
from accelerator.core.clock import as_madrid, madrid_to_utc
from accelerator.extensions import db

DEMO_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"  # noqa: E501

LOREM = (
    "Autologous and allogeneic approaches have been compared in our preclinical models; "
    "the data package and the regulatory route are described below."
)

# VAT of the organisation, member email, status, fields.
DEMO_APPLICATIONS = (
    (
        "ESB66100001",
        "jordi.ferrer@cellvia.example.org",
        ApplicationStatus.DRAFT,
        {
            "title": "CAR-T cells against paediatric glioma",
            "acronym": "GLIOCART",
            "summary": "An autologous CAR-T therapy targeting B7-H3 for paediatric "
            "high-grade glioma.",
            "atmp_class": "somatic_cell_therapy",
            "therapeutic_area": "oncology",
        },
    ),
    (
        "ESB66100002",
        "laura@genret.example.org",
        ApplicationStatus.SUBMITTED,
        {
            "title": "AAV gene therapy for retinitis pigmentosa",
            "acronym": "RETIGENE",
            "summary": "A subretinal AAV8 vector restoring RPGR expression in X-linked retinitis "
            "pigmentosa.",
            "atmp_class": "gene_therapy",
            "cell_source": "in_vivo_vector",
            "therapeutic_area": "ophthalmology",
            "target_indication": "X-linked retinitis pigmentosa",
            "development_stage": "preclinical_poc",
            "trl": 4,
            "orphan_designation": "planned",
            "gmp_readiness": "process_in_development",
            "manufacturing_model": "cdmo",
            "ip_status": "patent_filed",
            "funding_raised_cents": 120000000,
            "funding_sought_cents": 250000000,
            "mentoring_topics": ["topic:regulatory", "topic:cmc_gmp"],
            "lab_capabilities": ["viral_vector_suite", "qc_analytics"],
        },
    ),
    (
        "ESQ0818001J",
        "oriol@ub.example.edu",
        ApplicationStatus.SUBMITTED,
        {
            "title": "Bioprinted cartilage implants",
            "acronym": "CARTIPRINT",
            "summary": "A tissue-engineered cartilage implant from autologous chondrocytes on a "
            "bioprinted scaffold.",
            "atmp_class": "tissue_engineered",
            "cell_source": "autologous",
            "therapeutic_area": "musculoskeletal",
            "target_indication": "Focal knee cartilage defects",
            "development_stage": "ind_cta_enabling",
            "trl": 5,
            "atmp_classification": "granted",
            "gmp_readiness": "gmp_compatible_process",
            "manufacturing_model": "in_house",
            "ip_status": "patent_granted",
            "funding_raised_cents": 45000000,
            "funding_sought_cents": 90000000,
            "mentoring_topics": ["topic:clinical", "topic:fundraising"],
            "lab_capabilities": ["gmp_clean_room", "bioreactor"],
        },
    ),
    (
        "ESB66100004",
        "ines@neurogene.example.org",
        ApplicationStatus.SUBMITTED,
        {
            "title": "Gene replacement for SMA type 1",
            "acronym": "SMART",
            "summary": "An intrathecal AAV9 gene replacement therapy for spinal muscular atrophy.",
            "atmp_class": "gene_therapy",
            "cell_source": "in_vivo_vector",
            "therapeutic_area": "rare_genetic",
            "target_indication": "Spinal muscular atrophy type 1",
            "development_stage": "phase_1",
            "trl": 6,
            "orphan_designation": "granted",
            "prime": "applied",
            "gmp_readiness": "gmp_manufacturing",
            "manufacturing_model": "cdmo",
            "ip_status": "licensed_in",
            "funding_raised_cents": 800000000,
            "funding_sought_cents": 300000000,
            "mentoring_topics": ["topic:market_access"],
            "lab_capabilities": ["flow_cytometer"],
        },
    ),
    (
        "ESB66100005",
        "marc@ocucell.example.org",
        ApplicationStatus.DRAFT,
        {
            "title": "iPSC-derived corneal endothelium",
            "atmp_class": "somatic_cell_therapy",
            "cell_source": "allogeneic",
            "therapeutic_area": "ophthalmology",
        },
    ),
    (
        "ESB66100006",
        "ane@cardioregen.example.org",
        ApplicationStatus.WITHDRAWN,
        {
            "title": "Cardiac patch from stem-cell-derived cardiomyocytes",
            "acronym": "CARDIOPATCH",
            "atmp_class": "combined_atmp",
            "therapeutic_area": "cardiovascular",
        },
    ),
)

SECTION_TEXT = {
    "unmet_need": LOREM,
    "innovation": LOREM,
    "development_plan": LOREM,
    "team": LOREM,
    "programme_use": LOREM,
}


def seed_calls(*, now: datetime) -> int:
    programme = the_programme(now=now)
    closes_at = _madrid_at(now + timedelta(days=40), hour=14)
    year = as_madrid(closes_at).year
    call = db.session.scalar(
        select(Call).where(Call.programme_id == programme.id, Call.year == year)
    )
    if call is not None:
        return 0
    call = new_call(
        programme,
        year,
        now=now,
        opens_at=_madrid_at(now - timedelta(days=20), hour=9),
        closes_at=closes_at,
        status=CallStatus.OPEN,
    )
    db.session.add(call)
    db.session.flush()
    created = 1
    for vat_id, email, status, fields in DEMO_APPLICATIONS:
        created += _add_application(call, vat_id, email, status, fields, now=now)
    return created


def new_call(programme, year: int, *, now, opens_at, closes_at, status) -> Call:
    """A call of the programme with SPEC's default rubric and eligibility questions."""
    return Call(
        created_at=now,
        programme=programme,
        title=f"ATMP Catalyst call {year}",
        year=year,
        description="Six places for cell, gene and tissue-engineering projects: mentoring, "
        "training and partner-lab access for three years.",
        opens_at=opens_at,
        closes_at=closes_at,
        review_deadline=closes_at + timedelta(days=45),
        selection_quota=programme.default_quota,
        reviews_per_application=2,
        status=status,
        criteria=[
            RubricCriterion(position=i, **draft.__dict__)
            for i, draft in enumerate(DEFAULT_RUBRIC, start=1)
        ],
        eligibility_questions=[
            EligibilityQuestion(position=i, text=text, qualifying_answer=answer)
            for i, (text, answer) in enumerate(DEFAULT_ELIGIBILITY_QUESTIONS, start=1)
        ],
    )


def typed_fields(values: dict) -> dict:
    return {name: _typed(name, value) for name, value in values.items()}


def _add_application(call, vat_id, email, status, fields, *, now: datetime) -> int:
    organisation = db.session.scalar(select(Organisation).where(Organisation.vat_id == vat_id))
    member = db.session.scalar(select(User).where(User.email == email))
    complete = status != ApplicationStatus.DRAFT
    values = {**(SECTION_TEXT if complete else {}), **fields}
    application = Application(
        call=call,
        organisation=organisation,
        created_by_id=member.id,
        created_at=now,
        updated_at=now,
        status=status,
        **typed_fields(values),
    )
    db.session.add(application)
    db.session.flush()
    if not complete:
        return 1
    for question in call.eligibility_questions:
        db.session.add(
            EligibilityAnswer(
                application_id=application.id,
                question_id=question.id,
                answer=question.qualifying_answer,
            )
        )
    _add_pitch_deck(application, member, now=now)
    db.session.flush()
    if status == ApplicationStatus.SUBMITTED:
        application.submitted_at = now
        db.session.add(
            Submission(
                application_id=application.id,
                number=1,
                submitted_at=now,
                submitted_by_id=member.id,
                content=snapshot_content(application),
            )
        )
    return 1


def _add_pitch_deck(application: Application, member: User, *, now: datetime) -> None:
    stored_name = secrets.token_hex(16)
    (upload_folder() / stored_name).write_bytes(DEMO_PDF)
    db.session.add(
        Attachment(
            application_id=application.id,
            kind=AttachmentKind.PITCH_DECK,
            original_filename=f"{application.acronym or 'pitch'}-deck.pdf",
            stored_name=stored_name,
            size_bytes=len(DEMO_PDF),
            sha256=hashlib.sha256(DEMO_PDF).hexdigest(),
            uploaded_at=now,
            uploaded_by_id=member.id,
        )
    )


def _typed(name: str, value):
    if name in ENUM_FIELDS:
        return ENUM_FIELDS[name](value)
    if name in REGULATORY_FIELDS:
        return RegulatoryProgress(value)
    return value


def _madrid_at(moment: datetime, *, hour: int) -> datetime:
    return madrid_to_utc(datetime.combine(as_madrid(moment).date(), time(hour)))
