"""Blind review: the review page hides who applies (organisation, city, website, people's names
and emails, attachment file names); an open review shows them."""

import pytest
from flask import current_app

from accelerator.applications import services as application_services
from accelerator.applications.attachments import add_attachment
from accelerator.applications.enums import ApplicationStatus, AttachmentKind
from accelerator.core.clock import utcnow
from accelerator.extensions import db
from tests.conftest import sign_in
from tests.factories import PDF_BYTES, make_application, make_organisation, make_user
from tests.reviews.reviewing_helpers import assign, make_reviewer, review_call

LEGAL_NAME = "Helixa Therapeutics SL"
CITY = "Girona"
WEBSITE = "https://helixa-therapeutics.example.com"
PEOPLE = [
    ("Marta Vilanova", "marta.vilanova@helixa-therapeutics.example.com"),
    ("Jordi Puigdemunt", "jordi.puigdemunt@helixa-therapeutics.example.com"),
]
FILENAME = "Helixa_confidential_deck.pdf"
IDENTITY = [LEGAL_NAME, CITY, WEBSITE, *[value for person in PEOPLE for value in person], FILENAME]


def _identified_application(call):
    """An eligible application whose organisation, people and deck all carry identity."""
    organisation = make_organisation(legal_name=LEGAL_NAME, city=CITY, website=WEBSITE)
    member, _colleague = (
        make_user(name=name, email=email, organisation=organisation) for name, email in PEOPLE
    )
    now = utcnow()
    with current_app.test_request_context():  # the receipt email builds links
        application = make_application(call, member=member, complete=True)
        add_attachment(
            application,
            kind=AttachmentKind.PITCH_DECK,
            filename=FILENAME,
            content=PDF_BYTES,
            by=member,
            now=now,
        )
        application_services.submit_application(application, by=member, now=now)
    application.status = ApplicationStatus.ELIGIBLE
    db.session.commit()
    return application


@pytest.fixture
def setup(app):
    """Returns a function (blind) -> (signed-in reviewer client, assignment, attachment id)."""

    def build(blind: bool):
        call = review_call(blind_review=blind)
        application = _identified_application(call)
        reviewer = make_reviewer()
        assignment = assign(application, reviewer)
        [attachment] = application_services.attachments_of(application)
        client = app.test_client()
        sign_in(client, reviewer)
        return client, assignment, attachment.id

    return build


def test_blind_review_page_hides_each_identity_field(setup):
    client, assignment, _attachment_id = setup(blind=True)

    response = client.get(f"/reviews/{assignment.id}")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert [value for value in IDENTITY if value in page] == []


def test_blind_review_page_still_shows_the_application_and_says_it_is_blind(setup):
    client, assignment, _attachment_id = setup(blind=True)

    page = client.get(f"/reviews/{assignment.id}").get_data(as_text=True)

    assert "AAV gene therapy for retinitis pigmentosa" in page
    assert "A subretinal AAV8 vector restoring RPGR expression." in page
    assert "Blind review: the applicants' identity is hidden" in page
    assert ">Pitch deck 1</a>" in page


def test_open_review_page_shows_each_identity_field(setup):
    client, assignment, _attachment_id = setup(blind=False)

    page = client.get(f"/reviews/{assignment.id}").get_data(as_text=True)

    assert [value for value in IDENTITY if value not in page] == []
    assert "Blind review" not in page


def test_blind_review_attachment_downloads_under_a_generic_name(setup):
    client, assignment, attachment_id = setup(blind=True)

    with client.get(f"/reviews/{assignment.id}/attachments/{attachment_id}") as response:
        assert response.status_code == 200
        assert response.headers["Content-Disposition"] == (
            f"attachment; filename=pitch_deck-{attachment_id}.pdf"
        )
        assert (
            response.get_data()[:5] == b"%PDF-"
        )  # a copy without metadata: see test_blind_downloads


def test_open_review_attachment_downloads_under_its_own_name(setup):
    client, assignment, attachment_id = setup(blind=False)

    with client.get(f"/reviews/{assignment.id}/attachments/{attachment_id}") as response:
        assert response.status_code == 200
        assert response.headers["Content-Disposition"] == f"attachment; filename={FILENAME}"
