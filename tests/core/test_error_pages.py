"""Errors show friendly pages in the site's layout, with the right status."""

from accelerator.accounts.enums import Role
from tests.conftest import sign_in
from tests.factories import make_user

LAYOUT_MARK = '<a class="visually-hidden-focusable skip-link" href="#main">'


def _page(response) -> str:
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert html.startswith("<!doctype html>")
    assert LAYOUT_MARK in html
    return html


def test_unknown_url_shows_the_not_found_page(client):
    response = client.get("/no/such/page")

    assert response.status_code == 404
    assert '<h1 class="h2">Page not found</h1>' in _page(response)


def test_policy_refusal_shows_the_forbidden_page(client):
    sign_in(client, make_user(Role.APPLICANT))

    response = client.get("/users")

    assert response.status_code == 403
    assert '<h1 class="h2">You do not have access to this page</h1>' in _page(response)


def test_wrong_method_shows_the_method_not_allowed_page(client):
    sign_in(client, make_user())

    response = client.get("/logout")

    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"OPTIONS", "POST"}
    assert '<h1 class="h2">That action is not possible here</h1>' in _page(response)


def test_unexpected_exception_shows_the_server_error_page(make_app):
    app = make_app(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.get("/explode")
    def explode():
        raise RuntimeError("boom")

    response = app.test_client().get("/explode")

    assert response.status_code == 500
    html = _page(response)
    assert '<h1 class="h2">Something went wrong on our side</h1>' in html
    assert "boom" not in html
