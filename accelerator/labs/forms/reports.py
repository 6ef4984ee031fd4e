"""Forms of the lab report (its period) and of the quota table (one project's hours at one lab)."""

from decimal import Decimal

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, DecimalField
from wtforms.validators import InputRequired, Optional, StopValidation, ValidationError

from accelerator.cohorts.models import Project
from accelerator.core.forms import AppForm, FilterForm, readable_number
from accelerator.labs.models import Lab

# Dates outside these years are typing mistakes; refusing them keeps date arithmetic safe.
FIRST_YEAR, LAST_YEAR = 2000, 2100
# A report covers at most a year: its week and month tables stay readable.
LONGEST_PERIOD_DAYS = 366
# No quarter has more hours than this (92 days); the cap keeps minutes in range.
MOST_QUOTA_HOURS = Decimal(92 * 24)


def _plausible_date(form, field):
    if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise StopValidation(
            _("Enter a date between %(first)d and %(last)d.", first=FIRST_YEAR, last=LAST_YEAR)
        )


class ReportPeriodForm(FilterForm):
    """The report's Madrid dates, first and last included, read from ?from=…&to=….

    Either may be left out: the report then covers the quarter of the other, or the current one.
    """

    first_day = DateField(_l("From"), name="from", validators=[Optional(), _plausible_date])
    last_day = DateField(_l("To"), name="to", validators=[Optional(), _plausible_date])

    def validate_last_day(self, field):
        first, last = self.first_day.data, field.data
        if first is None or last is None or self.first_day.errors:
            return
        if last < first:
            raise ValidationError(_("The last day is on or after the first day."))
        if (last - first).days + 1 > LONGEST_PERIOD_DAYS:
            raise ValidationError(
                _("A report covers at most %(days)d days.", days=LONGEST_PERIOD_DAYS)
            )


def _quota_in_range(form, field):
    # The same message as quota.set_quota's, which refuses a negative quota as well.
    if field.data < 0:
        raise StopValidation(_("The quota is 0 hours or more."))
    if field.data > MOST_QUOTA_HOURS:
        raise StopValidation(_("At most %(hours)s hours.", hours=format_decimal(MOST_QUOTA_HOURS)))


def _half_hours(form, field):
    if (field.data * 2) % 1:
        raise ValidationError(_("Use steps of half an hour, such as 12.5."))


class QuotaForm(AppForm):
    """One project's hours per quarter at one lab.

    The quota table shows one per project and lab, so each gets its own element ids; the field
    names stay `project_id`, `lab_id` and `hours` (the view reads the ids to load both).
    """

    hours = DecimalField(
        _l("Hours per quarter"),
        places=1,
        validators=[
            InputRequired(_l("Enter the hours per quarter, 0 for none.")),
            readable_number,
            _quota_in_range,
            _half_hours,
        ],
        render_kw={"step": "0.5", "min": 0},
    )

    def __init__(self, *args, project: Project, lab: Lab, **kwargs):
        super().__init__(*args, **kwargs)
        self.project_id = project.id
        self.lab_id = lab.id
        for field in self:  # the CSRF token's too: ids are unique on the page
            field.id = field.label.field_id = f"quota-{project.id}-{lab.id}-{field.name}"
        self.hours.label.text = _(
            "Hours per quarter of %(project)s at %(lab)s", project=project.label, lab=lab.name
        )
