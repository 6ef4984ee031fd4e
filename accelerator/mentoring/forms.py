"""Forms of the mentoring area: the mentor's profile and availability, the directory filters."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    AnyOf,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from accelerator.core.forms import FilterForm, MultiCheckboxField, choice_list, readable_number
from accelerator.mentoring.enums import (
    ATMP_CLASS_TAGS,
    LANGUAGE_LABELS,
    SESSION_LENGTHS,
    THERAPEUTIC_AREA_TAGS,
    TOPIC_TAGS,
    WEEKDAYS,
)


def _after(other_name: str, message):
    def check(form, field):
        other = form[other_name].data
        if field.data is not None and other is not None and field.data <= other:
            raise ValidationError(message)

    return check


def _not_before(other_name: str, message):
    def check(form, field):
        other = form[other_name].data
        if field.data is not None and other is not None and field.data < other:
            raise ValidationError(message)

    return check


def _tags(label, tags):
    return MultiCheckboxField(label, choices=choice_list(tags), validators=[Optional()])


class MentorProfileForm(FlaskForm):
    bio = TextAreaField(
        _l("About you"),
        validators=[Optional(), Length(max=4000, message=_l("At most %(max)d characters."))],
        description=_l("What you have done and how you can help projects."),
    )
    organisation = StringField(
        _l("Organisation"),
        validators=[Optional(), Length(max=200, message=_l("At most %(max)d characters."))],
    )
    languages = MultiCheckboxField(
        _l("Languages"),
        choices=choice_list({language.value: label for language, label in LANGUAGE_LABELS.items()}),
        validators=[Optional()],
    )
    topics = _tags(_l("Expertise"), TOPIC_TAGS)
    atmp_classes = _tags(_l("ATMP classes known"), ATMP_CLASS_TAGS)
    therapeutic_areas = _tags(_l("Therapeutic areas known"), THERAPEUTIC_AREA_TAGS)
    monthly_hour_limit = IntegerField(
        _l("Monthly hour limit"),
        validators=[
            InputRequired(_l("Enter the hours you can give each month.")),
            readable_number,
            NumberRange(min=1, max=200, message=_l("Between 1 and 200 hours.")),
        ],
        description=_l("Projects cannot book more of your time than this in a month."),
        render_kw={"min": 1, "max": 200},
    )
    minimum_notice_hours = IntegerField(
        _l("Minimum notice (hours)"),
        default=48,
        validators=[
            InputRequired(_l("Enter the notice you need, 0 if none.")),
            readable_number,
            NumberRange(min=0, max=720, message=_l("Between 0 and 720 hours.")),
        ],
        render_kw={"min": 0, "max": 720},
    )
    buffer_minutes = IntegerField(
        _l("Buffer between sessions (minutes)"),
        default=15,
        validators=[
            InputRequired(_l("Enter the buffer, 0 if none.")),
            readable_number,
            NumberRange(min=0, max=120, message=_l("Between 0 and 120 minutes.")),
        ],
        render_kw={"min": 0, "max": 120},
    )

    @property
    def tags(self) -> list[str]:
        return [
            *(self.topics.data or []),
            *(self.atmp_classes.data or []),
            *(self.therapeutic_areas.data or []),
        ]


class AvailabilityRuleForm(FlaskForm):
    weekday = SelectField(
        _l("Day"),
        choices=choice_list(WEEKDAYS),
        coerce=int,
        validators=[InputRequired(_l("Choose a day of the week."))],
    )
    starts_at = TimeField(
        _l("From (Madrid time)"), validators=[InputRequired(_l("Enter a time, as 10:00."))]
    )
    ends_at = TimeField(
        _l("Until (Madrid time)"),
        validators=[
            InputRequired(_l("Enter a time, as 13:00.")),
            _after("starts_at", _l("The end must be after the start.")),
        ],
    )


class AvailabilityExceptionForm(FlaskForm):
    first_day = DateField(_l("First day away"), validators=[InputRequired(_l("Enter a date."))])
    last_day = DateField(
        _l("Last day away"),
        validators=[
            InputRequired(_l("Enter a date.")),
            _not_before("first_day", _l("The last day cannot be before the first.")),
        ],
    )
    note = StringField(
        _l("Note"),
        validators=[Optional(), Length(max=200, message=_l("At most %(max)d characters."))],
        description=_l("For example: holidays."),
    )


class SlotPreviewForm(FilterForm):
    """Which free slots the mentor's availability gives, as projects will see them."""

    length = IntegerField(
        _l("Session length (minutes)"),
        default=60,
        validators=[
            Optional(),
            readable_number,
            AnyOf(SESSION_LENGTHS, message=_l("Sessions last 30, 60 or 90 minutes.")),
        ],
        description=_l("30, 60 or 90 minutes."),
    )


class MentorDirectoryFilterForm(FilterForm):
    expertise = SelectField(
        _l("Expertise"),
        choices=[SelectChoice("", _l("Any")), *choice_list(TOPIC_TAGS)],
        validators=[Optional()],
    )
    language = SelectField(
        _l("Language"),
        choices=[
            SelectChoice("", _l("Any")),
            *choice_list({language.value: label for language, label in LANGUAGE_LABELS.items()}),
        ],
        validators=[Optional()],
    )
    atmp_class = SelectField(
        _l("ATMP class"),
        choices=[SelectChoice("", _l("Any")), *choice_list(ATMP_CLASS_TAGS)],
        validators=[Optional()],
    )
