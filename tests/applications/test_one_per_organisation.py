"""One application per organisation per call: the service says so, and so does the database."""

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from accelerator.applications import services
from accelerator.applications.models import Application
from accelerator.extensions import db
from tests.applications.conftest import NOW, apply_at, call_at, member_of, token_of
from tests.conftest import post_form, sign_in
from tests.factories import make_application, make_call, make_organisation


def _applications_of(organisation_id) -> list[int]:
    query = select(Application.id).where(Application.organisation_id == organisation_id)
    return list(db.session.scalars(query))


def test_second_application_of_an_organisation_is_refused_as_already_applied(app):
    call = call_at()
    organisation = make_organisation()
    first = apply_at(call, member=member_of(organisation))
    colleague = member_of(organisation)

    with pytest.raises(services.AlreadyApplied) as refused:
        services.start_application(call, by=colleague, now=NOW)

    assert str(refused.value) == "Your organisation already has an application to this call."
    assert refused.value.application_id == first.id
    assert _applications_of(organisation.id) == [first.id]


def test_same_organisation_may_apply_to_another_call(app):
    organisation = make_organisation()
    member = member_of(organisation)
    first = apply_at(call_at(year=2030), member=member)

    second = apply_at(call_at(year=2031), member=member)

    assert sorted(_applications_of(organisation.id)) == [first.id, second.id]


def test_apply_route_for_an_organisation_that_applied_redirects_to_its_application(client):
    call = make_call()
    organisation = make_organisation()
    existing = make_application(call, member=member_of(organisation))
    colleague = member_of(organisation)
    sign_in(client, colleague)

    response = post_form(client, f"/calls/{call.id}/apply", {}, page=f"/calls/{call.id}")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/applications/{existing.id}/edit"
    assert _applications_of(organisation.id) == [existing.id]


def test_apply_route_starts_a_draft_for_a_new_organisation(client):
    call = make_call()
    member = member_of()
    sign_in(client, member)

    response = client.post(
        f"/calls/{call.id}/apply", data={"csrf_token": token_of(client, f"/calls/{call.id}")}
    )

    [application_id] = _applications_of(member.organisation_id)
    assert response.headers["Location"] == f"/applications/{application_id}/edit"


def test_direct_insert_of_a_second_application_is_refused_by_the_database(app):
    call = call_at()
    member = member_of()
    first = apply_at(call, member=member)

    with pytest.raises(IntegrityError):
        db.session.execute(
            insert(Application).values(
                call_id=call.id,
                organisation_id=member.organisation_id,
                created_at=NOW,
                updated_at=NOW,
            )
        )
    db.session.rollback()

    count = select(func.count()).select_from(Application).where(Application.call_id == call.id)
    assert db.session.scalar(count) == 1
    assert _applications_of(member.organisation_id) == [first.id]
