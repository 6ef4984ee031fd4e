"""Organisations: creating, editing, inviting colleagues by email, joining; members only."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accelerator.accounts import organisations
from accelerator.accounts.enums import OrganisationKind, Role
from accelerator.accounts.invitations import InvitationForSomeoneElse
from accelerator.accounts.models import Organisation, OrganisationInvitation
from accelerator.accounts.services import LinkAlreadyUsed
from accelerator.accounts.tokens import ExpiredToken
from accelerator.core.clock import utcnow
from accelerator.core.errors import NotAllowed
from accelerator.extensions import db
from tests.accounts.conftest import (
    NOW,
    audit_trail,
    emails_to,
    field_errors,
    flashes,
    link_in,
    path_of,
)
from tests.conftest import post_form, sign_in
from tests.factories import make_organisation, make_user

VAT_TAKEN = "Another organisation is already registered with this VAT/CIF number."


def organisation_fields(**overrides) -> dict:
    return {
        "legal_name": "Cellgenix Therapeutics SL",
        "kind": "spin_off",
        "vat_id": "ESB12345678",
        "country": "ES",
        "city": "Barcelona",
        "founding_year": "2019",
        "website": "https://cellgenix.example.org",
        "email_domain": "cellgenix.example.org",
        **overrides,
    }


def invite(organisation, email, *, by, now=NOW) -> str:
    """Invites through the service and returns the emailed join link's token."""
    organisations.invite_to_organisation(organisation, email=email, by=by, now=now)
    return link_in(emails_to(email.lower())[-1]).rsplit("/", 1)[1]


# --- creating and editing, through the service ----------------------------------------------


def test_create_organisation_makes_the_creator_a_member():
    founder = make_user()

    organisation = organisations.create_organisation(
        by=founder,
        now=NOW,
        legal_name="Cellgenix Therapeutics SL",
        kind=OrganisationKind.SPIN_OFF,
        vat_id="esb 1234 5678",
        country="es",
        city="Barcelona",
        email_domain="@CellGenix.example.org",
    )

    assert founder.organisation_id == organisation.id
    assert organisations.members_of(organisation) == [founder]
    assert (organisation.vat_id, organisation.country, organisation.email_domain) == (
        "ESB12345678",
        "ES",
        "cellgenix.example.org",
    )


def test_create_organisation_is_audited():
    founder = make_user()

    organisation = organisations.create_organisation(
        by=founder, now=NOW, legal_name="Acme SL", kind="startup", country="ES", city="Bilbao"
    )

    entries = audit_trail("organisation.created")
    assert [(e.actor_id, e.object_type, e.object_id, e.created_at) for e in entries] == [
        (founder.id, "organisation", organisation.id, NOW)
    ]


def test_create_organisation_refuses_a_duplicate_vat_id_written_differently():
    make_organisation(vat_id="ESB12345678")
    founder = make_user()

    with pytest.raises(organisations.VatIdTaken) as refusal:
        organisations.create_organisation(
            by=founder,
            now=NOW,
            legal_name="Copycat SL",
            kind="startup",
            vat_id="esb 12345678",
            country="ES",
            city="Madrid",
        )

    assert str(refusal.value) == VAT_TAKEN
    assert founder.organisation_id is None
    assert db.session.scalar(select(func.count(Organisation.id))) == 1


def test_create_organisation_allows_several_without_a_vat_id():
    make_organisation(vat_id=None)
    founder = make_user()

    organisation = organisations.create_organisation(
        by=founder,
        now=NOW,
        legal_name="Lab group",
        kind="research_group",
        vat_id="",
        country="ES",
        city="Valencia",
    )

    assert organisation.vat_id is None


def test_create_organisation_is_not_allowed_to_a_member_of_another():
    member = make_user(organisation=make_organisation())

    with pytest.raises(NotAllowed):
        organisations.create_organisation(
            by=member, now=NOW, legal_name="Second SL", kind="startup", country="ES", city="Vigo"
        )


def test_update_organisation_is_not_allowed_to_a_non_member():
    organisation = make_organisation(legal_name="Acme SL")
    outsider = make_user(organisation=make_organisation())

    with pytest.raises(NotAllowed):
        organisations.update_organisation(organisation, by=outsider, now=NOW, legal_name="Mine")

    assert organisation.legal_name == "Acme SL"


# --- invitations, through the service ------------------------------------------------------


def test_invite_to_organisation_emails_a_join_link_and_is_audited():
    organisation = make_organisation(legal_name="Acme SL")
    member = make_user(name="Ana Puig", organisation=organisation)

    organisations.invite_to_organisation(
        organisation, email="Colleague@Example.org", by=member, now=NOW
    )

    (message,) = emails_to("colleague@example.org")
    assert message.subject == "Ana Puig invites you to join Acme SL"
    assert link_in(message).startswith("http://127.0.0.1:5000/organisations/join/")
    entries = audit_trail("organisation.member_invited")
    assert [(e.actor_id, e.object_id, e.details) for e in entries] == [
        (member.id, organisation.id, {"email": "colleague@example.org"})
    ]


def test_invite_to_organisation_is_not_allowed_to_a_non_member():
    organisation = make_organisation()
    outsider = make_user(Role.PROGRAMME_MANAGER)

    with pytest.raises(NotAllowed):
        organisations.invite_to_organisation(
            organisation, email="friend@example.org", by=outsider, now=NOW
        )

    assert emails_to("friend@example.org") == []


def test_accept_invitation_joins_the_organisation():
    organisation = make_organisation()
    member = make_user(organisation=organisation)
    colleague = make_user(email="colleague@example.org")
    token = invite(organisation, "colleague@example.org", by=member)

    joined = organisations.accept_invitation(token, by=colleague, now=NOW + timedelta(days=1))

    assert joined.id == organisation.id
    assert colleague.organisation_id == organisation.id
    invitation = db.session.scalars(select(OrganisationInvitation)).one()
    assert (invitation.accepted_at, invitation.accepted_by_id) == (
        NOW + timedelta(days=1),
        colleague.id,
    )
    assert [e.actor_id for e in audit_trail("organisation.member_joined")] == [colleague.id]


def test_accept_invitation_is_refused_to_another_email():
    organisation = make_organisation()
    member = make_user(organisation=organisation)
    stranger = make_user(email="stranger@example.org")
    token = invite(organisation, "colleague@example.org", by=member)

    with pytest.raises(InvitationForSomeoneElse) as refusal:
        organisations.accept_invitation(token, by=stranger, now=NOW)

    assert str(refusal.value) == (
        "This invitation was sent to colleague@example.org; sign in with that address to accept it."
    )
    assert stranger.organisation_id is None


def test_accept_invitation_is_refused_when_already_accepted():
    organisation = make_organisation()
    member = make_user(organisation=organisation)
    colleague = make_user(email="colleague@example.org")
    token = invite(organisation, "colleague@example.org", by=member)
    organisations.accept_invitation(token, by=colleague, now=NOW)

    with pytest.raises(LinkAlreadyUsed):
        organisations.accept_invitation(token, by=colleague, now=NOW)


def test_accept_invitation_is_refused_to_a_member_of_another_organisation():
    organisation = make_organisation()
    member = make_user(organisation=organisation)
    elsewhere = make_organisation()
    colleague = make_user(email="colleague@example.org", organisation=elsewhere)
    token = invite(organisation, "colleague@example.org", by=member)

    with pytest.raises(organisations.AlreadyInOrganisation):
        organisations.accept_invitation(token, by=colleague, now=NOW)

    assert colleague.organisation_id == elsewhere.id


def test_accept_invitation_is_refused_after_7_days():
    organisation = make_organisation()
    member = make_user(organisation=organisation)
    colleague = make_user(email="colleague@example.org")
    token = invite(organisation, "colleague@example.org", by=member)

    with pytest.raises(ExpiredToken):
        organisations.accept_invitation(token, by=colleague, now=NOW + timedelta(days=7, seconds=1))

    assert colleague.organisation_id is None


# --- through the pages ------------------------------------------------------------------------


def test_create_page_creates_the_organisation_with_the_creator_as_member(client):
    founder = make_user()
    sign_in(client, founder)

    response = post_form(client, "/organisations/new", organisation_fields())

    organisation = db.session.scalars(select(Organisation)).one()
    assert (response.status_code, response.location) == (
        302,
        f"/organisations/{organisation.id}",
    )
    assert flashes(client) == [("success", "Cellgenix Therapeutics SL is created.")]
    assert founder.organisation_id == organisation.id
    assert (organisation.kind, organisation.founding_year) == (OrganisationKind.SPIN_OFF, 2019)
    assert [e.actor_id for e in audit_trail("organisation.created")] == [founder.id]


def test_create_page_refuses_a_duplicate_vat_id_next_to_the_field(client):
    make_organisation(vat_id="ESB12345678")
    founder = make_user()
    sign_in(client, founder)

    response = post_form(client, "/organisations/new", organisation_fields(vat_id="esb12345678"))

    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "vat_id") == [VAT_TAKEN]
    assert founder.organisation_id is None


def test_edit_page_refuses_a_vat_id_of_another_organisation_next_to_the_field(client):
    make_organisation(vat_id="ESB11111111")
    organisation = make_organisation(vat_id="ESB22222222")
    sign_in(client, make_user(organisation=organisation))
    path = f"/organisations/{organisation.id}/edit"

    response = post_form(client, path, organisation_fields(vat_id="ESB11111111"))

    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "vat_id") == [VAT_TAKEN]
    assert organisation.vat_id == "ESB22222222"


def test_edit_page_saves_a_members_changes(client):
    organisation = make_organisation(legal_name="Old name SL")
    member = make_user(organisation=organisation)
    sign_in(client, member)
    path = f"/organisations/{organisation.id}/edit"

    response = post_form(client, path, organisation_fields(legal_name="New name SL"))

    assert (response.status_code, response.location) == (302, f"/organisations/{organisation.id}")
    assert organisation.legal_name == "New name SL"
    assert [e.actor_id for e in audit_trail("organisation.updated")] == [member.id]


def test_create_page_is_forbidden_to_a_member_of_an_organisation(client):
    sign_in(client, make_user(organisation=make_organisation()))

    assert client.get("/organisations/new").status_code == 403


def test_invite_form_emails_a_link_that_lets_the_colleague_join(client):
    organisation = make_organisation(legal_name="Acme SL")
    member = make_user(name="Ana Puig", organisation=organisation)
    colleague = make_user(email="colleague@example.org")
    sign_in(client, member)

    invited = post_form(
        client,
        f"/organisations/{organisation.id}/invitations",
        {"email": "colleague@example.org"},
        page=f"/organisations/{organisation.id}",
    )
    (message,) = emails_to("colleague@example.org")
    join_path = path_of(link_in(message))
    sign_in(client, colleague)
    join_page = client.get(join_path)
    joined = post_form(client, join_path, {})

    assert (invited.status_code, invited.location) == (302, f"/organisations/{organisation.id}")
    assert join_page.status_code == 200
    assert "Ana Puig invited colleague@example.org" in join_page.get_data(as_text=True)
    assert (joined.status_code, joined.location) == (302, f"/organisations/{organisation.id}")
    assert flashes(client) == [("success", "You are now a member of Acme SL.")]
    assert colleague.organisation_id == organisation.id
    assert client.get(f"/organisations/{organisation.id}").status_code == 200


def test_join_page_refuses_someone_the_invitation_was_not_sent_to(client):
    organisation = make_organisation()
    member = make_user(organisation=organisation)
    stranger = make_user(email="stranger@example.org")
    token = invite(organisation, "colleague@example.org", by=member, now=utcnow())
    sign_in(client, stranger)

    response = post_form(client, f"/organisations/join/{token}", {})

    assert (response.status_code, response.location) == (302, "/dashboard")
    assert flashes(client) == [
        (
            "error",
            "This invitation was sent to colleague@example.org; "
            "sign in with that address to accept it.",
        )
    ]
    assert stranger.organisation_id is None
    assert client.get(f"/organisations/{organisation.id}").status_code == 403


def test_join_page_sends_an_anonymous_visitor_to_sign_in(client):
    organisation = make_organisation()
    member = make_user(organisation=organisation)
    token = invite(organisation, "colleague@example.org", by=member, now=utcnow())

    response = client.get(f"/organisations/join/{token}")

    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("GET", ""), ("GET", "/edit"), ("POST", "/edit"), ("POST", "/invitations")],
    ids=["view", "edit-page", "edit", "invite"],
)
def test_organisation_pages_are_forbidden_to_a_member_of_another(client, method, suffix):
    theirs = make_organisation(legal_name="Secret Bio SL", vat_id="ESB99999999")
    make_user(name="Their Member", organisation=theirs)
    outsider = make_user(organisation=make_organisation())
    sign_in(client, outsider)
    path = f"/organisations/{theirs.id}{suffix}"

    if method == "GET":
        response = client.get(path)
    else:
        data = {**organisation_fields(legal_name="Hijacked SL"), "email": "me@example.org"}
        response = post_form(client, path, data, page="/profile")

    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "Secret Bio SL" not in page
    assert "Their Member" not in page
    assert theirs.legal_name == "Secret Bio SL"
    assert emails_to("me@example.org") == []


def test_organisation_page_is_forbidden_to_someone_without_an_organisation(client):
    theirs = make_organisation()
    sign_in(client, make_user())

    assert client.get(f"/organisations/{theirs.id}").status_code == 403


def test_organisation_page_shows_members_and_edit_link_to_a_member(client):
    organisation = make_organisation()
    member = make_user(name="Ana Puig", organisation=organisation)
    sign_in(client, member)

    page = client.get(f"/organisations/{organisation.id}").get_data(as_text=True)

    assert f'href="/organisations/{organisation.id}/edit"' in page
    assert f"Ana Puig &lt;{member.email}&gt;" in page
    assert 'name="email"' in page


def test_organisation_page_lets_a_manager_view_but_not_invite(client):
    organisation = make_organisation()
    sign_in(client, make_user(Role.PROGRAMME_MANAGER))

    response = client.get(f"/organisations/{organisation.id}")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'action="/organisations/{organisation.id}/invitations"' not in page


def test_profile_links_only_to_the_users_own_organisation(client):
    mine = make_organisation()
    theirs = make_organisation()
    sign_in(client, make_user(organisation=mine))

    page = client.get("/profile").get_data(as_text=True)

    assert f'href="/organisations/{mine.id}"' in page
    assert f'href="/organisations/{theirs.id}"' not in page
