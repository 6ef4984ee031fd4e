"""Forms of a lab's management page and its staff: details, staff, opening hours, closures and
blackouts. They check shape; the services check meaning."""

from babel.dates import get_day_names
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    Regexp,
)

from accelerator.core.forms import AppForm, after, not_before, plausible_year, stripped
from accelerator.labs.services.labs_and_staff import LabDetails

MADRID_MOMENT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
WHOLE_LAB = 0

AT_MOST_200 = Length(max=200, message=_l("At most %(max)d characters."))


def weekday_choices() -> list[SelectChoice]:
    """Monday (0) to Sunday (6), named in the reader's language."""
    names = get_day_names("wide", locale=get_locale())
    return [SelectChoice(day, names[day].capitalize()) for day in range(7)]


class LabForm(AppForm):
    name = StringField(
        _l("Name"),
        filters=[stripped],
        validators=[DataRequired(_l("Enter the lab's name.")), AT_MOST_200],
    )
    address = TextAreaField(
        _l("Address"),
        filters=[stripped],
        validators=[Optional(), Length(max=1000, message=_l("At most %(max)d characters."))],
    )
    contact_email = EmailField(
        _l("Contact email"),
        filters=[stripped],
        validators=[
            Optional(),
            Length(max=320, message=_l("At most %(max)d characters.")),
            Email(_l("Enter an email address, such as lab@example.org.")),
        ],
    )
    contact_phone = StringField(
        _l("Contact phone"),
        filters=[stripped],
        validators=[
            Optional(),
            Length(max=50, message=_l("At most %(max)d characters.")),
            Regexp(
                r"^\+?[0-9 ().-]+$",
                message=_l("Use digits, spaces and + ( ) . - only, such as +34 934 020 000."),
            ),
        ],
    )

    def details(self) -> LabDetails:
        return LabDetails(
            name=self.name.data or "",
            address=self.address.data or "",
            contact_email=self.contact_email.data or "",
            contact_phone=self.contact_phone.data or "",
        )


class StaffForm(AppForm):
    user = SelectField(
        _l("Lab manager"),
        coerce=int,
        validators=[InputRequired(_l("Choose a lab manager."))],
        description=_l("People holding the lab manager role who do not manage this lab yet."),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.user.choices = [
            SelectChoice(person.id, f"{person.name} ({person.email})") for person in candidates
        ]


class OpeningHoursForm(AppForm):
    weekday = SelectField(
        _l("Day"), coerce=int, validators=[InputRequired(_l("Choose a day of the week."))]
    )
    opens_at = TimeField(
        _l("Opens (Madrid time)"), validators=[InputRequired(_l("Enter a time, such as 08:00."))]
    )
    closes_at = TimeField(
        _l("Closes (Madrid time)"),
        validators=[
            InputRequired(_l("Enter a time, such as 20:00.")),
            after("opens_at", _l("The lab must close after it opens.")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.weekday.choices = weekday_choices()


class ClosureForm(AppForm):
    first_day = DateField(
        _l("First day closed"),
        validators=[InputRequired(_l("Enter a date.")), plausible_year],
    )
    last_day = DateField(
        _l("Last day closed"),
        validators=[
            InputRequired(_l("Enter a date.")),
            plausible_year,
            not_before("first_day", _l("The last day cannot be before the first.")),
        ],
    )
    reason = StringField(
        _l("Reason"),
        id="closure_reason",  # the blackout form on the same page has a reason too
        filters=[stripped],
        validators=[Optional(), AT_MOST_200],
        description=_l("For example: public holiday."),
    )


class BlackoutForm(AppForm):
    resource = SelectField(
        _l("What cannot be booked"),
        coerce=int,
        validators=[InputRequired(_l("Choose the whole lab or one resource."))],
    )
    starts_at = DateTimeLocalField(
        _l("From (Madrid time)"),
        format=MADRID_MOMENT_FORMATS,
        validators=[InputRequired(_l("Enter a date and time.")), plausible_year],
    )
    ends_at = DateTimeLocalField(
        _l("Until (Madrid time)"),
        format=MADRID_MOMENT_FORMATS,
        validators=[
            InputRequired(_l("Enter a date and time.")),
            plausible_year,
            after("starts_at", _l("The end must be after the start.")),
        ],
    )
    reason = StringField(
        _l("Reason"),
        id="blackout_reason",
        filters=[stripped],
        validators=[
            DataRequired(_l("Give the reason: the bookers affected will read it.")),
            AT_MOST_200,
        ],
        description=_l("For example: maintenance of the air handling unit."),
    )
    # Set by the confirmation page, once the manager has seen the bookings to cancel.
    confirm = HiddenField()

    def __init__(self, *args, resources, **kwargs):
        super().__init__(*args, **kwargs)
        self.resource.choices = [
            SelectChoice(WHOLE_LAB, _("The whole lab")),
            *(SelectChoice(resource.id, resource.name) for resource in resources),
        ]

    @property
    def resource_id(self) -> int | None:
        return None if self.resource.data == WHOLE_LAB else self.resource.data

    @property
    def confirmed(self) -> bool:
        return self.confirm.data == "yes"

    @property
    def chosen(self) -> str:
        """What the blackout covers, as the list names it."""
        return next(
            (
                str(choice.label)
                for choice in self.resource.choices
                if choice.value == self.resource.data
            ),
            "",
        )
