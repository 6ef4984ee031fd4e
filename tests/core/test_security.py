"""Security headers on every response; secure cookies and a secret key in production."""

import pytest

from accelerator import create_app
from accelerator.accounts.enums import Role
from config import Config, ProductionConfig
from tests.conftest import sign_in
from tests.factories import make_user


def _directives(policy: str) -> dict[str, str]:
    return dict(directive.strip().split(" ", 1) for directive in policy.split(";"))


def _assert_security_headers(response) -> None:
    script_sources = _directives(response.headers["Content-Security-Policy"])["script-src"]
    assert script_sources == "'self'"
    assert "'unsafe-inline'" not in script_sources
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("get", "/", 200),
        ("get", "/login", 200),
        ("get", "/dashboard", 302),
        ("get", "/healthz", 200),
        ("get", "/static/css/app.css", 200),
        ("get", "/no/such/page", 404),
        ("post", "/login", 400),
    ],
)
def test_security_headers_are_on_every_anonymous_response(client, method, url, status):
    response = getattr(client, method)(url)

    assert response.status_code == status
    _assert_security_headers(response)
    response.close()


def test_security_headers_are_on_signed_in_pages(client):
    sign_in(client, make_user(Role.APPLICANT))

    for url, status in [("/dashboard", 200), ("/users", 403), ("/profile", 200)]:
        response = client.get(url)
        assert response.status_code == status
        _assert_security_headers(response)


def test_production_config_marks_cookies_secure():
    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.REMEMBER_COOKIE_SECURE is True
    assert ProductionConfig.SESSION_COOKIE_HTTPONLY is True
    assert Config.SESSION_COOKIE_SECURE is False  # development serves plain http


def test_production_session_cookie_is_sent_secure(database_url):
    production = create_app(
        type(
            "Production",
            (ProductionConfig,),
            {"SECRET_KEY": "a-production-secret", "SQLALCHEMY_DATABASE_URI": database_url},
        )
    )

    response = production.test_client().get("/login")

    assert response.status_code == 200
    [cookie] = response.headers.getlist("Set-Cookie")
    assert cookie.startswith("session=")
    assert "; Secure; HttpOnly; Path=/; SameSite=Lax" in cookie


def test_production_without_secret_key_refuses_to_start():
    with pytest.raises(SystemExit) as refusal:
        create_app(type("Production", (ProductionConfig,), {"SECRET_KEY": None}))

    assert str(refusal.value) == "SECRET_KEY is not set: production refuses to start without it."
