"""Point 12c: once an organisation has a submitted application, a member cannot change what
conflict detection reads (email domain, legal name) without a programme manager's
confirmation; the other details save at once, a manager's own edit applies at once, and the
audit records old and new values.
"""

import html

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from accelerator.accounts import organisation_changes
from accelerator.accounts.enums import OrganisationKind, Role
from accelerator.accounts.models import OrganisationChange, User
from accelerator.accounts.organisations import update_organisation
from accelerator.extensions import db
from tests.accounts.conftest import NOW, audit_trail, emails_to, field_errors, flashes
from tests.accounts.test_organisations import organisation_fields
from tests.conftest import post_form, sign_in
from tests.factories import make_application, make_call, make_organisation, make_user

WAITING_SUBJECT = "Cellgenix Therapeutics SL asks to change a detail: Email domain"


@pytest.fixture
def applied(app):
    """Cellgenix (with a submitted application), its member and a programme manager."""
    organisation = make_organisation(
        legal_name="Cellgenix Therapeutics SL",
        email_domain="cellgenix.example.org",
        kind=OrganisationKind.SPIN_OFF,
        founding_year=2019,
        website="https://cellgenix.example.org",
    )
    member = make_user(name="Ana Member", organisation=organisation)
    make_application(make_call(), member=member, submitted=True)
    manager = make_user(Role.PROGRAMME_MANAGER, email="office@programme.example.net")
    return organisation, member, manager


def edit(client, organisation, **fields):
    return post_form(
        client,
        f"/organisations/{organisation.id}/edit",
        organisation_fields(**{"vat_id": "", **fields}),
    )


def pending() -> list[tuple[str, str | None, str | None, int | None]]:
    rows = db.session.execute(
        select(
            OrganisationChange.field,
            OrganisationChange.old_value,
            OrganisationChange.new_value,
            OrganisationChange.requested_by_id,
        )
        .where(OrganisationChange.decided_at.is_(None))
        .order_by(OrganisationChange.id)
    )
    return [(field.value, old, new, by) for field, old, new, by in rows]


def test_organisation_change_12c_a_members_domain_change_waits_and_the_rest_saves(client, applied):
    organisation, member, manager = applied
    sign_in(client, member)

    response = edit(client, organisation, city="Girona", email_domain="newname.example.com")

    assert (response.status_code, response.location) == (302, f"/organisations/{organisation.id}")
    assert (organisation.city, organisation.email_domain) == ("Girona", "cellgenix.example.org")
    assert pending() == [
        ("email_domain", "cellgenix.example.org", "newname.example.com", member.id)
    ]
    assert flashes(client) == [
        ("success", "The organisation is saved."),
        ("info", "The change of Email domain waits for the programme office's confirmation."),
    ]
    [updated] = audit_trail("organisation.updated")
    assert updated.details == {"changes": {"city": {"old": "Barcelona", "new": "Girona"}}}
    [requested] = audit_trail("organisation.change_requested")
    assert requested.details["old"] == "cellgenix.example.org"
    assert requested.details["new"] == "newname.example.com"
    [notice] = emails_to(manager.email)
    assert notice.subject == WAITING_SUBJECT
    assert f"/organisations/{organisation.id}\n" in notice.body_text


def test_organisation_change_12c_a_members_legal_name_change_waits(client, applied):
    organisation, member, _manager = applied
    sign_in(client, member)

    edit(client, organisation, legal_name="Cellgenix Bio SL")

    assert organisation.legal_name == "Cellgenix Therapeutics SL"
    assert pending() == [("legal_name", "Cellgenix Therapeutics SL", "Cellgenix Bio SL", member.id)]


def test_organisation_change_12c_the_organisation_page_shows_the_change_as_waiting(client, applied):
    organisation, member, manager = applied
    sign_in(client, member)
    edit(client, organisation, email_domain="newname.example.com")

    member_page = html.unescape(client.get(f"/organisations/{organisation.id}").get_data(True))
    sign_in(client, manager)
    manager_page = html.unescape(client.get(f"/organisations/{organisation.id}").get_data(True))

    waiting = "Email domain</strong>: cellgenix.example.org → newname.example.com"
    assert waiting in member_page
    assert waiting in manager_page
    assert "/changes/" not in member_page  # a member cannot decide it
    assert manager_page.count("/changes/") == 2  # confirm and refuse


def test_organisation_change_12c_without_a_submitted_application_applies_at_once(client):
    organisation = make_organisation(email_domain="cellgenix.example.org")
    member = make_user(organisation=organisation)
    make_application(make_call(), member=member)  # a draft only
    sign_in(client, member)

    edit(client, organisation, email_domain="newname.example.com")

    assert organisation.email_domain == "newname.example.com"
    assert pending() == []
    [updated] = audit_trail("organisation.updated")
    assert updated.details["changes"]["email_domain"] == {
        "old": "cellgenix.example.org",
        "new": "newname.example.com",
    }


def test_organisation_change_12c_a_managers_own_edit_applies_at_once(client, applied):
    organisation, _member, manager = applied
    sign_in(client, manager)

    edit(client, organisation, legal_name="Cellgenix Bio SL", email_domain="cellgenix.bio")

    assert (organisation.legal_name, organisation.email_domain) == (
        "Cellgenix Bio SL",
        "cellgenix.bio",
    )
    assert pending() == []
    [updated] = audit_trail("organisation.updated")
    assert updated.details["changes"]["legal_name"] == {
        "old": "Cellgenix Therapeutics SL",
        "new": "Cellgenix Bio SL",
    }


@pytest.mark.parametrize(("button", "expected"), [("confirm", True), ("refuse", False)])
def test_organisation_change_12c_a_manager_decides_it_on_the_organisation_page(
    client, applied, button, expected
):
    organisation, member, manager = applied
    [change] = update_organisation(
        organisation, by=member, now=NOW, email_domain="newname.example.com"
    )
    sign_in(client, manager)
    page = f"/organisations/{organisation.id}"

    response = post_form(client, f"{page}/changes/{change.id}/{button}", {}, page=page)

    assert (response.status_code, response.location) == (302, page)
    db.session.refresh(change)
    assert (change.accepted, change.decided_by_id) == (expected, manager.id)
    assert organisation.email_domain == (
        "newname.example.com" if expected else "cellgenix.example.org"
    )
    action = "organisation.change_confirmed" if expected else "organisation.change_refused"
    [entry] = audit_trail(action)
    assert (entry.actor_id, entry.details["old"], entry.details["new"]) == (
        manager.id,
        "cellgenix.example.org",
        "newname.example.com",
    )


def test_organisation_change_12c_a_decision_without_csrf_is_refused(client, applied):
    organisation, member, manager = applied
    [change] = update_organisation(organisation, by=member, now=NOW, legal_name="Other SL")
    sign_in(client, manager)

    response = client.post(f"/organisations/{organisation.id}/changes/{change.id}/confirm")

    assert response.status_code == 400
    assert pending() == [("legal_name", "Cellgenix Therapeutics SL", "Other SL", member.id)]


def test_organisation_change_12c_a_second_waiting_change_of_a_detail_is_refused(client, applied):
    organisation, member, _manager = applied
    update_organisation(organisation, by=member, now=NOW, email_domain="first.example.com")
    sign_in(client, member)

    response = edit(client, organisation, city="Girona", email_domain="second.example.com")

    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "email_domain") == [
        "A change of this detail already waits for the programme office; it must be decided"
        " before you ask for another."
    ]
    assert organisation.city == "Barcelona"  # nothing saved; the form still holds it all
    assert pending() == [("email_domain", "cellgenix.example.org", "first.example.com", member.id)]


def test_organisation_change_12c_the_database_holds_one_waiting_change_per_detail(applied):
    organisation, member, _manager = applied
    row = {
        "organisation_id": organisation.id,
        "field": "email_domain",
        "new_value": "a.example.com",
        "requested_by_id": member.id,
        "requested_at": NOW,
    }
    db.session.execute(insert(OrganisationChange), [row])
    db.session.commit()

    with pytest.raises(IntegrityError):
        db.session.execute(insert(OrganisationChange), [{**row, "new_value": "b.example.com"}])
    db.session.rollback()

    assert db.session.scalar(select(func.count(OrganisationChange.id))) == 1


def test_organisation_change_12c_a_change_of_another_organisation_is_not_found(client, applied):
    organisation, member, manager = applied
    [change] = update_organisation(organisation, by=member, now=NOW, legal_name="Other SL")
    elsewhere = make_organisation()
    sign_in(client, manager)

    response = post_form(
        client,
        f"/organisations/{elsewhere.id}/changes/{change.id}/confirm",
        {},
        page=f"/organisations/{elsewhere.id}",
    )

    assert response.status_code == 404
    assert organisation.legal_name == "Cellgenix Therapeutics SL"


def test_organisation_change_12c_confirm_and_refuse_at_the_same_instant_one_wins(
    applied, at_the_same_instant
):
    organisation, member, manager = applied
    [change] = update_organisation(organisation, by=member, now=NOW, legal_name="Other SL")
    other_manager = make_user(Role.PROGRAMME_MANAGER)
    change_id, deciders = change.id, [manager.id, other_manager.id]

    def deciding(manager_id, accepted):
        def prepare():
            decider = db.session.get(User, manager_id)
            waiting = db.session.get(OrganisationChange, change_id)
            return lambda: organisation_changes.decide_organisation_change(
                waiting, accepted=accepted, by=decider, now=NOW
            )

        return prepare

    results = at_the_same_instant([deciding(deciders[0], True), deciding(deciders[1], False)] * 3)

    assert sorted(map(str, results)) == ["ChangeAlreadyDecided"] * 5 + ["None"]
    entries = audit_trail("organisation.change_confirmed") + audit_trail(
        "organisation.change_refused"
    )
    assert len(entries) == 1
    db.session.refresh(organisation)
    confirmed = entries[0].action == "organisation.change_confirmed"
    assert organisation.legal_name == ("Other SL" if confirmed else "Cellgenix Therapeutics SL")
