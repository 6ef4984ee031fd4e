"""Every accounts form, given bad input, shows the page again with the message next to the field.

Each case names who is signed in, the form's address, what is posted, and every field that
must show an error (inside the element with id "<field>-error") with its exact messages.
"""

import pytest

from accelerator.accounts import services
from accelerator.accounts.enums import Role
from accelerator.core.clock import utcnow
from tests.accounts.conftest import emails_to, error_fields, field_errors, link_in
from tests.conftest import post_form, sign_in
from tests.factories import PASSWORD, make_organisation, make_user

TOO_LONG = "Field cannot be longer than 200 characters."
BAD_EMAIL = "Enter a valid email address, like name@example.org."
SHORT_PASSWORD = "Use at least 12 characters."

REGISTRATION = {"name": "Ana Puig", "email": "ana@example.org", "password": PASSWORD}
ORGANISATION = {
    "legal_name": "Cellgenix SL",
    "kind": "startup",
    "vat_id": "",
    "country": "ES",
    "city": "Barcelona",
    "founding_year": "",
    "website": "",
    "email_domain": "",
}


def register(**fields):
    data = {**REGISTRATION, **fields}
    return {"confirm": data["password"], **data}


def organisation(**fields):
    return {**ORGANISATION, **fields}


# (who is signed in, url, data, {field: messages shown next to it})
CASES = {
    "register-name-empty": (
        "nobody",
        "/register",
        register(name=""),
        {"name": ["Enter your name."]},
    ),
    "register-name-too-long": (
        "nobody",
        "/register",
        register(name="A" * 201),
        {"name": [TOO_LONG]},
    ),
    "register-email-empty": (
        "nobody",
        "/register",
        register(email=""),
        {"email": ["Enter your email address."]},
    ),
    "register-email-malformed": (
        "nobody",
        "/register",
        register(email="ana.example.org"),
        {"email": [BAD_EMAIL]},
    ),
    "register-password-empty": (
        "nobody",
        "/register",
        register(password=""),
        {"password": ["Choose a password."], "confirm": ["Repeat the password."]},
    ),
    "register-password-short": (
        "nobody",
        "/register",
        register(password="x" * 11),
        {"password": [SHORT_PASSWORD]},
    ),
    "register-password-too-long": (
        "nobody",
        "/register",
        register(password="x" * 201),
        {"password": [TOO_LONG]},
    ),
    "register-confirm-differs": (
        "nobody",
        "/register",
        {**register(), "confirm": PASSWORD + "!"},
        {"confirm": ["The two passwords do not match."]},
    ),
    "register-confirm-empty": (
        "nobody",
        "/register",
        {**register(), "confirm": ""},
        {"confirm": ["Repeat the password."]},
    ),
    "login-email-empty": (
        "nobody",
        "/login",
        {"email": "", "password": PASSWORD},
        {"email": ["Enter your email address."]},
    ),
    "login-email-malformed": (
        "nobody",
        "/login",
        {"email": "ana@", "password": PASSWORD},
        {"email": [BAD_EMAIL]},
    ),
    "login-password-empty": (
        "nobody",
        "/login",
        {"email": "ana@example.org", "password": ""},
        {"password": ["Enter your password."]},
    ),
    "resend-confirmation-email-empty": (
        "nobody",
        "/confirm",
        {"email": ""},
        {"email": ["Enter your email address."]},
    ),
    "resend-confirmation-email-malformed": (
        "nobody",
        "/confirm",
        {"email": "not an address"},
        {"email": [BAD_EMAIL]},
    ),
    "forgot-password-email-empty": (
        "nobody",
        "/password/forgot",
        {"email": ""},
        {"email": ["Enter your email address."]},
    ),
    "forgot-password-email-malformed": (
        "nobody",
        "/password/forgot",
        {"email": "@example.org"},
        {"email": [BAD_EMAIL]},
    ),
    "reset-password-short": (
        "nobody",
        "/password/reset/{token}",
        {"password": "x" * 11, "confirm": "x" * 11},
        {"password": [SHORT_PASSWORD]},
    ),
    "reset-password-confirm-differs": (
        "nobody",
        "/password/reset/{token}",
        {"password": PASSWORD, "confirm": "something else entirely"},
        {"confirm": ["The two passwords do not match."]},
    ),
    "reset-password-empty": (
        "nobody",
        "/password/reset/{token}",
        {"password": "", "confirm": ""},
        {"password": ["Choose a password."], "confirm": ["Repeat the password."]},
    ),
    "profile-name-empty": ("member", "/profile", {"name": "  "}, {"name": ["Enter your name."]}),
    "profile-expertise-unknown": (
        "member",
        "/profile",
        {"name": "Ana", "expertise": ["area:oncology", "area:astrology"]},
        {"expertise": ["'area:astrology' is not a valid choice for this field."]},
    ),
    "organisation-create-legal-name-empty": (
        "newcomer",
        "/organisations/new",
        organisation(legal_name=""),
        {"legal_name": ["Enter the organisation's legal name."]},
    ),
    "organisation-create-kind-unknown": (
        "newcomer",
        "/organisations/new",
        organisation(kind="multinational"),
        {"kind": ["Not a valid choice."]},
    ),
    "organisation-create-vat-id-punctuation": (
        "newcomer",
        "/organisations/new",
        organisation(vat_id="ES/B123;"),
        {"vat_id": ["Use letters, digits and dashes only."]},
    ),
    "organisation-create-country-name": (
        "newcomer",
        "/organisations/new",
        organisation(country="Spain"),
        {"country": ["Use the two-letter country code, like ES."]},
    ),
    "organisation-create-country-empty": (
        "newcomer",
        "/organisations/new",
        organisation(country=""),
        {"country": ["Enter the country code."]},
    ),
    "organisation-create-city-empty": (
        "newcomer",
        "/organisations/new",
        organisation(city=""),
        {"city": ["Enter the city."]},
    ),
    "organisation-create-founding-year-text": (
        "newcomer",
        "/organisations/new",
        organisation(founding_year="twenty"),
        {
            "founding_year": [
                "Not a valid integer value.",
                "Enter a year between 1800 and this year.",
            ]
        },
    ),
    "organisation-create-founding-year-implausible": (
        "newcomer",
        "/organisations/new",
        organisation(founding_year="1700"),
        {"founding_year": ["Enter a year between 1800 and this year."]},
    ),
    "organisation-create-founding-year-huge": (
        "newcomer",
        "/organisations/new",
        organisation(founding_year="9" * 30),
        {"founding_year": ["Enter a year between 1800 and this year."]},
    ),
    "organisation-create-website-without-scheme": (
        "newcomer",
        "/organisations/new",
        organisation(website="cellgenix.example.org"),
        {"website": ["Enter a full address, like https://example.org."]},
    ),
    "organisation-create-email-domain-malformed": (
        "newcomer",
        "/organisations/new",
        organisation(email_domain="cellgenix"),
        {"email_domain": ["Enter a domain, like example.org."]},
    ),
    "organisation-create-email-domain-too-long": (
        "newcomer",
        "/organisations/new",
        organisation(email_domain="a" * 200 + ".org"),
        {"email_domain": [TOO_LONG]},
    ),
    "organisation-edit-legal-name-empty": (
        "member",
        "/organisations/{organisation}/edit",
        organisation(legal_name=""),
        {"legal_name": ["Enter the organisation's legal name."]},
    ),
    "organisation-edit-country-digits": (
        "member",
        "/organisations/{organisation}/edit",
        organisation(country="34"),
        {"country": ["Use the two-letter country code, like ES."]},
    ),
    "organisation-edit-website-not-a-url": (
        "member",
        "/organisations/{organisation}/edit",
        organisation(website="javascript:alert(1)"),
        {"website": ["Enter a full address, like https://example.org."]},
    ),
    "user-roles-unknown": (
        "manager",
        "/users/{person}",
        {"roles": ["reviewer", "emperor"]},
        {"roles": ["'emperor' is not a valid choice for this field."]},
    ),
}


@pytest.fixture
def world(client):
    """An organisation with a member, a manager, a person to edit and a reset link."""
    organisation = make_organisation()
    member = make_user(organisation=organisation)
    people = {
        "nobody": None,
        "member": member,
        "newcomer": make_user(),
        "manager": make_user(Role.PROGRAMME_MANAGER),
    }
    person = make_user(Role.APPLICANT)
    services.request_password_reset(person.email, now=utcnow())
    token = link_in(emails_to(person.email)[-1]).rsplit("/", 1)[1]
    return {
        "people": people,
        "places": {"organisation": organisation.id, "person": person.id, "token": token},
    }


@pytest.mark.parametrize(("who", "url", "data", "errors"), CASES.values(), ids=CASES)
def test_form_with_bad_input_shows_the_message_next_to_the_field(
    client, world, who, url, data, errors
):
    if world["people"][who] is not None:
        sign_in(client, world["people"][who])
    url = url.format(**world["places"])

    response = post_form(client, url, data)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert {field: field_errors(page, field) for field in error_fields(page)} == errors
    assert "Please correct the fields marked below." in page


@pytest.mark.parametrize(
    ("email", "messages"),
    [("", ["Enter your email address."]), ("colleague at example.org", [BAD_EMAIL])],
    ids=["empty", "malformed"],
)
def test_invite_form_with_bad_input_answers_400_with_the_message_next_to_the_field(
    client, world, email, messages
):
    organisation_id = world["places"]["organisation"]
    sign_in(client, world["people"]["member"])

    response = post_form(
        client,
        f"/organisations/{organisation_id}/invitations",
        {"email": email},
        page=f"/organisations/{organisation_id}",
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_errors(page, "email") == messages
    assert emails_to(email) == []


def test_bad_input_keeps_what_was_typed_except_passwords(client):
    response = post_form(
        client, "/register", register(name="Ana <b>Puig</b>", email="ana@", password="short")
    )

    page = response.get_data(as_text=True)
    assert 'value="Ana &lt;b&gt;Puig&lt;/b&gt;"' in page
    assert 'value="ana@"' in page
    assert 'value="short"' not in page
