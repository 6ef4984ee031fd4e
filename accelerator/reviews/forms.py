"""Forms of the review area; the review form is shaped by the call's rubric."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from accelerator.core.forms import AppForm, FilterForm, choice_list, stripped
from accelerator.reviews.enums import Recommendation
from accelerator.reviews.services import allowed_scores


def review_form_for(criteria, *args, **kwargs):
    """One score (on the criterion's scale) and one comment per criterion of the rubric."""

    class ReviewForm(AppForm):
        overall_comment = TextAreaField(
            _l("Overall comment"),
            validators=[Optional(), Length(max=10000)],
            render_kw={"rows": 5},
        )
        recommendation = RadioField(
            _l("Recommendation"),
            choices=choice_list((item.value, item.label) for item in Recommendation),
            validators=[Optional()],
        )
        save = SubmitField(_l("Save draft"))
        submit = SubmitField(_l("Submit review"))

    for criterion in criteria:
        scores = [("", _l("— not scored —"))] + [
            (str(value), str(value)) for value in allowed_scores(criterion)
        ]
        setattr(
            ReviewForm,
            f"score_{criterion.id}",
            SelectField(
                _l("Score for %(name)s", name=criterion.name),
                choices=choice_list(scores),
                validators=[Optional()],
                description=_l(
                    "0 to %(max)s; weight %(weight)d %%.",
                    max=criterion.scale_max,
                    weight=criterion.weight,
                ),
                validate_choice=False,  # the service judges the scale and says why
            ),
        )
        setattr(
            ReviewForm,
            f"comment_{criterion.id}",
            TextAreaField(
                _l("Comment on %(name)s", name=criterion.name),
                validators=[Optional(), Length(max=5000)],
                render_kw={"rows": 3},
            ),
        )
    return ReviewForm(*args, **kwargs)


class DeclineForm(AppForm):
    reason = TextAreaField(
        _l("Why do you decline?"),
        filters=[stripped],
        validators=[
            DataRequired(_l("Tell the programme office why you decline.")),
            Length(max=2000),
        ],
    )


class ConflictReasonForm(AppForm):
    reason = TextAreaField(
        _l("Reason"),
        filters=[stripped],
        validators=[DataRequired(_l("Give the reason for the conflict.")), Length(max=2000)],
        description=_l("For example: a past collaboration, a shared grant, a family tie."),
    )


SEARCH_TOO_SHORT = _l("Type at least 3 characters of the organisation's name.")


class OrganisationSearchForm(FilterForm):
    q = StringField(
        _l("Organisation name"),
        filters=[stripped],
        validators=[
            DataRequired(SEARCH_TOO_SHORT),
            Length(min=3, max=200, message=SEARCH_TOO_SHORT),
        ],
        description=_l("Any organisation registered on the platform can be found."),
    )


class OrganisationConflictForm(ConflictReasonForm):
    # The results of the reviewer's search; the service checks that the organisation exists.
    organisation = RadioField(
        _l("Organisation"),
        coerce=int,
        validate_choice=False,
        validators=[InputRequired(_l("Choose an organisation from the search results."))],
    )


class ManagerConflictForm(ConflictReasonForm):
    reviewer = SelectField(
        _l("Reviewer"), coerce=int, validators=[InputRequired(_l("Choose a reviewer."))]
    )
    organisation = SelectField(
        _l("Organisation"), coerce=int, validators=[InputRequired(_l("Choose an organisation."))]
    )


class InviteReviewerForm(AppForm):
    email = EmailField(
        _l("Email address"),
        validators=[
            DataRequired(_l("Enter an email address.")),
            Email(_l("Enter a valid email address, like name@example.org.")),
            Length(max=320),
        ],
    )


class AssignForm(AppForm):
    reviewer = SelectField(
        _l("Reviewer"), coerce=int, validators=[InputRequired(_l("Choose a reviewer."))]
    )
