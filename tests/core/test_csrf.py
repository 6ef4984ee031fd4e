"""Every form POST needs its CSRF token; without it the request changes nothing."""

from sqlalchemy import func, select

from accelerator.accounts.models import User
from accelerator.extensions import db
from tests.conftest import sign_in
from tests.factories import PASSWORD, make_user

REFUSAL_HEADING = "We could not accept that request"


def _user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_register_without_csrf_token_is_refused_and_creates_nobody(client):
    response = client.post(
        "/register",
        data={
            "name": "Ada Lovelace",
            "email": "ada@example.org",
            "password": "analytical engine",
            "confirm": "analytical engine",
        },
    )

    assert response.status_code == 400
    assert REFUSAL_HEADING in response.get_data(as_text=True)
    assert _user_count() == 0


def test_login_without_csrf_token_is_refused_and_signs_nobody_in(client):
    user = make_user()

    response = client.post("/login", data={"email": user.email, "password": PASSWORD})

    assert response.status_code == 400
    assert REFUSAL_HEADING in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_logout_without_csrf_token_is_refused_and_keeps_the_session(client):
    sign_in(client, make_user())

    response = client.post("/logout")

    assert response.status_code == 400
    assert REFUSAL_HEADING in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 200
