"""Pages load everything from our own server: no CDN, no font service, no tracker."""

from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.factories import PASSWORD, make_user


def test_login_and_dashboard_request_only_the_live_server(page, live_server):
    requested: list[str] = []
    failed: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("requestfailed", lambda request: failed.append(f"{request.url} {request.failure}"))
    user = make_user(name="Laia Ferrer")

    page.goto("/login")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Laia Ferrer")
    page.wait_for_load_state("load")

    elsewhere = [url for url in requested if not url.startswith(f"{live_server}/")]
    assert elsewhere == [], requested
    assert failed == []
    # The recorder saw the pages and their assets, so an empty `elsewhere` means something.
    paths = {urlsplit(url).path for url in requested}
    assert {"/login", "/dashboard", "/static/vendor/bootstrap/bootstrap.min.css"} <= paths
