"""The application form (every field optional for drafts) and the managers' forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DecimalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from accelerator.accounts.enums import EXPERTISE_TAGS
from accelerator.applications.enums import (
    DESCRIPTION_SECTIONS,
    LAB_CAPABILITIES,
    REGULATORY_STEPS,
    SECTION_LIMIT,
    SUMMARY_LIMIT,
    ApplicationStatus,
    ATMPClass,
    AttachmentKind,
    CellSource,
    DevelopmentStage,
    GMPReadiness,
    IPStatus,
    ManufacturingModel,
    RegulatoryProgress,
    TherapeuticArea,
)
from accelerator.core.forms import (
    AppForm,
    FilterForm,
    MultiCheckboxField,
    choice_list,
    readable_number,
)

MENTORING_TOPICS = {tag: label for tag, label in EXPERTISE_TAGS.items() if tag.startswith("topic:")}
NOT_CHOSEN = ("", _l("— choose —"))
ANY = ("", _l("Any"))


def _select(label, enum_class, description=None, blank=NOT_CHOSEN):
    return SelectField(
        label,
        choices=choice_list([blank, *enum_class.choices()]),
        validators=[Optional()],
        description=description,
    )


def _text(label, limit, description=None):
    limit_note = _l("At most %(limit)d characters.", limit=limit)
    return TextAreaField(
        label,
        validators=[Optional(), Length(max=limit, message=_l("At most %(max)d characters."))],
        description=f"{description} {limit_note}" if description else limit_note,
        render_kw={
            "maxlength": limit,
            "rows": 6,
            "data-limit": limit,
            "data-unit": _l("characters"),
        },
    )


def _euros(label):
    return DecimalField(
        label,
        places=2,
        validators=[
            Optional(),
            readable_number,
            NumberRange(min=0, max=10**9, message=_l("Enter an amount ≥ 0.")),
        ],
        description=_l("In euros, e.g. 250000."),
    )


class ApplicationForm(AppForm):
    title = StringField(_l("Project title"), validators=[Optional(), Length(max=200)])
    acronym = StringField(_l("Acronym"), validators=[Optional(), Length(max=20)])
    summary = _text(
        _l("Public summary"),
        SUMMARY_LIMIT,
        _l("Plain language; may be published if the project is selected."),
    )
    unmet_need = _text(DESCRIPTION_SECTIONS["unmet_need"], SECTION_LIMIT)
    innovation = _text(DESCRIPTION_SECTIONS["innovation"], SECTION_LIMIT)
    development_plan = _text(DESCRIPTION_SECTIONS["development_plan"], SECTION_LIMIT)
    team = _text(DESCRIPTION_SECTIONS["team"], SECTION_LIMIT)
    programme_use = _text(DESCRIPTION_SECTIONS["programme_use"], SECTION_LIMIT)

    atmp_class = _select(_l("ATMP class"), ATMPClass, _l("As classified, or expected, by EMA/CAT."))
    cell_source = _select(_l("Cell or vector source"), CellSource)
    therapeutic_area = _select(_l("Therapeutic area"), TherapeuticArea)
    target_indication = StringField(
        _l("Target indication"), validators=[Optional(), Length(max=200)]
    )
    development_stage = _select(_l("Development stage"), DevelopmentStage)
    trl = IntegerField(
        _l("Technology readiness level (TRL)"),
        validators=[
            Optional(),
            readable_number,
            NumberRange(min=1, max=9, message=_l("Between 1 and 9.")),
        ],
        render_kw={"min": 1, "max": 9},
    )

    orphan_designation = _select(REGULATORY_STEPS["orphan_designation"], RegulatoryProgress)
    prime = _select(REGULATORY_STEPS["prime"], RegulatoryProgress)
    atmp_classification = _select(REGULATORY_STEPS["atmp_classification"], RegulatoryProgress)
    scientific_advice = _select(REGULATORY_STEPS["scientific_advice"], RegulatoryProgress)
    hospital_exemption = _select(REGULATORY_STEPS["hospital_exemption"], RegulatoryProgress)

    gmp_readiness = _select(_l("GMP readiness"), GMPReadiness)
    manufacturing_model = _select(_l("Manufacturing"), ManufacturingModel)
    ip_status = _select(_l("IP status"), IPStatus)
    funding_raised = _euros(_l("Funding raised to date (EUR)"))
    funding_sought = _euros(_l("Funding sought (EUR)"))
    mentoring_topics = MultiCheckboxField(
        _l("Mentoring topics wanted"),
        choices=choice_list(MENTORING_TOPICS),
        validators=[Optional()],
    )
    lab_capabilities = MultiCheckboxField(
        _l("Lab capabilities wanted"),
        choices=choice_list(LAB_CAPABILITIES),
        validators=[Optional()],
    )


YES_NO = (("yes", _l("Yes")), ("no", _l("No")))


def application_form_for(call, *args, **kwargs) -> ApplicationForm:
    """The application form with one yes/no question per eligibility question of the call."""

    class CallApplicationForm(ApplicationForm):
        pass

    for question in call.eligibility_questions:
        setattr(
            CallApplicationForm,
            f"eligibility_{question.id}",
            RadioField(question.text, choices=choice_list(YES_NO), validators=[Optional()]),
        )
    return CallApplicationForm(*args, **kwargs)


class AttachmentForm(AppForm):
    kind = SelectField(_l("Document"), choices=choice_list(AttachmentKind.choices()))
    file = FileField(
        _l("PDF file"),
        validators=[FileRequired(_l("Choose a PDF file."))],
        description=_l("PDF only, at most 10 MB."),
        render_kw={"accept": "application/pdf,.pdf"},
    )

    def __init__(self, *args, blind_review: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if blind_review:
            # Said where the file is chosen: reviewers get the pages as they are.
            self.file.description = _l(
                "PDF only, at most 10 MB. This call is reviewed blind: the documents must not"
                " name the team or the organisation. Reviewers get a copy without the file's"
                " author details, but its pages as they are."
            )


class EligibilityScreeningForm(AppForm):
    verdict = RadioField(
        _l("Verdict"),
        choices=choice_list([("eligible", _l("Eligible")), ("ineligible", _l("Ineligible"))]),
        validators=[InputRequired(_l("Choose eligible or ineligible."))],
    )
    reason = TextAreaField(
        _l("Reason"),
        # No Optional(): it would stop the chain on a blank reason before validate_reason runs.
        validators=[Length(max=2000)],
        description=_l("Required when ineligible; sent to the applicants."),
    )

    def validate_reason(self, field):
        if self.verdict.data == "ineligible" and not (field.data or "").strip():
            raise ValidationError(_l("Give the reason the application is ineligible."))


class ApplicationFilterForm(FilterForm):
    q = StringField(_l("Title or organisation"), validators=[Optional(), Length(max=200)])
    status = _select(_l("Status"), ApplicationStatus, blank=ANY)
    atmp_class = _select(_l("ATMP class"), ATMPClass, blank=ANY)
    therapeutic_area = _select(_l("Therapeutic area"), TherapeuticArea, blank=ANY)
    development_stage = _select(_l("Stage"), DevelopmentStage, blank=ANY)
    trl = SelectField(
        _l("TRL"),
        choices=choice_list([ANY, *((str(level), str(level)) for level in range(1, 10))]),
        validators=[Optional()],
    )
