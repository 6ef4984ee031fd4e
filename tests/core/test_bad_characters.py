import pytest

from accelerator.accounts.enums import Role
from accelerator.accounts.models import User
from accelerator.extensions import db
from tests.conftest import post_form, sign_in
from tests.factories import make_user


@pytest.mark.parametrize(
    "url",
    ["/users?q=a%00b", "/audit?actor=a%00b", "/login?next=/a%00b"],
)
def test_nul_byte_in_query_gets_the_400_page(client, url):
    sign_in(client, make_user(*Role))
    response = client.get(url)
    assert response.status_code == 400
    assert "not allowed" in response.get_data(as_text=True)


def test_nul_byte_in_registration_is_refused_and_nothing_is_created(client):
    response = post_form(
        client,
        "/register",
        {
            "name": "Ana\x00",
            "email": "ana@example.org",
            "password": "long enough password",
            "confirm": "long enough password",
        },
    )
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0
