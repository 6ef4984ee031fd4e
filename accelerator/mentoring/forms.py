"""Forms of the mentoring area: profile, availability, directory filters, sessions."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
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
)
from wtforms.widgets import HiddenInput

from accelerator.core.forms import (
    AppForm,
    FilterForm,
    MadridMomentField,
    MultiCheckboxField,
    after,
    choice_list,
    filter_select,
    not_before,
    readable_number,
)
from accelerator.mentoring.enums import (
    ATMP_CLASS_TAGS,
    LANGUAGE_LABELS,
    SESSION_LENGTHS,
    THERAPEUTIC_AREA_TAGS,
    TOPIC_TAGS,
    WEEKDAYS,
)


def _tags(label, tags):
    return MultiCheckboxField(label, choices=choice_list(tags), validators=[Optional()])


class MentorProfileForm(AppForm):
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


class AvailabilityRuleForm(AppForm):
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
            after("starts_at", _l("The end must be after the start.")),
        ],
    )


class AvailabilityExceptionForm(AppForm):
    first_day = DateField(_l("First day away"), validators=[InputRequired(_l("Enter a date."))])
    last_day = DateField(
        _l("Last day away"),
        validators=[
            InputRequired(_l("Enter a date.")),
            not_before("first_day", _l("The last day cannot be before the first.")),
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
    expertise = filter_select(_l("Expertise"), choice_list(TOPIC_TAGS))
    language = filter_select(
        _l("Language"),
        choice_list({language.value: label for language, label in LANGUAGE_LABELS.items()}),
    )
    atmp_class = filter_select(_l("ATMP class"), choice_list(ATMP_CLASS_TAGS))


# --- sessions ----------------------------------------------------------------------------

_AT_MOST_4000 = Length(max=4000, message=_l("At most %(max)d characters."))


class SlotLengthForm(FilterForm):
    """Which length of free slots the booking page lists."""

    length = IntegerField(
        _l("Length (minutes)"),
        default=60,
        validators=[
            Optional(),
            readable_number,
            AnyOf(SESSION_LENGTHS, message=_l("Sessions last 30, 60 or 90 minutes.")),
        ],
    )


class BookingForm(AppForm):
    starts_at = MadridMomentField(
        _l("Time (Madrid)"),
        validators=[InputRequired(_l("Choose one of the listed times."))],
        unreadable=_l("Choose one of the listed times."),
    )
    # Hidden: the length chosen above the list of free times; its error shows next to that.
    length = IntegerField(
        _l("Session length (minutes)"),
        default=60,
        widget=HiddenInput(),
        validators=[
            InputRequired(_l("Choose 30, 60 or 90 minutes.")),
            readable_number,
            AnyOf(SESSION_LENGTHS, message=_l("Sessions last 30, 60 or 90 minutes.")),
        ],
    )
    agenda = TextAreaField(
        _l("Agenda"),
        validators=[InputRequired(_l("Say what you would like to discuss.")), _AT_MOST_4000],
        description=_l("The questions you bring, so that the mentor can prepare."),
    )


class ProposeTimeForm(AppForm):
    starts_at = MadridMomentField(
        _l("Another time (Madrid)"),
        validators=[InputRequired(_l("Choose one of the listed times."))],
        unreadable=_l("Choose one of the listed times."),
    )


class DeclineForm(AppForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[InputRequired(_l("Tell the project why you decline.")), _AT_MOST_4000],
    )


class CancelForm(AppForm):
    reason = TextAreaField(_l("Reason (optional)"), validators=[Optional(), _AT_MOST_4000])


class OutcomeForm(AppForm):
    outcome = RadioField(
        _l("What happened"),
        choices=[SelectChoice("held", _l("Held")), SelectChoice("no_show", _l("No-show"))],
        validators=[InputRequired(_l("Choose held or no-show."))],
    )


class NotesForm(AppForm):
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=20000)])
    action_items = TextAreaField(
        _l("Action items"),
        validators=[Optional(), _AT_MOST_4000],
        description=_l("One per line."),
    )


class FeedbackForm(AppForm):
    rating = RadioField(
        _l("Rating"),
        choices=[SelectChoice(str(n), str(n)) for n in range(1, 6)],
        validators=[InputRequired(_l("Rate the session from 1 to 5."))],
        description=_l("1 = not useful, 5 = very useful."),
    )
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), _AT_MOST_4000])
