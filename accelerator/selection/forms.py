"""Forms of the selection area."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
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
    second_project_reason = TextAreaField(
        _l("Reason to allow a second project"),
        validators=[Optional(), Length(max=1000)],
        description=_l("Needed when the organisation already has an active project."),
        render_kw={"rows": 2},
    )


class PromoteForm(AppForm):
    second_project_reason = TextAreaField(
        _l("Reason to allow a second project"), validators=[Optional(), Length(max=1000)]
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


class PublishForm(AppForm):
    confirm = BooleanField(
        _l("I have read what publishing will do, and I want to publish the results now."),
        validators=[DataRequired(_l("Tick the box to confirm that you want to publish."))],
    )
