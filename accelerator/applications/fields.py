"""The fields of an application: which a submission needs (with their checklist labels), which
applicants edit, their limits and their vocabularies."""

from accelerator.accounts.enums import EXPERTISE_TAGS
from accelerator.applications.enums import (
    DESCRIPTION_SECTIONS,
    SECTION_LIMIT,
    SUMMARY_LIMIT,
    ApplicationStatus,
    ATMPClass,
    CellSource,
    DevelopmentStage,
    GMPReadiness,
    IPStatus,
    ManufacturingModel,
    TherapeuticArea,
)
from accelerator.applications.enums import (
    LAB_CAPABILITIES as LAB_CAPABILITY_LABELS,
)

# Fields a submission needs, with the label shown in the checklist.
REQUIRED_FIELDS = {
    "title": "Project title",
    "acronym": "Acronym",
    "summary": "Public summary",
    **{name: str(label) for name, label in DESCRIPTION_SECTIONS.items()},
    "atmp_class": "ATMP class",
    "cell_source": "Cell or vector source",
    "therapeutic_area": "Therapeutic area",
    "target_indication": "Target indication",
    "development_stage": "Development stage",
    "trl": "Technology readiness level",
    "gmp_readiness": "GMP readiness",
    "manufacturing_model": "Manufacturing",
    "ip_status": "IP status",
    "funding_raised_cents": "Funding raised to date",
    "funding_sought_cents": "Funding sought",
}
EDITABLE_FIELDS = (
    *REQUIRED_FIELDS,
    "orphan_designation",
    "prime",
    "atmp_classification",
    "scientific_advice",
    "hospital_exemption",
    "mentoring_topics",
    "lab_capabilities",
)
TEXT_LIMITS = {
    "summary": SUMMARY_LIMIT,
    **dict.fromkeys(DESCRIPTION_SECTIONS, SECTION_LIMIT),
}
ENUM_FIELDS = {
    "atmp_class": ATMPClass,
    "cell_source": CellSource,
    "therapeutic_area": TherapeuticArea,
    "development_stage": DevelopmentStage,
    "gmp_readiness": GMPReadiness,
    "manufacturing_model": ManufacturingModel,
    "ip_status": IPStatus,
}
LAB_CAPABILITIES = set(LAB_CAPABILITY_LABELS)
REGULATORY_FIELDS = (
    "orphan_designation",
    "prime",
    "atmp_classification",
    "scientific_advice",
    "hospital_exemption",
)
MENTORING_TOPICS = {tag for tag in EXPERTISE_TAGS if tag.startswith("topic:")}
EDITABLE_STATUSES = {ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED}
