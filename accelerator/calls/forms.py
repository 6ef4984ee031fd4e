"""Forms for calls, rubrics and eligibility questions (times typed in Madrid)."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from accelerator.calls.enums import CallStatus
from accelerator.core.forms import AppForm, AppSubForm, choice_list

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _moment(label):
    return DateTimeLocalField(
        label,
        format=DATETIME_FORMAT,
        validators=[InputRequired(_l("Enter a date and time."))],
        description=_l("Madrid time."),
    )


class CallForm(AppForm):
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Enter a title.")), Length(max=200)]
    )
    year = IntegerField(
        _l("Year"),
        validators=[
            InputRequired(_l("Enter the year.")),
            NumberRange(min=2000, max=2100, message=_l("Enter a year between 2000 and 2100.")),
        ],
    )
    description = TextAreaField(
        _l("What the call offers"), validators=[Optional(), Length(max=5000)]
    )
    opens_at = _moment(_l("Opens"))
    closes_at = _moment(_l("Closes (submission deadline)"))
    review_deadline = _moment(_l("Review deadline"))
    selection_quota = IntegerField(
        _l("Selection quota"),
        validators=[Optional(), NumberRange(min=0, max=100, message=_l("Between 0 and 100."))],
        description=_l("Leave empty for the programme's default (cap ÷ number of calls)."),
    )
    reviews_per_application = IntegerField(
        _l("Reviews per application"),
        default=3,
        validators=[
            InputRequired(_l("Enter a number.")),
            NumberRange(min=1, max=10, message=_l("Between 1 and 10.")),
        ],
    )
    blind_review = BooleanField(_l("Blind review (reviewers do not see who applies)"))
    show_scores_to_applicants = BooleanField(
        _l("Show reviewers' scores to applicants with the results (comments are always shown)")
    )
    close_with_drafts = BooleanField(
        _l("Close the call now although drafts have not been submitted")
    )

    def validate_closes_at(self, field):
        if self.opens_at.data and field.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The call must close after it opens."))

    def validate_review_deadline(self, field):
        if self.closes_at.data and field.data and field.data <= self.closes_at.data:
            raise ValidationError(_l("The review deadline must come after the call closes."))


def _weight_when_named(form, field):
    """Runs before Optional(), which ends the chain (inline validators too) on an empty weight."""
    empty = not field.raw_data or not str(field.raw_data[0]).strip()
    if (form.name.data or "").strip() and empty:
        field.errors[:] = []  # not also "Not a valid integer value." for the empty string
        raise StopValidation(_l("Give this criterion a weight."))


class CriterionForm(AppSubForm):
    name = StringField(_l("Criterion"), validators=[Optional(), Length(max=120)])
    description = StringField(_l("Description"), validators=[Optional(), Length(max=500)])
    weight = IntegerField(
        _l("Weight (%)"),
        validators=[
            _weight_when_named,
            Optional(),
            NumberRange(min=1, max=100, message=_l("Between 1 and 100.")),
        ],
    )
    scale_max = DecimalField(
        _l("Highest score"),
        places=1,
        default=5,
        validators=[Optional(), NumberRange(min=1, max=100, message=_l("Between 1 and 100."))],
    )


class RubricForm(AppForm):
    criteria = FieldList(FormField(CriterionForm), min_entries=1)


class QuestionForm(AppSubForm):
    text = StringField(_l("Question"), validators=[Optional(), Length(max=500)])
    qualifying_answer = SelectField(
        _l("Answer that qualifies"),
        choices=choice_list([("yes", _l("Yes")), ("no", _l("No"))]),
        default="yes",
    )


class EligibilityQuestionsForm(AppForm):
    questions = FieldList(FormField(QuestionForm), min_entries=1)


class CallStatusForm(AppForm):
    target = SelectField(
        _l("Move to"),
        choices=choice_list((status.value, status.label) for status in CallStatus),
        validators=[DataRequired()],
    )
