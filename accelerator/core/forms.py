"""Form pieces shared by every area, and the base forms every form of the app derives from."""

import re
from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeField,
    DecimalField,
    Field,
    Form,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    widgets,
)
from wtforms.fields.choices import SelectFieldBase
from wtforms.validators import Optional, StopValidation, ValidationError

from accelerator.core.characters import LINE_BREAK, has_control_character
from accelerator.core.clock import as_madrid, madrid_to_utc

MADRID_MOMENT_FORMAT = "%Y-%m-%dT%H:%M"
# Years outside these are typing mistakes; refusing them keeps date arithmetic safe.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def choice_list(pairs) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs or a {value: label} mapping."""
    items = pairs.items() if isinstance(pairs, dict) else pairs
    return [SelectChoice(value, label) for value, label in items]


def stripped(value):
    """A field filter: surrounding spaces are not content (a blank reason stays blank)."""
    return value.strip() if isinstance(value, str) else value


def readable_number(form, field):
    """After "Not a valid integer value." a range message would only add confusion."""
    if field.process_errors:
        raise StopValidation()


# Numbers as written in a form: ASCII digits, a sign, a decimal point and an exponent. Python
# would also read "NaN", "Infinity", "1_000" and other scripts' digits, which no one means here.
PLAIN_INTEGER = re.compile(r"\s*[+-]?[0-9]+\s*")
PLAIN_DECIMAL = re.compile(r"\s*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*")
# The largest value a PostgreSQL integer column holds; a field's own range is usually smaller.
LARGEST_INTEGER = 2**31 - 1
# No amount or duration anyone means is larger; far larger ones cannot even be quantized.
LARGEST_DECIMAL = Decimal(10) ** 12


def _typed_text(field) -> list[str]:
    return [value for value in field.raw_data or () if isinstance(value, str)]


def printable_text(form, field):
    """A validator: no control characters (exports and emails break on them)."""
    if any(has_control_character(value) for value in _typed_text(field)):
        raise StopValidation(_l("Remove the invisible control character from this text."))


def no_line_break(form, field):
    """A validator: no line break in a one-line field (a name or subject that reaches an email
    header would break it)."""
    if any(LINE_BREAK.search(value) for value in _typed_text(field)):
        raise StopValidation(_l("Write this on one line."))


def _readable_as(pattern: re.Pattern, message):
    """A validator: a number Python reads but a form should not ("NaN", "١٢") is refused with
    the field's own message, before any range check compares with it."""

    def check(form, field):
        typed = _typed_text(field)
        if field.process_errors or not typed or not typed[0].strip():
            return  # unreadable input has its message; an empty field is Optional()'s matter
        if not pattern.fullmatch(typed[0]):
            field.data = None
            raise StopValidation(message)

    return check


readable_integer = _readable_as(PLAIN_INTEGER, _l("Not a valid integer value."))
readable_decimal = _readable_as(PLAIN_DECIMAL, _l("Not a valid decimal value."))


def _at_most(largest):
    """A validator that runs last: a number the field's own checks let through still fits."""

    def check(form, field):
        if not field.errors and field.data is not None and abs(field.data) > largest:
            raise ValidationError(_l("Enter a smaller number."))

    return check


def _chosen_id_in_range(form, field):
    """A choice coerced to a whole number (an id) must fit the database's integers: a posted
    "99999999999999999999" is no choice at all, not a query that overflows."""
    chosen = field.data if isinstance(field.data, list) else [field.data]
    if any(isinstance(value, int) and abs(value) > LARGEST_INTEGER for value in chosen):
        field.data = None
        raise StopValidation(_l("Not a valid choice."))


def _checks_for(field) -> tuple[list, list]:
    """The validators every field of this type needs: (run first, run last)."""
    if isinstance(field, StringField):
        if isinstance(field, TextAreaField):
            return [printable_text], []
        return [printable_text, no_line_break], []
    if isinstance(field, IntegerField):
        return [readable_integer], [_at_most(LARGEST_INTEGER)]
    if isinstance(field, DecimalField):
        return [readable_decimal], [_at_most(LARGEST_DECIMAL)]
    if isinstance(field, DateTimeField) and not isinstance(field, TimeField):
        return ([] if plausible_year in field.validators else [plausible_year]), []
    if isinstance(field, SelectFieldBase) and getattr(field, "coerce", None) is int:
        return [_chosen_id_in_range], []
    return [], []


class InputChecks:
    """WTForms options that give every field the checks of its type, once for all forms: text
    without control characters (and one-line fields without line breaks), numbers that are
    plain digits within range, dates in plausible years."""

    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        first, last = _checks_for(field)
        if first or last:
            # A new list: the one given to the field is shared by every instance of the form.
            field.validators = [*first, *field.validators, *last]
        return field


class AppForm(FlaskForm):
    """The base of every form of the app (with its CSRF token)."""

    class Meta(InputChecks):
        pass


class AppSubForm(Form):
    """The base of every form nested in another (FormField, FieldList): the same checks."""

    class Meta(InputChecks):
        pass


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes, one per choice, each with its own label."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class FilterForm(AppForm):
    """A GET form for list filters: no CSRF token, since it changes nothing."""

    class Meta:
        csrf = False


def any_and(choices) -> list[SelectChoice]:
    """A filter's choices: "Any" (no filter) first."""
    return [SelectChoice("", _l("Any")), *choices]


def filter_select(label, choices=()) -> SelectField:
    """A list filter's select: "Any" first, nothing required."""
    return SelectField(label, choices=any_and(choices), validators=[Optional()])


class AuditFilterForm(FilterForm):
    action = filter_select(_l("Action"))
    object_type = filter_select(
        _l("Object"),
        [SelectChoice("user", _l("User")), SelectChoice("organisation", _l("Organisation"))],
    )
    actor = StringField(_l("Done by (email contains)"), validators=[Optional()])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])

    def __init__(self, *args, actions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = any_and(SelectChoice(action, action) for action in actions)


class ButtonForm(AppForm):
    """A form that is only a button: its CSRF token is the whole point."""


def madrid_moment(moment: datetime) -> str:
    """A UTC instant as the Madrid "2026-03-11T10:00" that links and hidden fields carry."""
    return as_madrid(moment).strftime(MADRID_MOMENT_FORMAT)


def parse_madrid_moment(value: str | None) -> datetime | None:
    """A Madrid "2026-03-11T10:00" as a naive wall-clock datetime; None when unreadable."""
    try:
        local = datetime.strptime((value or "").strip(), MADRID_MOMENT_FORMAT)  # noqa: DTZ007 -- Madrid wall-clock, converted by the caller
    except ValueError:
        return None
    return local if FIRST_YEAR <= local.year <= LAST_YEAR else None


class MadridMomentField(Field):
    """A time sent as Madrid wall-clock "2026-03-11T10:00" (a slot's radio button, a hidden
    field, a link); its data is the UTC instant. Any value may arrive: services decide whether
    the time is possible.
    """

    # Pages draw their own inputs (radio buttons, links); not hidden, so that hidden_tag() does
    # not add an empty copy that would be read first.
    widget = widgets.TextInput()

    def __init__(self, label=None, validators=None, *, unreadable=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.unreadable = unreadable or _l("This time cannot be read.")

    def _value(self):
        return madrid_moment(self.data) if self.data else ""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            local = parse_madrid_moment(valuelist[0])
            if local is None:
                raise ValueError(self.unreadable)
            self.data = madrid_to_utc(local)


def after(other_name: str, message):
    """A validator: this field's value comes after the other field's (when both are given)."""

    def check(form, field):
        other = form[other_name].data
        if field.data is not None and other is not None and field.data <= other:
            raise ValidationError(message)

    return check


def not_before(other_name: str, message):
    """A validator: this field's value is the other field's or later (when both are given)."""

    def check(form, field):
        other = form[other_name].data
        if field.data is not None and other is not None and field.data < other:
            raise ValidationError(message)

    return check


def plausible_year(form, field):
    """A validator: a date between FIRST_YEAR and LAST_YEAR (others are typing mistakes); a
    refused date is cleared, since later checks compare with it."""
    if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        field.data = None
        raise StopValidation(
            _l("Enter a date between %(first)d and %(last)d.", first=FIRST_YEAR, last=LAST_YEAR)
        )
