"""Point 12h: email domains are compared by what their owner registered, per the bundled public
suffix list, so a hospital's subdomain matches the university, but two agencies under gob.es
do not match each other.
"""

import pytest

from accelerator.reviews.conflicts import conflicts_in_call, email_domain
from accelerator.reviews.enums import ConflictSource
from tests.factories import make_call, make_organisation, make_user
from tests.reviews.conftest import make_reviewable, make_reviewer


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("doctor@clinic.ub.edu", "ub.edu"),
        ("dean@UB.edu", "ub.edu"),
        ("clerk@a.gob.es", "a.gob.es"),
        ("founder@spinout.co.uk", "spinout.co.uk"),
        ("someone@gob.es", None),
        ("friend@mail.gmail.com", None),
    ],
)
def test_email_domain_is_the_registrable_domain(email, expected):
    assert email_domain(email) == expected


def make_applicant_at(call, domain: str):
    organisation = make_organisation(email_domain=domain)
    member = make_user(organisation=organisation, email=f"founder@{domain}")
    return make_reviewable(call, member=member)


@pytest.mark.parametrize(
    ("organisation_domain", "reviewer_email"),
    [("ub.edu", "doctor@clinic.ub.edu"), ("lab.ub.edu", "dean@ub.edu")],
)
def test_domain_conflict_12h_a_subdomain_conflicts_with_its_registrable_domain(
    app, organisation_domain, reviewer_email
):
    call = make_call()
    application = make_applicant_at(call, organisation_domain)
    reviewer = make_reviewer(email=reviewer_email)

    assert conflicts_in_call(call.id) == {
        (reviewer.id, application.id): {ConflictSource.SAME_EMAIL_DOMAIN}
    }


def test_domain_conflict_12h_siblings_under_a_public_suffix_do_not_conflict(app):
    call = make_call()
    make_applicant_at(call, "a.gob.es")
    make_reviewer(email="officer@b.gob.es")

    assert conflicts_in_call(call.id) == {}
