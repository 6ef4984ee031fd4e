"""Vocabularies of an ATMP application (SPEC section 2, Application)."""

import enum

from flask_babel import lazy_gettext as _l


class LabelledEnum(enum.StrEnum):
    @property
    def label(self):
        # Keyed by class too: members of different enums share values ("none").
        return LABELS[(type(self), self)]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in cls]


class ApplicationStatus(LabelledEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    UNDER_REVIEW = "under_review"
    SELECTED = "selected"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"


NEXT = {
    ApplicationStatus.DRAFT: {ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN},
    ApplicationStatus.SUBMITTED: {
        ApplicationStatus.SUBMITTED,  # a resubmission before the deadline
        ApplicationStatus.WITHDRAWN,
        ApplicationStatus.ELIGIBLE,
        ApplicationStatus.INELIGIBLE,
    },
    ApplicationStatus.WITHDRAWN: {ApplicationStatus.DRAFT},
    ApplicationStatus.ELIGIBLE: {ApplicationStatus.INELIGIBLE, ApplicationStatus.UNDER_REVIEW},
    ApplicationStatus.INELIGIBLE: {ApplicationStatus.ELIGIBLE},
    ApplicationStatus.UNDER_REVIEW: {
        ApplicationStatus.SELECTED,
        ApplicationStatus.WAITLISTED,
        ApplicationStatus.REJECTED,
    },
    # A decision can be revised until results are published; a selected project may withdraw.
    ApplicationStatus.SELECTED: {
        ApplicationStatus.WAITLISTED,
        ApplicationStatus.REJECTED,
        ApplicationStatus.WITHDRAWN,
    },
    ApplicationStatus.WAITLISTED: {ApplicationStatus.SELECTED, ApplicationStatus.REJECTED},
    ApplicationStatus.REJECTED: {ApplicationStatus.SELECTED, ApplicationStatus.WAITLISTED},
}


class ATMPClass(LabelledEnum):
    GENE_THERAPY = "gene_therapy"
    SOMATIC_CELL_THERAPY = "somatic_cell_therapy"
    TISSUE_ENGINEERED = "tissue_engineered"
    COMBINED = "combined_atmp"
    NOT_YET_CLASSIFIED = "not_yet_classified"


class CellSource(LabelledEnum):
    AUTOLOGOUS = "autologous"
    ALLOGENEIC = "allogeneic"
    XENOGENEIC = "xenogeneic"
    IN_VIVO_VECTOR = "in_vivo_vector"
    NOT_APPLICABLE = "not_applicable"


class TherapeuticArea(LabelledEnum):
    ONCOLOGY = "oncology"
    HAEMATOLOGY = "haematology"
    OPHTHALMOLOGY = "ophthalmology"
    NEUROLOGY = "neurology"
    ENDOCRINE_METABOLIC = "endocrine_metabolic"
    RARE_GENETIC = "rare_genetic"
    IMMUNOLOGY = "immunology"
    CARDIOVASCULAR = "cardiovascular"
    MUSCULOSKELETAL = "musculoskeletal"
    DERMATOLOGY = "dermatology"
    OTHER = "other"


class DevelopmentStage(LabelledEnum):
    DISCOVERY = "discovery"
    PRECLINICAL_POC = "preclinical_poc"
    IND_CTA_ENABLING = "ind_cta_enabling"
    PHASE_1 = "phase_1"
    PHASE_2_OR_LATER = "phase_2_or_later"


class RegulatoryProgress(LabelledEnum):
    NONE = "none"
    PLANNED = "planned"
    APPLIED = "applied"
    GRANTED = "granted"


class GMPReadiness(LabelledEnum):
    NOT_STARTED = "not_started"
    PROCESS_IN_DEVELOPMENT = "process_in_development"
    GMP_COMPATIBLE_PROCESS = "gmp_compatible_process"
    GMP_MANUFACTURING = "gmp_manufacturing"


class ManufacturingModel(LabelledEnum):
    IN_HOUSE = "in_house"
    CDMO = "cdmo"
    UNDECIDED = "undecided"


class IPStatus(LabelledEnum):
    NONE = "none"
    INVENTION_DISCLOSURE = "invention_disclosure"
    PATENT_FILED = "patent_filed"
    PATENT_GRANTED = "patent_granted"
    LICENSED_IN = "licensed_in"


class AttachmentKind(LabelledEnum):
    PITCH_DECK = "pitch_deck"
    LETTER = "letter"


LABELS = {
    (ApplicationStatus, ApplicationStatus.DRAFT): _l("Draft"),
    (ApplicationStatus, ApplicationStatus.SUBMITTED): _l("Submitted"),
    (ApplicationStatus, ApplicationStatus.WITHDRAWN): _l("Withdrawn"),
    (ApplicationStatus, ApplicationStatus.ELIGIBLE): _l("Eligible"),
    (ApplicationStatus, ApplicationStatus.INELIGIBLE): _l("Ineligible"),
    (ApplicationStatus, ApplicationStatus.UNDER_REVIEW): _l("Under review"),
    (ApplicationStatus, ApplicationStatus.SELECTED): _l("Selected"),
    (ApplicationStatus, ApplicationStatus.WAITLISTED): _l("Waitlisted"),
    (ApplicationStatus, ApplicationStatus.REJECTED): _l("Rejected"),
    (ATMPClass, ATMPClass.GENE_THERAPY): _l("Gene therapy medicinal product"),
    (ATMPClass, ATMPClass.SOMATIC_CELL_THERAPY): _l("Somatic cell therapy medicinal product"),
    (ATMPClass, ATMPClass.TISSUE_ENGINEERED): _l("Tissue-engineered product"),
    (ATMPClass, ATMPClass.COMBINED): _l("Combined ATMP"),
    (ATMPClass, ATMPClass.NOT_YET_CLASSIFIED): _l("Not yet classified / emerging"),
    (CellSource, CellSource.AUTOLOGOUS): _l("Autologous"),
    (CellSource, CellSource.ALLOGENEIC): _l("Allogeneic"),
    (CellSource, CellSource.XENOGENEIC): _l("Xenogeneic"),
    (CellSource, CellSource.IN_VIVO_VECTOR): _l("In vivo vector"),
    (CellSource, CellSource.NOT_APPLICABLE): _l("Not applicable"),
    (TherapeuticArea, TherapeuticArea.ONCOLOGY): _l("Oncology"),
    (TherapeuticArea, TherapeuticArea.HAEMATOLOGY): _l("Haematology"),
    (TherapeuticArea, TherapeuticArea.OPHTHALMOLOGY): _l("Ophthalmology"),
    (TherapeuticArea, TherapeuticArea.NEUROLOGY): _l("Neurology"),
    (TherapeuticArea, TherapeuticArea.ENDOCRINE_METABOLIC): _l("Endocrine and metabolic"),
    (TherapeuticArea, TherapeuticArea.RARE_GENETIC): _l("Rare genetic diseases"),
    (TherapeuticArea, TherapeuticArea.IMMUNOLOGY): _l("Immunology"),
    (TherapeuticArea, TherapeuticArea.CARDIOVASCULAR): _l("Cardiovascular"),
    (TherapeuticArea, TherapeuticArea.MUSCULOSKELETAL): _l("Musculoskeletal"),
    (TherapeuticArea, TherapeuticArea.DERMATOLOGY): _l("Dermatology"),
    (TherapeuticArea, TherapeuticArea.OTHER): _l("Other"),
    (DevelopmentStage, DevelopmentStage.DISCOVERY): _l("Discovery"),
    (DevelopmentStage, DevelopmentStage.PRECLINICAL_POC): _l("Preclinical proof of concept"),
    (DevelopmentStage, DevelopmentStage.IND_CTA_ENABLING): _l("IND/CTA-enabling"),
    (DevelopmentStage, DevelopmentStage.PHASE_1): _l("Phase I"),
    (DevelopmentStage, DevelopmentStage.PHASE_2_OR_LATER): _l("Phase II or later"),
    (RegulatoryProgress, RegulatoryProgress.NONE): _l("None"),
    (RegulatoryProgress, RegulatoryProgress.PLANNED): _l("Planned"),
    (RegulatoryProgress, RegulatoryProgress.APPLIED): _l("Applied"),
    (RegulatoryProgress, RegulatoryProgress.GRANTED): _l("Granted"),
    (GMPReadiness, GMPReadiness.NOT_STARTED): _l("Not started"),
    (GMPReadiness, GMPReadiness.PROCESS_IN_DEVELOPMENT): _l("Process in development"),
    (GMPReadiness, GMPReadiness.GMP_COMPATIBLE_PROCESS): _l("GMP-compatible process defined"),
    (GMPReadiness, GMPReadiness.GMP_MANUFACTURING): _l("Manufacturing under GMP"),
    (ManufacturingModel, ManufacturingModel.IN_HOUSE): _l("In-house"),
    (ManufacturingModel, ManufacturingModel.CDMO): _l("CDMO"),
    (ManufacturingModel, ManufacturingModel.UNDECIDED): _l("Not decided yet"),
    (IPStatus, IPStatus.NONE): _l("No IP protection yet"),
    (IPStatus, IPStatus.INVENTION_DISCLOSURE): _l("Invention disclosure"),
    (IPStatus, IPStatus.PATENT_FILED): _l("Patent application filed"),
    (IPStatus, IPStatus.PATENT_GRANTED): _l("Patent granted"),
    (IPStatus, IPStatus.LICENSED_IN): _l("Licensed in"),
    (AttachmentKind, AttachmentKind.PITCH_DECK): _l("Pitch deck"),
    (AttachmentKind, AttachmentKind.LETTER): _l("Letter"),
}

REGULATORY_STEPS = {
    "orphan_designation": _l("Orphan designation"),
    "prime": _l("PRIME eligibility"),
    "atmp_classification": _l("ATMP classification request (CAT)"),
    "scientific_advice": _l("Scientific advice"),
    "hospital_exemption": _l("Hospital exemption"),
}

LAB_CAPABILITIES = {
    "gmp_clean_room": _l("GMP clean room"),
    "cell_culture_suite": _l("Cell culture suite"),
    "viral_vector_suite": _l("Viral vector suite"),
    "flow_cytometer": _l("Flow cytometer"),
    "bioreactor": _l("Bioreactor"),
    "cryostorage": _l("Cryostorage"),
    "qc_analytics": _l("QC analytics"),
}

# Character limits shown while typing and enforced on save.
SUMMARY_LIMIT = 1000
SECTION_LIMIT = 4000
DESCRIPTION_SECTIONS = {
    "unmet_need": _l("Unmet medical need"),
    "innovation": _l("Innovation and science"),
    "development_plan": _l("Development and regulatory plan"),
    "team": _l("Team"),
    "programme_use": _l("Use of the programme"),
}
