"""An applicant can neither read nor change another organisation's application or files.

Every address answers 404 to an outsider, whether the ID exists or was guessed, so nothing
tells them an application is there; and nothing changes.
"""

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from accelerator.accounts.models import User
from accelerator.applications.models import Attachment
from accelerator.core.models import AuditEntry, OutboxMessage
from accelerator.extensions import db
from tests.applications.conftest import current_attachments, member_of, row_count, submissions_of
from tests.conftest import csrf_token_from, sign_in
from tests.factories import PDF_BYTES, make_application, make_call, make_user

# (method, address with {a} for the application's ID and {f} for an attachment's ID, form data)
ROUTES = [
    ("GET", "/applications/{a}", None),
    ("GET", "/applications/{a}/edit", None),
    ("POST", "/applications/{a}/edit", {"title": "Taken over"}),
    ("POST", "/applications/{a}/submit", {}),
    ("POST", "/applications/{a}/withdraw", {}),
    ("POST", "/applications/{a}/reopen", {}),
    ("POST", "/applications/{a}/attachments", "upload"),
    ("GET", "/attachments/{f}", None),
    ("POST", "/attachments/{f}/delete", {}),
    ("GET", "/applications/{a}/submissions/1", None),
]
ROUTE_IDS = [f"{method} {address}" for method, address, _data in ROUTES]
GUESS = 10_000  # added to real IDs: an ID nobody has


@pytest.fixture
def victim(app):
    """A submitted application of another organisation, with its pitch deck."""
    application = make_application(make_call(), complete=True, submitted=True)
    [deck] = current_attachments(application)
    return application, deck


@pytest.fixture(params=["other organisation", "no organisation"])
def intruder(request, client, victim):
    """A signed-in applicant who is not a member of the victim's organisation, with a CSRF token.

    The one with an organisation has an application of their own to the same call.
    """
    if request.param == "other organisation":
        user = member_of()
        own = make_application(victim[0].call, member=user)
        page = f"/applications/{own.id}"
    else:
        user = make_user()
        page = "/organisations/new"
    sign_in(client, user)
    return csrf_token_from(client.get(page).get_data(as_text=True))


def _state(application) -> tuple:
    db.session.expire_all()
    return (
        application.status,
        application.title,
        application.updated_at,
        [(a.id, a.removed_at) for a in db.session.scalars(select(Attachment))],
        [(s.number, s.content) for s in submissions_of(application)],
        row_count(AuditEntry),
        row_count(OutboxMessage),
    )


def _request(client, method, address, data, token):
    if method == "GET":
        return client.get(address)
    if data == "upload":
        data = {"kind": "letter", "file": (io.BytesIO(PDF_BYTES), "letter.pdf")}
    return client.post(address, data={"csrf_token": token, **data})


@pytest.mark.parametrize("guessed", [False, True], ids=["existing-ids", "guessed-ids"])
def test_other_organisations_application_answers_404_everywhere_and_stays_unchanged(
    app, client, victim, intruder, guessed
):
    application, deck = victim
    offset = GUESS if guessed else 0
    files_before = sorted(Path(app.config["UPLOAD_FOLDER"]).iterdir())
    before = _state(application)

    answers = {}
    for (method, address, data), route in zip(ROUTES, ROUTE_IDS, strict=True):
        url = address.format(a=application.id + offset, f=deck.id + offset)
        with _request(client, method, url, data, intruder) as response:
            answers[route] = (response.status_code, "Page not found" in response.get_data(True))

    assert answers == dict.fromkeys(ROUTE_IDS, (404, True))
    assert _state(application) == before
    assert sorted(Path(app.config["UPLOAD_FOLDER"]).iterdir()) == files_before


def test_member_of_the_organisation_reads_the_application(client, victim):
    application, deck = victim
    member = db.session.get(User, application.created_by_id)
    sign_in(client, member)

    statuses = []
    for url in (
        f"/applications/{application.id}",
        f"/attachments/{deck.id}",
        f"/applications/{application.id}/submissions/1",
    ):
        with client.get(url) as response:
            statuses.append(response.status_code)

    assert statuses == [200, 200, 200]
