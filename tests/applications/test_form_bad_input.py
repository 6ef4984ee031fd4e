"""Bad input on the application form: the page comes back (200) with the message next to the
field, and nothing is saved, not even the valid fields posted with it."""

import pytest

from tests.applications.conftest import error_fields, field_errors, member_of
from tests.conftest import post_form, sign_in
from tests.factories import make_application, make_call

# (field, posted value, messages shown next to it)
CASES = {
    "summary-1001-characters": ("summary", "x" * 1001, ["At most 1000 characters."]),
    "section-4001-characters": ("team", "x" * 4001, ["At most 4000 characters."]),
    "trl-12": ("trl", "12", ["Between 1 and 9."]),
    "trl-0": ("trl", "0", ["Between 1 and 9."]),
    "trl-text": ("trl", "four", ["Not a valid integer value."]),
    "funding-negative": ("funding_raised", "-1", ["Enter an amount ≥ 0."]),
    "funding-text": ("funding_sought", "lots", ["Not a valid decimal value."]),
    "choice-unknown": ("atmp_class", "snake_oil", ["Not a valid choice."]),
    "title-201-characters": ("title", "T" * 201, ["Field cannot be longer than 200 characters."]),
}


@pytest.mark.parametrize(("field", "value", "messages"), CASES.values(), ids=CASES)
def test_application_form_with_bad_input_shows_the_error_and_saves_nothing(
    client, field, value, messages
):
    member = member_of()
    application = make_application(make_call(), member=member, title="Original title", trl=3)
    saved = (application.title, application.trl, application.updated_at, application.summary)
    sign_in(client, member)
    url = f"/applications/{application.id}/edit"

    response = post_form(client, url, {"acronym": "NEW", "title": "Changed title", field: value})

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert error_fields(page) == [field]
    assert field_errors(page, field) == messages
    assert "Nothing was saved: please correct the fields marked below." in page
    assert (
        application.title,
        application.trl,
        application.updated_at,
        application.summary,
    ) == saved
    assert application.acronym == ""


def test_application_form_with_good_input_saves_the_draft(client):
    member = member_of()
    application = make_application(make_call(), member=member, title="Original title")
    sign_in(client, member)
    url = f"/applications/{application.id}/edit"

    response = post_form(
        client,
        url,
        {
            "title": " Changed title ",
            "trl": "7",
            "funding_sought": "1234.56",
            "atmp_class": "gene_therapy",
        },
    )

    assert response.headers["Location"] == f"/applications/{application.id}"
    assert (application.title, application.trl, application.funding_sought_cents) == (
        "Changed title",
        7,
        123_456,
    )
    assert application.atmp_class == "gene_therapy"
