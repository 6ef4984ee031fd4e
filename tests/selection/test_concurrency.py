"""Twenty managers select twenty applications at the same instant when two places are left:
exactly two succeed, on PostgreSQL (the programme row is locked) and on SQLite (one writer).
Five managers publishing the same call at once send each letter once.

The threads are released together by the at_the_same_instant fixture. Without the lock every
thread would count the same free places and all twenty would be selected (tried: 20 of 20 on
both backends), and every publisher would send all the letters (tried: twice as many).
"""

from sqlalchemy import func, select

from accelerator.accounts.models import User
from accelerator.applications.enums import ApplicationStatus
from accelerator.applications.models import Application
from accelerator.calls.models import Call
from accelerator.core.clock import utcnow
from accelerator.core.models import OutboxMessage
from accelerator.extensions import db
from accelerator.selection import services
from accelerator.selection.enums import Outcome
from accelerator.selection.models import Decision
from accelerator.selection.publishing import letters_of, publish_results
from tests.factories import make_call
from tests.selection.deciding_helpers import (
    decide,
    end_review_phase,
    make_decidable,
    make_manager,
)

WORKERS = 20


def select_all_at_once(race, applications, manager) -> list[str]:
    def attempt(application_id: int, manager_id: int):
        def prepare():
            application = db.session.get(Application, application_id)
            by = db.session.get(User, manager_id)
            application.call.programme  # noqa: B018 -- loaded before the start, not during

            def act():
                services.decide(application, Outcome.SELECTED, by=by, now=utcnow())
                return "selected"

            return act

        return prepare

    return race([attempt(application.id, manager.id) for application in applications])


def selected_count() -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count(Application.id)).where(Application.status == ApplicationStatus.SELECTED)
    )


def decision_count() -> int:
    return db.session.scalar(select(func.count(Decision.id)))


def test_simultaneous_selections_with_two_places_left_in_the_quota_select_exactly_two(
    at_the_same_instant,
):
    manager = make_manager()
    call = make_call(selection_quota=2)
    applications = [make_decidable(call) for _ in range(WORKERS)]

    results = select_all_at_once(at_the_same_instant, applications, manager)

    assert sorted(results) == ["QuotaExceeded"] * 18 + ["selected"] * 2, results
    assert selected_count() == 2
    assert decision_count() == 2


def test_simultaneous_selections_with_two_places_left_under_the_cap_select_exactly_two(
    at_the_same_instant,
):
    manager = make_manager()
    earlier = make_call(year=2031, selection_quota=2)
    call = make_call(year=2032, selection_quota=WORKERS)
    earlier.programme.selection_cap = 4
    db.session.commit()
    for _ in range(2):
        decide(make_decidable(earlier), Outcome.SELECTED, by=manager)
    applications = [make_decidable(call) for _ in range(WORKERS)]

    results = select_all_at_once(at_the_same_instant, applications, manager)

    assert sorted(results) == ["CapReached"] * 18 + ["selected"] * 2, results
    assert selected_count() == 4
    assert decision_count() == 4


def test_simultaneous_publications_send_each_letter_once(at_the_same_instant):
    manager = make_manager()
    call = make_call(selection_quota=2)
    for outcome in (Outcome.WAITLISTED, Outcome.REJECTED, Outcome.REJECTED):
        decide(make_decidable(call), outcome, by=manager)
    letters_of(call, now=utcnow())  # as the results page creates them before "Publish"
    end_review_phase(call)
    before = db.session.scalar(select(func.count(OutboxMessage.id)))

    call_id, manager_id = call.id, manager.id

    def attempt():
        published = db.session.get(Call, call_id)
        by = db.session.get(User, manager_id)
        published.results_published_at  # noqa: B018 -- loaded before the start, not during
        return lambda: f"sent {publish_results(published, by=by, now=utcnow())}"

    results = at_the_same_instant([attempt] * 5)

    assert sorted(results) == ["AlreadyPublished"] * 4 + ["sent 3"], results
    db.session.expire_all()
    assert db.session.scalar(select(func.count(OutboxMessage.id))) - before == 3
