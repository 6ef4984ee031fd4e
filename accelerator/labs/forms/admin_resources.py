"""Forms of a lab's resources, trainings and authorisations. They check shape; the services
check meaning."""

from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    IntegerField,
    SelectChoice,
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
    ValidationError,
)

from accelerator.core.durations import hours
from accelerator.core.forms import (
    AppForm,
    MultiCheckboxField,
    choice_list,
    not_before,
    plausible_year,
    readable_number,
    stripped,
)
from accelerator.labs.enums import (
    DEFAULT_AUTHORISATION_MONTHS,
    CleanroomGrade,
    ResourceKind,
)
from accelerator.labs.forms.admin_labs import AT_MOST_200
from accelerator.labs.services.managing import DetailMissing
from accelerator.labs.services.resources import (
    BOOKING_STEPS,
    CONTAINMENT_LEVELS,
    MOST_DURATION_HOURS,
    MOST_HOURLY_RATE,
    MOST_NOTICE_HOURS,
    BookingStepNotAllowed,
    ContainmentLevelOutOfRange,
    DurationLimitsOutOfOrder,
    DurationOutOfRange,
    NoticeOutOfRange,
    RateOutOfRange,
    ResourceAttributes,
    ResourceNameTaken,
)
from accelerator.labs.services.trainings import (
    MOST_VALIDITY_MONTHS,
    ExpiryBeforeGrant,
    NoSuchPerson,
)

CENT = Decimal("0.01")


def _in_range(field) -> bool:
    # Out of range ("1e999999") is said already, and Decimal cannot divide or quantize it.
    return field.data is not None and not field.errors


def _half_hours(form, field):
    if _in_range(field) and (field.data * 2) % 1:
        raise ValidationError(_("Use steps of half an hour, such as 1.5."))


def _whole_cents(form, field):
    if _in_range(field) and field.data != field.data.quantize(CENT):
        raise ValidationError(_("At most two decimals (cents)."))


def _hours_field(label, default, description=None):
    return DecimalField(
        label,
        places=None,
        default=default,
        validators=[
            InputRequired(_l("Enter a number of hours.")),
            readable_number,
            NumberRange(
                min=0.5,
                max=int(MOST_DURATION_HOURS),
                message=_l("Between %(min)s and %(max)s hours."),
            ),
            _half_hours,
        ],
        description=description,
        render_kw={"min": 0.5, "max": int(MOST_DURATION_HOURS), "step": 0.5},
    )


def _containment(value):
    return int(value) if value not in (None, "", "None") else None


class ResourceForm(AppForm):
    name = StringField(
        _l("Name"),
        filters=[stripped],
        validators=[DataRequired(_l("Enter the resource's name.")), AT_MOST_200],
    )
    description = TextAreaField(
        _l("Description"),
        filters=[stripped],
        validators=[Optional(), Length(max=4000, message=_l("At most %(max)d characters."))],
    )
    kind = SelectField(
        _l("Kind"),
        choices=choice_list({kind.value: kind.label for kind in ResourceKind}),
        validators=[InputRequired(_l("Choose the kind of resource."))],
    )
    cleanroom_grade = SelectField(
        _l("Clean room grade (EU GMP)"),
        choices=choice_list({grade.value: grade.label for grade in CleanroomGrade}),
        default=CleanroomGrade.NONE.value,
        validators=[InputRequired(_l("Choose a grade, or not a clean room."))],
    )
    containment_level = SelectField(
        _l("Biosafety / GMO containment level"),
        coerce=_containment,
        choices=[
            SelectChoice(None, _l("None")),
            *(
                SelectChoice(level, _l("Level %(level)d", level=level))
                for level in CONTAINMENT_LEVELS
            ),
        ],
        validators=[Optional()],
    )
    gmp_certified = BooleanField(_l("GMP-certified"))
    booking_step_minutes = SelectField(
        _l("Booking step"),
        coerce=int,
        default=30,
        choices=[
            SelectChoice(step, _l("%(minutes)d minutes", minutes=step)) for step in BOOKING_STEPS
        ],
        validators=[InputRequired(_l("Choose a booking step."))],
        description=_l("Bookings start and end on these steps."),
    )
    minimum_hours = _hours_field(_l("Minimum duration (hours)"), "0.5")
    maximum_hours = _hours_field(
        _l("Maximum duration (hours)"),
        "8",
        description=_l("A booking fits inside one opening window of one day."),
    )
    minimum_notice_hours = IntegerField(
        _l("Minimum notice (hours)"),
        default=24,
        validators=[
            InputRequired(_l("Enter the notice in hours, 0 if none.")),
            readable_number,
            NumberRange(
                min=0,
                max=MOST_NOTICE_HOURS,
                message=_l("Between %(min)d and %(max)d hours."),
            ),
        ],
        render_kw={"min": 0, "max": MOST_NOTICE_HOURS},
    )
    needs_approval = BooleanField(_l("Bookings need the lab's approval"), default=True)
    hourly_rate = DecimalField(
        _l("Hourly rate (EUR)"),
        places=None,
        default="0",
        validators=[
            InputRequired(_l("Enter the hourly rate in euros, 0 if free.")),
            readable_number,
            NumberRange(
                min=0,
                max=int(MOST_HOURLY_RATE),
                message=_l("Between %(min)s and %(max)s euros."),
            ),
            _whole_cents,
        ],
        description=_l("For reports of the projects' costs."),
        render_kw={"min": 0, "step": "0.01"},
    )
    active = BooleanField(_l("Bookable"), default=True)
    required_trainings = MultiCheckboxField(
        _l("Trainings the operator needs"), coerce=int, validators=[Optional()]
    )

    def __init__(self, *args, trainings, **kwargs):
        super().__init__(*args, **kwargs)
        self.required_trainings.choices = [
            SelectChoice(training.id, training.name) for training in trainings
        ]

    def validate_maximum_hours(self, field):
        least = self.minimum_hours.data
        if _in_range(field) and least is not None and field.data < least:
            raise ValidationError(_("The maximum cannot be shorter than the minimum."))

    def show(self, resource) -> None:
        """Fills the form with the resource's values (durations in hours, the rate in euros)."""
        for name in (
            "name",
            "description",
            "containment_level",
            "gmp_certified",
            "booking_step_minutes",
            "minimum_notice_hours",
            "needs_approval",
            "active",
        ):
            self[name].data = getattr(resource, name)
        self.kind.data = resource.kind.value
        self.cleanroom_grade.data = resource.cleanroom_grade.value
        self.minimum_hours.data = hours(resource.minimum_minutes)
        self.maximum_hours.data = hours(resource.maximum_minutes)
        self.hourly_rate.data = (Decimal(resource.hourly_rate_cents) / 100).quantize(CENT)
        self.required_trainings.data = [training.id for training in resource.required_trainings]

    def attributes(self) -> ResourceAttributes:
        return ResourceAttributes(
            name=self.name.data or "",
            description=self.description.data or "",
            kind=ResourceKind(self.kind.data),
            cleanroom_grade=CleanroomGrade(self.cleanroom_grade.data),
            containment_level=self.containment_level.data,
            gmp_certified=self.gmp_certified.data,
            booking_step_minutes=self.booking_step_minutes.data,
            minimum_hours=self.minimum_hours.data,
            maximum_hours=self.maximum_hours.data,
            minimum_notice_hours=self.minimum_notice_hours.data,
            needs_approval=self.needs_approval.data,
            hourly_rate=self.hourly_rate.data,
            active=self.active.data,
            training_ids=tuple(self.required_trainings.data or ()),
        )

    def show_refusal(self, error: Exception) -> None:
        """A service's refusal next to the field it is about."""
        field = {
            ResourceNameTaken: self.name,
            DetailMissing: self.name,
            BookingStepNotAllowed: self.booking_step_minutes,
            ContainmentLevelOutOfRange: self.containment_level,
            DurationOutOfRange: self.maximum_hours,
            DurationLimitsOutOfOrder: self.maximum_hours,
            NoticeOutOfRange: self.minimum_notice_hours,
            RateOutOfRange: self.hourly_rate,
        }.get(type(error), self.required_trainings)
        field.errors = [*field.errors, str(error)]


class TrainingForm(AppForm):
    name = StringField(
        _l("Training"),
        filters=[stripped],
        validators=[DataRequired(_l("Enter the training's name.")), AT_MOST_200],
        description=_l("For example: Grade B gowning."),
    )
    validity_months = IntegerField(
        _l("Valid for (months)"),
        default=DEFAULT_AUTHORISATION_MONTHS,
        validators=[
            InputRequired(_l("Enter the validity in months.")),
            readable_number,
            NumberRange(
                min=1,
                max=MOST_VALIDITY_MONTHS,
                message=_l("Between %(min)d and %(max)d months."),
            ),
        ],
        render_kw={"min": 1, "max": MOST_VALIDITY_MONTHS},
    )


class AuthorisationForm(AppForm):
    email = EmailField(
        _l("Person's email"),
        filters=[stripped],
        validators=[
            DataRequired(_l("Enter the email the person registered with.")),
            Length(max=320, message=_l("At most %(max)d characters.")),
        ],
        description=_l("The person must have an account."),
    )
    training = SelectField(
        _l("Training"), coerce=int, validators=[InputRequired(_l("Choose a training."))]
    )
    granted_on = DateField(
        _l("Trained on"),
        validators=[InputRequired(_l("Enter a date.")), plausible_year],
    )
    expires_on = DateField(
        _l("Expires on"),
        validators=[
            Optional(),
            plausible_year,
            not_before("granted_on", _l("The expiry cannot be before the date of the training.")),
        ],
        description=_l(
            "Leave empty for the training's validity from the date (12 months unless set"
            " otherwise)."
        ),
    )

    def __init__(self, *args, trainings, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.training.choices = [SelectChoice(training.id, training.name) for training in trainings]
        if not self.is_submitted():
            self.granted_on.data = today

    def show_refusal(self, error: Exception) -> None:
        field = {
            NoSuchPerson: self.email,
            ExpiryBeforeGrant: self.expires_on,
        }.get(type(error), self.training)
        field.errors = [*field.errors, str(error)]
