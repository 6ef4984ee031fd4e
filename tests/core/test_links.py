"""Emailed links come from BASE_URL, never from the Host header a request claims."""

from datetime import timedelta
from pathlib import Path

import pytest

from accelerator.accounts import services
from accelerator.accounts.enums import Role
from accelerator.core.clock import utcnow
from accelerator.core.links import absolute_url, local_path
from tests.accounts.conftest import NOW, emails_to, link_in
from tests.conftest import csrf_token_from, post_form, sign_in
from tests.factories import make_call, make_user

EMAIL_TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "emails"
FORGED = {"Host": "evil.example"}


def ask_for_reset(client, email: str, headers: dict):
    page = client.get("/password/forgot", headers=headers).get_data(as_text=True)
    return client.post(
        "/password/forgot",
        data={"csrf_token": csrf_token_from(page), "email": email},
        headers=headers,
    )


def test_reset_requested_with_a_forged_host_links_to_base_url(client):
    user = make_user(email="ana@example.org")

    response = ask_for_reset(client, user.email, FORGED)

    assert (response.status_code, response.location) == (302, "/login")
    [message] = emails_to(user.email)
    assert link_in(message).startswith("http://127.0.0.1:5000/password/reset/")
    assert "evil.example" not in message.body_text


def test_reset_link_keeps_the_path_prefix_of_base_url(make_app):
    user = make_user(email="ana@example.org")
    prefixed = make_app(BASE_URL="https://catalyst.example.org/programme/")

    ask_for_reset(prefixed.test_client(), user.email, {})

    [message] = emails_to(user.email)
    assert link_in(message).startswith("https://catalyst.example.org/programme/password/reset/")


def test_reset_email_outside_any_request_matches_the_one_sent_in_a_forged_request(app):
    # Commands (send-reminders, create-admin) run outside requests, as this first call does.
    user = make_user(email="ana@example.org")
    services.request_password_reset(user.email, now=NOW)
    with app.test_request_context("/password/forgot", base_url="http://evil.example"):
        services.request_password_reset(user.email, now=NOW)

    outside, inside = emails_to(user.email)

    assert outside.body_text == inside.body_text
    assert link_in(outside).startswith("http://127.0.0.1:5000/password/reset/")


def test_absolute_url_adds_query_values_after_the_base_url_path(make_app):
    with make_app(BASE_URL="https://catalyst.example.org/programme").app_context():
        link = absolute_url("labs.book", resource_id=7, start="2030-03-04T10:00", project=None)

    assert (
        link
        == "https://catalyst.example.org/programme/labs/resources/7/book?start=2030-03-04T10:00"
    )


def test_email_templates_build_every_link_from_base_url():
    for template in sorted(EMAIL_TEMPLATES.glob("*.txt")):
        text = template.read_text()
        assert "url_for" not in text, template.name
        assert "_external" not in text, template.name
        assert "absolute_url(" in text, template.name


# --- trusted hosts and the proxy -----------------------------------------------------------


def test_request_for_an_untrusted_host_gets_the_400_page(make_app):
    trusting = make_app(TRUSTED_HOSTS=["catalyst.example.org"]).test_client()

    response = trusting.get("/login", headers=FORGED)

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<h1 class="h2">We could not accept that request</h1>' in page
    assert "This site does not answer to that address." in page
    assert '<a class="btn btn-primary" href="/">Go to the home page</a>' in page


def test_form_post_for_an_untrusted_host_gets_the_400_page_and_sends_nothing(make_app):
    user = make_user(email="ana@example.org")
    trusting = make_app(TRUSTED_HOSTS=["catalyst.example.org"]).test_client()

    response = trusting.post("/password/forgot", data={"email": user.email}, headers=FORGED)

    assert response.status_code == 400
    assert "This site does not answer to that address." in response.get_data(as_text=True)
    assert emails_to(user.email) == []


def test_request_for_a_trusted_host_is_served(make_app):
    trusting = make_app(TRUSTED_HOSTS=["catalyst.example.org"]).test_client()

    response = trusting.get("/login", headers={"Host": "catalyst.example.org"})

    assert response.status_code == 200


FORWARDED = {
    "X-Forwarded-For": "203.0.113.9",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "catalyst.example.org",
    "X-Forwarded-Prefix": "/programme",
}


def _with_probe(app):
    """The app with a page that shows how it sees the request (the proxy's work)."""

    @app.get("/probe")
    def probe():
        from flask import request, url_for

        return f"{request.remote_addr} {url_for('accounts.login', _external=True)}"

    return app.test_client()


def test_behind_one_proxy_the_forwarded_client_scheme_host_and_prefix_are_used(make_app):
    proxied = _with_probe(make_app(PROXY_FIX_HOPS=1))

    probe = proxied.get("/probe", headers=FORWARDED)
    login = proxied.get("/login", headers=FORWARDED)

    assert probe.get_data(as_text=True) == (
        "203.0.113.9 https://catalyst.example.org/programme/login"
    )
    assert login.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert 'href="/programme/password/forgot"' in login.get_data(as_text=True)


def test_without_the_proxy_setting_forwarded_headers_are_ignored(make_app):
    direct = _with_probe(make_app())

    probe = direct.get("/probe", headers=FORWARDED)
    login = direct.get("/login", headers=FORWARDED)

    assert probe.get_data(as_text=True) == "127.0.0.1 http://localhost/login"
    assert "Strict-Transport-Security" not in login.headers


def test_absolute_url_outside_any_request_starts_with_base_url(app):
    assert absolute_url("accounts.login") == "http://127.0.0.1:5000/login"


# --- paths to send someone back to ------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "kept"),
    [
        ("/manage/calls/3/publish", True),
        ("/calls?year=2031", True),
        ("https://evil.example/phish", False),
        ("//evil.example/phish", False),
        ("/\\evil.example/phish", False),
        ("evil.example", False),
        ("", False),
        (None, False),
    ],
)
def test_local_path_keeps_only_paths_of_this_site(target, kept):
    assert local_path(target, default="/dashboard") == (target if kept else "/dashboard")


def test_close_review_button_never_sends_the_manager_to_another_site(app, client):
    now = utcnow()
    call = make_call(opens_at=now - timedelta(days=40), closes_at=now - timedelta(days=1))
    sign_in(client, make_user(Role.PROGRAMME_MANAGER))

    response = post_form(
        client,
        f"/manage/calls/{call.id}/close-review",
        {"next": "/\\evil.example/phish"},
        page=f"/manage/calls/{call.id}",
    )

    assert response.location == f"/manage/calls/{call.id}"
