"""Every form of the app refuses control characters in its text fields, line breaks in its
one-line fields and implausible years in its date fields, with the message next to the field:
the checks come from the base forms, so this walks every form class there is."""

import importlib
import inspect
import pkgutil
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import (
    DateTimeField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.csrf.core import CSRFTokenField

import accelerator
from accelerator.applications.forms import application_form_for
from accelerator.core.forms import AppForm, AppSubForm
from accelerator.reviews.forms import review_form_for

CONTROL_MESSAGE = "Remove the invisible control character from this text."
YEAR_MESSAGE = "Enter a date between 2000 and 2100."
ONE_LINE_MESSAGE = "Write this on one line."
# What the forms that need context get in their constructor.
CONTEXT = {
    "actions": [],
    "blind_review": True,
    "labs": [],
    "trainings": [],
    "candidates": [],
    "resources": [],
    "projects": [],
    "members": [],
    "step_minutes": 30,
    "today": date(2030, 3, 4),
    "project": SimpleNamespace(id=1, title="Project", label="Project (cohort 2030)"),
    "lab": SimpleNamespace(id=1, name="Lab"),
}


def _app_modules():
    for module in pkgutil.walk_packages(accelerator.__path__, "accelerator."):
        yield importlib.import_module(module.name)


def _subclasses(cls):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)


def _form_classes() -> list[type]:
    """Every form class the app defines in its modules."""
    list(_app_modules())
    found = {cls for cls in _subclasses(Form) if cls.__module__.startswith("accelerator.")}
    return sorted(found - {AppForm, AppSubForm}, key=lambda cls: cls.__qualname__)


CRITERION = SimpleNamespace(
    id=7, name="Excellence", scale_max=Decimal(5), scale_step=Decimal("0.5"), weight=30
)
# Forms whose class is built from data when a page needs one: a call's rubric, its questions.
BUILT_FORMS = {
    "review_form_for": lambda **options: review_form_for([CRITERION], **options),
    "application_form_for": lambda **options: application_form_for(
        SimpleNamespace(eligibility_questions=[]), **options
    ),
}


@pytest.fixture
def in_a_request(app):
    with app.test_request_context(method="POST"):  # forms that prefill on GET do not
        yield


def _build(form_class, formdata):
    if isinstance(form_class, str):
        return BUILT_FORMS[form_class](formdata=formdata, meta={"csrf": False})
    parameters = inspect.signature(form_class.__init__).parameters
    needed = {
        name: CONTEXT[name]
        for name, parameter in parameters.items()
        if parameter.kind == parameter.KEYWORD_ONLY and parameter.default is parameter.empty
    }
    form = form_class(formdata=formdata, meta={"csrf": False}, **needed)
    for field in form:
        if isinstance(field, SelectField) and field.choices is None:
            field.choices = []  # set by the view from the database
    return form


def _fields(form):
    """The fields of a form and of the forms nested in it."""
    for field in form:
        if isinstance(field, FormField):
            yield from _fields(field.form)
        elif isinstance(field, FieldList):
            for entry in field.entries:
                yield from _fields(entry.form if isinstance(entry, FormField) else [entry])
        elif not isinstance(field, CSRFTokenField):
            yield field


def _text_fields(form):
    return [field for field in _fields(form) if isinstance(field, StringField)]


def _date_fields(form):
    return [
        field
        for field in _fields(form)
        if isinstance(field, DateTimeField) and not isinstance(field, TimeField)
    ]


def _field_named(form, name):
    return next(field for field in _fields(form) if field.name == name)


def _errors_after_posting(form_class, name, value) -> list[str]:
    form = _build(form_class, MultiDict({name: value}))
    form.validate()
    return list(_field_named(form, name).errors)


FORM_CLASSES = _form_classes()
EVERY_FORM = [*FORM_CLASSES, *BUILT_FORMS]


def _name(form) -> str:
    if isinstance(form, str):
        return form
    return f"{form.__module__.removeprefix('accelerator.')}.{form.__qualname__}"


def test_every_form_of_the_app_derives_from_a_checked_base(in_a_request):
    built = [type(_build(name, None)) for name in BUILT_FORMS]

    unchecked = [
        cls.__qualname__
        for cls in [*FORM_CLASSES, *built]
        if not issubclass(cls, AppForm | AppSubForm)
    ]

    assert unchecked == []


def test_the_walk_finds_the_forms_of_every_area():
    modules = {cls.__module__.split(".")[1] for cls in FORM_CLASSES}
    assert modules == {
        "accounts",
        "applications",
        "calls",
        "cohorts",
        "core",
        "labs",
        "mentoring",
        "reviews",
        "selection",
    }


@pytest.mark.parametrize("form_class", EVERY_FORM, ids=_name)
def test_control_character_in_any_text_field_is_refused_next_to_it(in_a_request, form_class):
    names = [field.name for field in _text_fields(_build(form_class, MultiDict()))]

    errors = {name: _errors_after_posting(form_class, name, "Ana\x0bMaria") for name in names}

    assert errors == dict.fromkeys(names, [CONTROL_MESSAGE])


@pytest.mark.parametrize("form_class", EVERY_FORM, ids=_name)
def test_line_break_in_any_one_line_field_is_refused_next_to_it(in_a_request, form_class):
    fields = list(_text_fields(_build(form_class, MultiDict())))
    one_line = [field.name for field in fields if not isinstance(field, TextAreaField)]
    multi_line = [field.name for field in fields if isinstance(field, TextAreaField)]

    one_line_errors = {
        name: _errors_after_posting(form_class, name, "Ana\r\nBcc: all@example.org")
        for name in one_line
    }
    multi_line_errors = {
        name: _errors_after_posting(form_class, name, "First line\r\nSecond line")
        for name in multi_line
    }

    assert one_line_errors == dict.fromkeys(one_line, [ONE_LINE_MESSAGE])
    assert [name for name, errors in multi_line_errors.items() if ONE_LINE_MESSAGE in errors] == []


@pytest.mark.parametrize("form_class", EVERY_FORM, ids=_name)
def test_implausible_year_in_any_date_field_is_refused_next_to_it(in_a_request, form_class):
    fields = _date_fields(_build(form_class, MultiDict()))
    # As browsers send them: strftime would not pad year 1 to four digits.
    typed = {
        (field.name, year): datetime(2000, 12, 31, 10)
        .strftime(field.format[0])
        .replace("2000", f"{year:04}")
        for field in fields
        for year in (1, 1999, 2101, 9999)
    }

    errors = {key: _errors_after_posting(form_class, key[0], value) for key, value in typed.items()}

    assert errors == dict.fromkeys(typed, [YEAR_MESSAGE])


def test_the_walk_finds_date_fields_in_filters_and_forms(in_a_request):
    with_dates = {_name(form) for form in EVERY_FORM if _date_fields(_build(form, MultiDict()))}

    assert with_dates == {
        "mentoring.forms.AvailabilityExceptionForm",
        "labs.forms.admin_resources.AuthorisationForm",
        "core.forms.AuditFilterForm",
        "labs.forms.admin_labs.BlackoutForm",
        "labs.forms.booking.BookingForm",
        "calls.forms.CallForm",
        "labs.forms.admin_labs.ClosureForm",
        "cohorts.forms.MilestoneForm",
        "labs.forms.reports.ReportPeriodForm",
        "labs.forms.booking.ResourceFilterForm",
    }


@pytest.mark.parametrize(
    "character", ["\x01", "\x08", "\x0b", "\x0c", "\x1f", "\x7f", "\x85", "\x9f"]
)
def test_each_control_character_is_refused(in_a_request, character):
    from accelerator.accounts.forms import RegistrationForm

    assert _errors_after_posting(RegistrationForm, "name", f"Ana{character}") == [CONTROL_MESSAGE]


@pytest.mark.parametrize("text", ["Ana\tMaria", "Àngels Müller-Núñez", "Zoë 张伟 🧬"])
def test_tabs_and_letters_of_any_script_are_accepted(in_a_request, text):
    from accelerator.accounts.forms import RegistrationForm

    assert _errors_after_posting(RegistrationForm, "name", text) == []


class UnrangedNumbersForm(AppForm):
    count = IntegerField()
    amount = DecimalField()


@pytest.mark.parametrize(
    ("name", "value", "errors"),
    [
        ("count", "2147483647", []),
        ("count", "2147483648", ["Enter a smaller number."]),
        ("count", "-99999999999999999999", ["Enter a smaller number."]),
        ("amount", "1000000000000", []),
        ("amount", "1e13", ["Enter a smaller number."]),
        ("amount", "Infinity", ["Not a valid decimal value."]),
    ],
)
def test_number_field_without_a_range_still_fits_an_integer_column(
    in_a_request, name, value, errors
):
    form = UnrangedNumbersForm(formdata=MultiDict({name: value}), meta={"csrf": False})

    form.validate()

    assert form[name].errors == errors
