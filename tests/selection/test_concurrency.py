"""Twenty managers select twenty applications at the same instant when two places are left:
exactly two succeed, on PostgreSQL (the programme row is locked) and on SQLite (one writer).
Five managers publishing the same call at once send each letter once.

Each thread has its own application context, so its own session and connection, and waits at
a barrier until all have loaded their objects: then they act together. Without the lock every
thread would count the same free places and all twenty would be selected (tried: 20 of 20 on
both backends), and every publisher would send all the letters (tried: twice as many).
"""

import threading

import pytest
from sqlalchemy import func, select

from accelerator.accounts.models import User
from accelerator.applications.enums import ApplicationStatus
from accelerator.applications.models import Application
from accelerator.calls.models import Call
from accelerator.core.clock import utcnow
from accelerator.core.errors import DomainError
from accelerator.core.models import OutboxMessage
from accelerator.extensions import db
from accelerator.selection import services
from accelerator.selection.enums import Outcome
from accelerator.selection.models import Decision
from accelerator.selection.publishing import letters_of, publish_results
from tests.conftest import make_test_app
from tests.factories import make_call
from tests.selection.deciding_helpers import decide, make_decidable, make_manager

WORKERS = 20


@pytest.fixture
def race_app(app, database_url):
    """The same database behind a pool with a connection for every thread."""
    racing = make_test_app(
        database_url,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": WORKERS, "max_overflow": 0, "pool_timeout": 30},
    )
    yield racing
    with racing.app_context():
        db.engine.dispose()


def at_the_same_instant(race_app, attempt, arguments: list[tuple]) -> list[str]:
    """Calls attempt(*args) in a thread of its own for each args, in its own application
    context: attempt loads its objects by id and returns the action, which every thread starts
    at the barrier's release. Each result is what the action returned or the name of the
    DomainError that refused it. Only ids cross threads: the test's objects belong to its
    session, which no thread may use."""
    barrier = threading.Barrier(len(arguments), timeout=30)
    results: list[str | None] = [None] * len(arguments)

    def run(index: int, args: tuple) -> None:
        with race_app.app_context():
            act = attempt(*args)
            barrier.wait()
            try:
                results[index] = act()
            except DomainError as error:
                results[index] = type(error).__name__
            except Exception as error:  # noqa: BLE001 -- reported in the assertion
                results[index] = repr(error)

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(arguments)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def select_all_at_once(race_app, applications, manager) -> list[str]:
    def attempt(application_id: int, manager_id: int):
        application = db.session.get(Application, application_id)
        by = db.session.get(User, manager_id)
        application.call.programme  # noqa: B018 -- loaded before the start, not during

        def act():
            services.decide(application, Outcome.SELECTED, by=by, now=utcnow())
            return "selected"

        return act

    return at_the_same_instant(
        race_app, attempt, [(application.id, manager.id) for application in applications]
    )


def selected_count() -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count(Application.id)).where(Application.status == ApplicationStatus.SELECTED)
    )


def decision_count() -> int:
    return db.session.scalar(select(func.count(Decision.id)))


def test_simultaneous_selections_with_two_places_left_in_the_quota_select_exactly_two(
    app, race_app
):
    manager = make_manager()
    call = make_call(selection_quota=2)
    applications = [make_decidable(call) for _ in range(WORKERS)]

    results = select_all_at_once(race_app, applications, manager)

    assert sorted(results) == ["QuotaExceeded"] * 18 + ["selected"] * 2, results
    assert selected_count() == 2
    assert decision_count() == 2


def test_simultaneous_selections_with_two_places_left_under_the_cap_select_exactly_two(
    app, race_app
):
    manager = make_manager()
    earlier = make_call(year=2031, selection_quota=2)
    call = make_call(year=2032, selection_quota=WORKERS)
    earlier.programme.selection_cap = 4
    db.session.commit()
    for _ in range(2):
        decide(make_decidable(earlier), Outcome.SELECTED, by=manager)
    applications = [make_decidable(call) for _ in range(WORKERS)]

    results = select_all_at_once(race_app, applications, manager)

    assert sorted(results) == ["CapReached"] * 18 + ["selected"] * 2, results
    assert selected_count() == 4
    assert decision_count() == 4


def test_simultaneous_publications_send_each_letter_once(app, race_app):
    manager = make_manager()
    call = make_call(selection_quota=2)
    for outcome in (Outcome.WAITLISTED, Outcome.REJECTED, Outcome.REJECTED):
        decide(make_decidable(call), outcome, by=manager)
    letters_of(call, now=utcnow())  # as the results page creates them before "Publish"
    db.session.commit()
    before = db.session.scalar(select(func.count(OutboxMessage.id)))

    def attempt(call_id: int, manager_id: int):
        published = db.session.get(Call, call_id)
        by = db.session.get(User, manager_id)
        published.results_published_at  # noqa: B018 -- loaded before the start, not during
        return lambda: f"sent {publish_results(published, by=by, now=utcnow())}"

    results = at_the_same_instant(race_app, attempt, [(call.id, manager.id)] * 5)

    assert sorted(results) == ["AlreadyPublished"] * 4 + ["sent 3"], results
    db.session.expire_all()
    assert db.session.scalar(select(func.count(OutboxMessage.id))) - before == 3
