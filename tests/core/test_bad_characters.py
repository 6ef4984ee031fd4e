import pytest

from accelerator.accounts.enums import Role
from accelerator.accounts.models import User
from accelerator.extensions import db
from tests.applications.conftest import field_errors, member_of
from tests.conftest import post_form, sign_in
from tests.factories import make_application, make_call, make_user


@pytest.mark.parametrize(
    "url",
    ["/users?q=a%00b", "/audit?actor=a%00b", "/login?next=/a%00b"],
)
def test_nul_byte_in_query_gets_the_400_page(client, url):
    sign_in(client, make_user(*Role))
    response = client.get(url)
    assert response.status_code == 400
    assert "not allowed" in response.get_data(as_text=True)


def test_nul_byte_in_registration_is_refused_and_nothing_is_created(client):
    response = post_form(
        client,
        "/register",
        {
            "name": "Ana\x00",
            "email": "ana@example.org",
            "password": "long enough password",
            "confirm": "long enough password",
        },
    )
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Ana\x0bPuig", "Remove the invisible control character from this text."),
        ("Ana\r\nBcc: all@example.org", "Write this on one line."),
    ],
)
def test_registration_name_with_a_control_character_or_line_break_is_refused_next_to_it(
    client, name, message
):
    response = post_form(
        client,
        "/register",
        {
            "name": name,
            "email": "ana@example.org",
            "password": "long enough password",
            "confirm": "long enough password",
        },
    )

    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "name") == [message]
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_application_title_with_a_control_character_is_refused_and_nothing_is_saved(client):
    member = member_of()
    application = make_application(make_call(), member=member, title="Retina")
    sign_in(client, member)

    response = post_form(
        client,
        f"/applications/{application.id}/edit",
        {"title": "Retina\x0b", "summary": "A new summary."},
    )

    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "title") == [
        "Remove the invisible control character from this text."
    ]
    assert (application.title, application.summary) == ("Retina", "")
