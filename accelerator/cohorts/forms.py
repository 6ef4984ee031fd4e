"""Forms of the project space: TRL, milestones and quarterly KPI reports."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from accelerator.cohorts.enums import (
    CLINICAL_TRIAL_LABELS,
    MILESTONE_STATUS_LABELS,
)
from accelerator.core.forms import AppForm, choice_list, readable_number, stripped

QUARTERS = {
    1: _l("Q1 (January–March)"),
    2: _l("Q2 (April–June)"),
    3: _l("Q3 (July–September)"),
    4: _l("Q4 (October–December)"),
}


def _count(label, description=None):
    return IntegerField(
        label,
        validators=[
            InputRequired(_l("Enter a number, 0 if none.")),
            readable_number,
            NumberRange(min=0, max=1_000_000, message=_l("Enter a whole number ≥ 0.")),
        ],
        description=description,
        render_kw={"min": 0},
    )


class TRLForm(AppForm):
    trl = IntegerField(
        _l("Current TRL"),
        validators=[
            InputRequired(_l("Enter the TRL, from 1 to 9.")),
            readable_number,
            NumberRange(min=1, max=9, message=_l("Between 1 and 9.")),
        ],
        render_kw={"min": 1, "max": 9},
    )
    note = TextAreaField(
        _l("What changed"),
        validators=[Optional(), Length(max=2000, message=_l("At most %(max)d characters."))],
        description=_l("For example the study or result that moved the project."),
    )


class MilestoneForm(AppForm):
    title = StringField(
        _l("Title"),
        filters=[stripped],
        validators=[
            DataRequired(_l("Give the milestone a title.")),
            Length(max=200, message=_l("At most %(max)d characters.")),
        ],
    )
    due_date = DateField(
        _l("Due date"),
        validators=[InputRequired(_l("Enter the due date."))],
    )
    status = SelectField(
        _l("Status"),
        choices=choice_list(MILESTONE_STATUS_LABELS),
        validators=[InputRequired()],
    )
    evidence_note = TextAreaField(
        _l("Evidence"),
        validators=[Optional(), Length(max=5000, message=_l("At most %(max)d characters."))],
        description=_l("What shows the milestone is reached: a report, a result, a decision."),
    )
    evidence = FileField(
        _l("Evidence PDF (optional)"),
        description=_l("PDF only, at most 10 MB. A new file replaces the previous one."),
        render_kw={"accept": "application/pdf,.pdf"},
    )


class KPIReportForm(AppForm):
    year = IntegerField(
        _l("Year"),
        validators=[
            InputRequired(_l("Enter the year.")),
            readable_number,
            NumberRange(min=2000, max=2100, message=_l("Enter a year between 2000 and 2100.")),
        ],
    )
    quarter = SelectField(
        _l("Quarter"),
        choices=choice_list(QUARTERS),
        coerce=int,
        validate_choice=False,  # AnyOf below gives the clearer message
        validators=[
            InputRequired(_l("Choose the quarter.")),
            readable_number,
            AnyOf(list(QUARTERS), message=_l("Choose a quarter from Q1 to Q4.")),
        ],
    )
    funding_raised = DecimalField(
        _l("Funding raised in the quarter (EUR)"),
        places=2,
        validators=[
            InputRequired(_l("Enter an amount, 0 if none.")),
            readable_number,
            NumberRange(min=0, max=10**10, message=_l("Enter an amount ≥ 0.")),
        ],
        description=_l("Equity, grants and loans signed in the quarter, in euros."),
        render_kw={"min": 0},
    )
    headcount = _count(_l("Headcount"), _l("People working on the project at the quarter's end."))
    patents_filed = _count(_l("Patents filed in the quarter"))
    regulatory_milestones = TextAreaField(
        _l("Regulatory milestones"),
        validators=[Optional(), Length(max=2000, message=_l("At most %(max)d characters."))],
        description=_l("For example scientific advice, an ATMP classification or PRIME."),
    )
    clinical_trial_status = SelectField(
        _l("Clinical trial status"),
        choices=choice_list(CLINICAL_TRIAL_LABELS),
        validators=[InputRequired()],
    )
    save = SubmitField(_l("Save draft"))
    submit_report = SubmitField(_l("Submit report"))
