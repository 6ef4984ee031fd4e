"""Forms of the accounts area: they check shape; services check meaning."""

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    EqualTo,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from accelerator.accounts.enums import EXPERTISE_TAGS, OrganisationKind, Role
from accelerator.accounts.passwords import MINIMUM_PASSWORD_LENGTH
from accelerator.core.forms import AppForm, FilterForm, MultiCheckboxField


def _email_field(label=None):
    return EmailField(
        label or _l("Email address"),
        validators=[
            DataRequired(_l("Enter your email address.")),
            Email(_l("Enter a valid email address, like name@example.org.")),
            Length(max=320),
        ],
    )


def _new_password_fields():
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Choose a password.")),
            Length(
                min=MINIMUM_PASSWORD_LENGTH,
                message=_l("Use at least %(count)d characters.", count=MINIMUM_PASSWORD_LENGTH),
            ),
            Length(max=200),
        ],
        description=_l("At least %(count)d characters.", count=MINIMUM_PASSWORD_LENGTH),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(_l("Repeat the password.")),
            EqualTo("password", message=_l("The two passwords do not match.")),
        ],
    )
    return password, confirm


class RegistrationForm(AppForm):
    name = StringField(
        _l("Full name"), validators=[DataRequired(_l("Enter your name.")), Length(max=200)]
    )
    email = _email_field()
    password, confirm = _new_password_fields()


class LoginForm(AppForm):
    email = _email_field()
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    remember = BooleanField(_l("Keep me signed in on this device"))


class EmailOnlyForm(AppForm):
    email = _email_field()


class ResetPasswordForm(AppForm):
    password, confirm = _new_password_fields()


class ProfileForm(AppForm):
    name = StringField(
        _l("Full name"), validators=[DataRequired(_l("Enter your name.")), Length(max=200)]
    )
    expertise = MultiCheckboxField(
        _l("Expertise"),
        choices=[SelectChoice(tag, label) for tag, label in EXPERTISE_TAGS.items()],
        validators=[Optional()],
        description=_l("Used to match you with applications and projects."),
    )


class OrganisationForm(AppForm):
    legal_name = StringField(
        _l("Legal name"),
        validators=[DataRequired(_l("Enter the organisation's legal name.")), Length(max=200)],
    )
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(kind.value, kind.label) for kind in OrganisationKind],
        validators=[DataRequired()],
    )
    vat_id = StringField(
        _l("VAT / CIF number"),
        validators=[
            Optional(),
            Length(max=32),
            Regexp(r"^[A-Za-z0-9 .-]+$", message=_l("Use letters, digits and dashes only.")),
        ],
        description=_l("For example ESB12345678."),
    )
    country = StringField(
        _l("Country"),
        validators=[
            DataRequired(_l("Enter the country code.")),
            Regexp(r"^[A-Za-z]{2}$", message=_l("Use the two-letter country code, like ES.")),
        ],
        description=_l("Two-letter code, like ES."),
    )
    city = StringField(
        _l("City"), validators=[DataRequired(_l("Enter the city.")), Length(max=120)]
    )
    founding_year = IntegerField(
        _l("Founding year"),
        validators=[
            Optional(),
            NumberRange(
                min=1800,
                max=date.today().year,  # noqa: DTZ011 -- a calendar year, no time zone involved
                message=_l("Enter a year between 1800 and this year."),
            ),
        ],
    )
    website = URLField(
        _l("Website"),
        validators=[
            Optional(),
            URL(message=_l("Enter a full address, like https://example.org.")),
            Length(max=300),
        ],
    )
    email_domain = StringField(
        _l("Email domain"),
        validators=[
            Optional(),
            Length(max=200),
            Regexp(
                r"^@?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$",
                message=_l("Enter a domain, like example.org."),
            ),
        ],
        description=_l("The domain of your colleagues' work email, like example.org."),
    )


class InviteForm(AppForm):
    email = _email_field(_l("Colleague's email address"))


class RolesForm(AppForm):
    roles = MultiCheckboxField(
        _l("Roles"),
        choices=[SelectChoice(role.value, role.label) for role in Role],
        validators=[Optional()],
    )


class UserSearchForm(FilterForm):
    q = StringField(_l("Search by name or email"), validators=[Optional(), Length(max=200)])
