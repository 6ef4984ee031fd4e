"""Vocabularies of the accounts area."""

import enum

from flask_babel import lazy_gettext as _l


class Role(enum.StrEnum):
    APPLICANT = "applicant"
    REVIEWER = "reviewer"
    MENTOR = "mentor"
    LAB_MANAGER = "lab_manager"
    PROGRAMME_MANAGER = "programme_manager"

    @property
    def label(self):
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.APPLICANT: _l("Applicant"),
    Role.REVIEWER: _l("Reviewer"),
    Role.MENTOR: _l("Mentor"),
    Role.LAB_MANAGER: _l("Lab manager"),
    Role.PROGRAMME_MANAGER: _l("Programme manager"),
}


class GuardedField(enum.StrEnum):
    """Organisation details that conflict-of-interest detection reads: once the organisation
    has a submitted application, a member's change to them waits for a programme manager."""

    LEGAL_NAME = "legal_name"
    EMAIL_DOMAIN = "email_domain"

    @property
    def label(self):
        return GUARDED_FIELD_LABELS[self]


GUARDED_FIELD_LABELS = {
    GuardedField.LEGAL_NAME: _l("Legal name"),
    GuardedField.EMAIL_DOMAIN: _l("Email domain"),
}


class OrganisationKind(enum.StrEnum):
    STARTUP = "startup"
    SPIN_OFF = "spin_off"
    RESEARCH_GROUP = "research_group"

    @property
    def label(self):
        return ORGANISATION_KIND_LABELS[self]


ORGANISATION_KIND_LABELS = {
    OrganisationKind.STARTUP: _l("Startup"),
    OrganisationKind.SPIN_OFF: _l("Spin-off"),
    OrganisationKind.RESEARCH_GROUP: _l("Research group"),
}

# Expertise a person declares on their profile; reviewers and mentors are matched on it.
EXPERTISE_TAGS = {
    "area:oncology": _l("Oncology"),
    "area:haematology": _l("Haematology"),
    "area:ophthalmology": _l("Ophthalmology"),
    "area:neurology": _l("Neurology"),
    "area:endocrine_metabolic": _l("Endocrine and metabolic"),
    "area:rare_genetic": _l("Rare genetic diseases"),
    "area:immunology": _l("Immunology"),
    "area:cardiovascular": _l("Cardiovascular"),
    "area:musculoskeletal": _l("Musculoskeletal"),
    "area:dermatology": _l("Dermatology"),
    "class:gene_therapy": _l("Gene therapy"),
    "class:somatic_cell_therapy": _l("Somatic cell therapy"),
    "class:tissue_engineered": _l("Tissue-engineered products"),
    "class:combined_atmp": _l("Combined ATMP"),
    "topic:regulatory": _l("Regulatory (EMA/CAT, AEMPS)"),
    "topic:cmc_gmp": _l("CMC and GMP manufacturing"),
    "topic:quality": _l("Quality systems"),
    "topic:non_clinical": _l("Non-clinical development"),
    "topic:clinical": _l("Clinical development"),
    "topic:ip": _l("Intellectual property"),
    "topic:fundraising": _l("Fundraising"),
    "topic:market_access": _l("Market access and reimbursement"),
    "topic:business_development": _l("Business development"),
}
