"""Form pieces shared by every area."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    widgets,
)
from wtforms.validators import Optional, StopValidation


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


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes, one per choice, each with its own label."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class FilterForm(FlaskForm):
    """A GET form for list filters: no CSRF token, since it changes nothing."""

    class Meta:
        csrf = False


class AuditFilterForm(FilterForm):
    action = SelectField(_l("Action"), choices=[], validators=[Optional()])
    object_type = SelectField(
        _l("Object"),
        choices=[
            SelectChoice("", _l("Any")),
            SelectChoice("user", _l("User")),
            SelectChoice("organisation", _l("Organisation")),
        ],
        validators=[Optional()],
    )
    actor = StringField(_l("Done by (email contains)"), validators=[Optional()])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])

    def __init__(self, *args, actions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = [SelectChoice("", _l("Any"))] + [
            SelectChoice(action, action) for action in actions
        ]


class ButtonForm(FlaskForm):
    """A form that is only a button: its CSRF token is the whole point."""
