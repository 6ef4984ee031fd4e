"""A person's own profile: name and expertise tags."""

import re

import pytest

from accelerator.accounts import services
from accelerator.core.errors import DomainError
from tests.accounts.conftest import NOW, audit_trail, flashes
from tests.conftest import post_form, sign_in
from tests.factories import make_user


def test_update_profile_saves_name_and_expertise_and_is_audited():
    user = make_user(name="Old Name")

    services.update_profile(
        user, name=" Ana Puig ", expertise=["topic:ip", "area:oncology", "topic:ip"], now=NOW
    )

    assert user.name == "Ana Puig"
    assert services.expertise_of(user) == ["area:oncology", "topic:ip"]
    assert [(e.actor_id, e.object_id) for e in audit_trail("user.profile_updated")] == [
        (user.id, user.id)
    ]


def test_update_profile_replaces_the_previous_expertise():
    user = make_user()
    services.update_profile(user, name="Ana", expertise=["area:oncology"], now=NOW)

    services.update_profile(user, name="Ana", expertise=["class:gene_therapy"], now=NOW)

    assert services.expertise_of(user) == ["class:gene_therapy"]


def test_update_profile_refuses_an_unknown_tag():
    user = make_user()

    with pytest.raises(DomainError) as refusal:
        services.update_profile(user, name="Ana", expertise=["area:astrology"], now=NOW)

    assert str(refusal.value) == "Unknown expertise: area:astrology"
    assert services.expertise_of(user) == []


def test_profile_page_saves_and_shows_the_choices_again(client):
    user = make_user(name="Old Name")
    sign_in(client, user)

    response = post_form(
        client, "/profile", {"name": "Ana Puig", "expertise": ["topic:regulatory", "topic:ip"]}
    )
    page = client.get("/profile").get_data(as_text=True)

    assert (response.status_code, response.location) == (302, "/profile")
    assert user.name == "Ana Puig"
    assert services.expertise_of(user) == ["topic:ip", "topic:regulatory"]
    assert 'value="Ana Puig"' in page
    assert re.findall(
        r'<input checked [^>]*name="expertise" type="checkbox" value="([\w:]+)"', page
    ) == [
        "topic:regulatory",
        "topic:ip",
    ]


def test_profile_page_shows_the_saved_message(client):
    sign_in(client, make_user())

    post_form(client, "/profile", {"name": "Ana Puig"})

    assert flashes(client) == [("success", "Your profile is saved.")]


def test_profile_page_sends_an_anonymous_visitor_to_sign_in(client):
    response = client.get("/profile")

    assert (response.status_code, response.location) == (302, "/login?next=%2Fprofile")
