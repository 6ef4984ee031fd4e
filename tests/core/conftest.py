"""Fixtures for the cross-cutting tests: extra apps on the test database, CLI commands."""

import socket

import pytest

from accelerator.extensions import db
from tests.conftest import make_test_app


@pytest.fixture
def make_app(app, database_url):
    """Builds another app on the test database (or on the URL given); disposed after the test.

    It depends on `app`, whose pushed context the test clients need and whose teardown empties
    the tables the other app wrote to.

    Some settings (Flask-Mail's server and port, TESTING) are read when the app is created, so
    a test that needs other values builds its own app rather than editing `app.config`.
    """
    built = []

    def build(url: str | None = None, **overrides):
        new_app = make_test_app(url or database_url, **overrides)
        built.append(new_app)
        return new_app

    yield build
    for built_app in built:
        with built_app.app_context():
            db.engine.dispose()


@pytest.fixture
def run_command():
    """Runs a `flask` command of the given app in its own application context, as `flask` does.

    The runner would otherwise reuse whatever context the test has pushed, which may belong to
    another app.
    """

    def run(target_app, *args: str):
        with target_app.app_context():
            return target_app.test_cli_runner().invoke(args=list(args))

    return run


@pytest.fixture
def free_port():
    """Returns a function giving a loopback port nobody listens on (yet)."""

    def pick() -> int:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]

    return pick
