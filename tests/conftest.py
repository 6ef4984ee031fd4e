"""Fixtures for every test: the app on SQLite and/or PostgreSQL, clients, factories.

Each backend gets one migrated database for the session; every test starts from empty tables.
Requests made by the test client run in their own application context, as in production, so
that nothing (session, g, the logged-in user) leaks between a test and the requests it makes.
"""

import re
import threading
from collections.abc import Callable
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event, text

from accelerator import create_app
from accelerator.core.errors import DomainError
from accelerator.extensions import db
from config import TestConfig
from tests.postgres_server import PostgresServer

BACKENDS = ("sqlite", "postgres")


def pytest_addoption(parser):
    parser.addoption(
        "--db",
        choices=(*BACKENDS, "both"),
        default="sqlite",
        help="database backend(s) to run the suite on (make test uses both)",
    )


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("--db")
        backends = BACKENDS if chosen == "both" else (chosen,)
        metafunc.parametrize("backend", backends, scope="session")


def pytest_report_header(config):
    return f"database backends: {config.getoption('--db')}"


@pytest.fixture(scope="session")
def postgres_server():
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def database_url(backend, request, tmp_path_factory):
    if backend == "postgres":
        return request.getfixturevalue("postgres_server").url
    return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.sqlite'}"


class IsolatedClient(FlaskClient):
    """Runs each request in a fresh application context, then shows the test fresh data."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


def make_test_app(database_url: str, **overrides):
    config = type("Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url, **overrides})
    app = create_app(config)
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture(scope="session")
def migrated_app(database_url, tmp_path_factory):
    app = make_test_app(database_url, UPLOAD_FOLDER=str(tmp_path_factory.mktemp("uploads")))
    with app.app_context():
        upgrade()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(migrated_app, backend):
    context = migrated_app.app_context()
    context.push()
    try:
        yield migrated_app
    finally:
        context.pop()
        _empty_tables(migrated_app)


def _empty_tables(app) -> None:
    with app.app_context():
        tables = [table.name for table in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
                return
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))


# The most threads one same-instant test releases; each gets a connection of its own.
MAX_RACERS = 20


@pytest.fixture
def at_the_same_instant(app, database_url):
    """Runs actions in threads released at one instant, on the test's database.

    Call it with a list of `prepare` functions. Each runs in a thread of its own, in its own
    application context (so its own session and connection), loads what it needs by id and
    returns the action; every thread waits at a barrier until all have prepared, then all act
    together. Returns, per action, what it returned, the name of the DomainError that refused
    it, or the repr of any other exception. Only ids may cross threads: the test's objects
    belong to its session, which no thread may use.
    """
    racing = make_test_app(
        database_url,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": MAX_RACERS, "max_overflow": 0, "pool_timeout": 30},
    )

    def race(prepares: list[Callable[[], Callable[[], object]]]) -> list:
        assert 0 < len(prepares) <= MAX_RACERS
        barrier = threading.Barrier(len(prepares), timeout=30)
        results: list = [None] * len(prepares)

        def run(index: int) -> None:
            with racing.app_context():
                act = prepares[index]()
                barrier.wait()
                try:
                    results[index] = act()
                except DomainError as error:
                    results[index] = type(error).__name__
                except Exception as error:  # noqa: BLE001 -- reported in the assertion
                    results[index] = repr(error)

        threads = [threading.Thread(target=run, args=(index,)) for index in range(len(prepares))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        return results

    yield race
    with racing.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def count_queries(app):
    """Counts the SQL statements run inside the `with` block."""

    @contextmanager
    def counter():
        statements: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", record)

    return counter


CSRF_PATTERN = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'type="hidden" name="csrf_token" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)


def csrf_token_from(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match, "the page has no CSRF token"
    return next(group for group in match.groups() if group)


def post_form(client, url: str, data: dict, *, page: str | None = None, **kwargs):
    """Loads the page holding the form (for its CSRF token), then posts the data to url."""
    html = client.get(page or url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token_from(html), **data}, **kwargs)


def sign_in(client, user) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
