"""Forms for finding and booking resources: the list's filters, the booking form, the waiting
list, and the answers to a booking (cancel, reject, outcome).

Times are typed as Madrid dates and wall-clock times; the booking service decides whether they
make a bookable interval, so these forms only check that each value can be read.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    RadioField,
    SelectChoice,
    SelectField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from accelerator.core.clock import as_madrid, madrid_to_utc
from accelerator.core.forms import (
    AppForm,
    FilterForm,
    MadridMomentField,
    any_and,
    choice_list,
    filter_select,
    plausible_year,
    readable_number,
    stripped,
)
from accelerator.labs.enums import (
    RESOURCE_KIND_LABELS,
    BookingStatus,
    CleanroomGrade,
    ResourceKind,
)

# The free-time filter looks at most this many days ahead in one search.
LONGEST_SEARCH_DAYS = 62
_AT_MOST_4000 = Length(max=4000, message=_l("At most %(max)d characters."))


# --- finding -----------------------------------------------------------------------------

CONTAINMENT_LEVELS = (1, 2, 3, 4)


class ResourceFilterForm(FilterForm):
    kind = filter_select(
        _l("Kind"),
        choice_list({kind.value: label for kind, label in RESOURCE_KIND_LABELS.items()}),
    )
    grade = filter_select(
        _l("Clean room grade"),
        [SelectChoice(grade.value, grade.label) for grade in CleanroomGrade],
    )
    containment = filter_select(
        _l("Containment level at least"),
        [SelectChoice(str(level), str(level)) for level in CONTAINMENT_LEVELS],
    )
    gmp = BooleanField(_l("GMP-certified only"))
    lab = filter_select(_l("Lab"))
    free_from = DateField(_l("Free between"), validators=[Optional(), plausible_year])
    free_until = DateField(_l("and (included)"), validators=[Optional(), plausible_year])
    free_hours = DecimalField(
        _l("For (hours)"),
        places=None,
        validators=[
            Optional(),
            readable_number,
            NumberRange(min=Decimal("0.25"), max=24, message=_l("Between 0.25 and 24 hours.")),
        ],
        render_kw={"min": "0.25", "max": "24", "step": "0.25", "inputmode": "decimal"},
        description=_l("Finds resources with at least one free time of this length."),
    )

    def __init__(self, *args, labs, **kwargs):
        super().__init__(*args, **kwargs)
        self.lab.choices = any_and(SelectChoice(str(lab.id), lab.name) for lab in labs)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        wanted = (self.free_from.data, self.free_until.data, self.free_hours.data)
        if any(value is not None for value in wanted) and valid:
            if self.free_from.data is None:
                self.free_from.errors.append(_l("Enter the first day to search."))
            if self.free_hours.data is None:
                self.free_hours.errors.append(_l("Enter how many hours you need."))
            elif (self.free_hours.data * 60) % 1:
                self.free_hours.errors.append(_l("Enter whole minutes, as 1.5 hours."))
            if self.free_from.data and self.free_until.data:
                if self.free_until.data < self.free_from.data:
                    self.free_until.errors.append(_l("The last day cannot be before the first."))
                elif self.free_until.data - self.free_from.data > timedelta(
                    days=LONGEST_SEARCH_DAYS
                ):
                    self.free_until.errors.append(
                        _l("Search at most %(days)d days at once.", days=LONGEST_SEARCH_DAYS)
                    )
            valid = not any(field.errors for field in self)
        return valid

    @property
    def attribute_filters(self) -> dict:
        """The filters on the resources' attributes, as queries.resources_matching takes them."""
        return {
            "kind": ResourceKind(self.kind.data) if self.kind.data else None,
            "grade": CleanroomGrade(self.grade.data) if self.grade.data else None,
            "containment_at_least": int(self.containment.data) if self.containment.data else None,
            "gmp_certified_only": bool(self.gmp.data),
            "lab_id": int(self.lab.data) if self.lab.data else None,
        }

    @property
    def wants_free_time(self) -> bool:
        return self.free_from.data is not None and self.free_hours.data is not None

    @property
    def free_days(self) -> tuple[date, date]:
        """The first and last day to search; one week when no last day is given."""
        first = self.free_from.data
        return first, self.free_until.data or first + timedelta(days=6)

    @property
    def free_minutes(self) -> int:
        return int(self.free_hours.data * 60)


# --- booking -----------------------------------------------------------------------------


class BookingForm(AppForm):
    project = SelectField(
        _l("Project"), coerce=int, validators=[InputRequired(_l("Choose the project."))]
    )
    day = DateField(
        _l("Date"),
        validators=[InputRequired(_l("Enter the date.")), plausible_year],
    )
    starts = TimeField(
        _l("Start time (Madrid)"),
        format=["%H:%M", "%H:%M:%S"],
        validators=[InputRequired(_l("Enter the start time, as 10:00."))],
    )
    ends = TimeField(
        _l("End time (Madrid)"),
        format=["%H:%M", "%H:%M:%S"],
        validators=[InputRequired(_l("Enter the end time, as 12:00."))],
    )
    end_day = DateField(
        _l("End date"),
        validators=[Optional(), plausible_year],
        description=_l("Only if the booking ends on another day than it starts."),
    )
    operator = SelectField(
        _l("Operator"),
        coerce=int,
        validators=[InputRequired(_l("Choose who will operate the resource."))],
        description=_l("Who will work in the lab: they need the trainings listed above."),
    )
    purpose = TextAreaField(
        _l("Purpose"),
        filters=[stripped],
        validators=[DataRequired(_l("Say what the booking is for.")), _AT_MOST_4000],
        description=_l("What you will do, for the lab to prepare and approve."),
    )

    def __init__(self, *args, projects, members, step_minutes: int, **kwargs):
        super().__init__(*args, **kwargs)
        # The browser's time picker offers the resource's steps (the service checks them).
        self.starts.render_kw = self.ends.render_kw = {"step": step_minutes * 60}
        self.project.choices = [SelectChoice(project.id, project.label) for project in projects]
        self.operator.choices = [SelectChoice(member.id, member.name) for member in members]

    def prefill(self, *, starts_at: datetime | None, ends_at: datetime | None, project_id=None):
        """Fills the time (from a week-view or next-free link) and the project, when given."""
        if starts_at is not None:
            local = as_madrid(starts_at)
            self.day.data, self.starts.data = local.date(), local.time()
        if ends_at is not None:
            local = as_madrid(ends_at)
            self.ends.data = local.time()
            if starts_at is not None and local.date() != as_madrid(starts_at).date():
                self.end_day.data = local.date()
        if project_id is not None and project_id in {c.value for c in self.project.choices}:
            self.project.data = project_id

    @property
    def starts_at(self) -> datetime:
        return madrid_to_utc(datetime.combine(self.day.data, self.starts.data))

    @property
    def ends_at(self) -> datetime:
        return madrid_to_utc(datetime.combine(self.end_day.data or self.day.data, self.ends.data))


class WaitlistForm(AppForm):
    project = SelectField(
        _l("Project"), coerce=int, validators=[InputRequired(_l("Choose the project."))]
    )
    starts_at = MadridMomentField(
        _l("From"), validators=[InputRequired(_l("Choose the time you want."))]
    )
    ends_at = MadridMomentField(
        _l("Until"), validators=[InputRequired(_l("Choose the time you want."))]
    )

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.project.choices = [SelectChoice(project.id, project.label) for project in projects]


# --- answering a booking -----------------------------------------------------------------


class CancelForm(AppForm):
    cancellation_reason = TextAreaField(
        _l("Reason (optional)"), filters=[stripped], validators=[Optional(), _AT_MOST_4000]
    )


class RejectForm(AppForm):
    rejection_reason = TextAreaField(
        _l("Reason"),
        filters=[stripped],
        validators=[
            DataRequired(_l("Tell the project why the booking is rejected.")),
            _AT_MOST_4000,
        ],
    )


class OutcomeForm(AppForm):
    outcome = RadioField(
        _l("What happened"),
        choices=[
            SelectChoice(BookingStatus.COMPLETED.value, _l("Completed: the booking was used")),
            SelectChoice(BookingStatus.NO_SHOW.value, _l("No-show")),
        ],
        validators=[InputRequired(_l("Choose completed or no-show."))],
    )
