"""Forms of the selection area."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from accelerator.core.forms import AppForm, choice_list
from accelerator.selection.enums import Outcome


class DecisionForm(AppForm):
    outcome = SelectField(
        _l("Decision"),
        choices=choice_list((outcome.value, outcome.label) for outcome in Outcome),
        validators=[InputRequired(_l("Choose a decision."))],
    )
    note = TextAreaField(
        _l("Internal note"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Seen by programme managers only."),
        render_kw={"rows": 2},
    )


class LetterForm(AppForm):
    subject = StringField(
        _l("Subject"), validators=[DataRequired(_l("Write a subject.")), Length(max=200)]
    )
    body = TextAreaField(
        _l("Letter"),
        validators=[DataRequired(_l("Write the letter.")), Length(max=10000)],
        description=_l("Placeholders: {name}, {project}, {call}, {organisation}."),
        render_kw={"rows": 8},
    )


class PreviewForm(AppForm):
    class Meta:
        csrf = False

    application = SelectField(_l("Preview for"), coerce=int, validators=[Optional()])
