"""Real-browser fixtures: the test app served on loopback, driven by the system's headless Chromium.

Chromium comes from apt (`/usr/bin/chromium`), never from `playwright install` (see RECIPES.md).
A dead-end proxy and a resolver rule keep every request on 127.0.0.1, so a page that needed the
network would fail here at once.
"""

import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-domain-reliability",
    "--no-pings",
    "--proxy-server=http://127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
# Long enough for a slow shared machine, short enough that a missing element fails quickly.
TIMEOUT_MS = 5_000
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    # This hook sees the whole session's items: only those in this folder are browser tests.
    browser_items = [item for item in items if HERE in item.path.parents]
    skip = None
    if not CHROMIUM.exists() and not os.environ.get("CI"):
        skip = pytest.mark.skip(
            reason=f"{CHROMIUM} is missing: `apt-get install -y chromium` (CI installs it)"
        )
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
        if skip:
            item.add_marker(skip)


@pytest.fixture(scope="package")
def browser():
    # Package scope, not session: between calls Playwright's sync API leaves its asyncio loop
    # marked as running in the main thread, and later tests must not inherit it.
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing; .ci/run installs it with apt-get (package chromium)")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def live_server(app):
    """The test app on a free loopback port; yields its origin, e.g. http://127.0.0.1:41234."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # A short poll keeps shutdown() from waiting half a second for the accept loop to notice.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="live-server", daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def page(browser, live_server):
    # bypass_csp: axe-core is injected as an inline script, which our CSP rightly refuses.
    context = browser.new_context(base_url=live_server, bypass_csp=True)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()
