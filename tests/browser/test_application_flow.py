"""An applicant drafts an application in a real browser, comes back, completes it, uploads a PDF
and submits; axe-core checks the form, the checklist and the applicant dashboard."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from accelerator.applications.models import Application
from accelerator.core.models import OutboxMessage
from accelerator.extensions import db
from tests.browser.test_accessibility import report, serious_violations
from tests.factories import PASSWORD, PDF_BYTES, make_call, make_organisation, make_user

EDIT_PATH = re.compile(r"/applications/(\d+)/edit")
SUMMARY = "A subretinal AAV8 vector restoring RPGR expression."

# Label → value for every required text field the applicant completes on the second visit.
TEXTS = {
    "Acronym": "RETIGENE",
    "Unmet medical need": "No approved therapy exists for X-linked retinitis pigmentosa.",
    "Innovation and science": "A codon-optimised RPGR cassette.",
    "Development and regulatory plan": "GLP toxicology, then a phase I/II trial.",
    "Team": "Two clinicians and a vector scientist.",
    "Use of the programme": "Regulatory mentoring and vector suite time.",
    "Target indication": "X-linked retinitis pigmentosa",
    "Technology readiness level (TRL)": "4",
    "Funding raised to date (EUR)": "1200000",
    "Funding sought (EUR)": "2500000",
}
# Label → visible option text for every required select.
CHOICES = {
    "ATMP class": "Gene therapy medicinal product",
    "Cell or vector source": "In vivo vector",
    "Therapeutic area": "Ophthalmology",
    "Development stage": "Preclinical proof of concept",
    "GMP readiness": "Process in development",
    "Manufacturing": "CDMO",
    "IP status": "Patent application filed",
}


@pytest.fixture
def applicant():
    return make_user(
        email="marta@retigene.example.org",
        name="Marta Puig",
        organisation=make_organisation(legal_name="Retigene SL"),
    )


@pytest.fixture
def call():
    return make_call(title="ATMP Catalyst 2031")


def sign_in(page, user, *, path="/login"):
    """Signs in through the login form at path (None: the page already shows the form)."""
    if path is not None:
        page.goto(path)
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("status").first).to_contain_text(f"Welcome, {user.name}.")


def start_application(page, call) -> int:
    """From the public call page, starts (or continues) the application; returns its id."""
    if urlsplit(page.url).path != f"/calls/{call.id}":
        page.goto(f"/calls/{call.id}")
    page.get_by_role("button", name="Start or continue your application").click()
    expect(page).to_have_url(EDIT_PATH)
    return int(EDIT_PATH.search(page.url).group(1))


def answer_eligibility(page, call) -> None:
    """Gives each eligibility question its qualifying answer, as the applicant would."""
    for question in call.eligibility_questions:
        group = page.get_by_role("group", name=question.text)
        group.get_by_label("Yes" if question.qualifying_answer else "No", exact=True).check()


def checklist(page):
    return page.get_by_role("region", name="Checklist")


def test_applicant_drafts_comes_back_completes_uploads_and_submits(page, applicant, call, tmp_path):
    # Anonymous on the call page: the sign-in link brings the applicant back to the call.
    page.goto(f"/calls/{call.id}")
    page.get_by_role("link", name="or sign in").click()
    expect(page).to_have_url(re.compile(rf"/login\?next=/calls/{call.id}$"))
    sign_in(page, applicant, path=None)
    assert urlsplit(page.url).path == f"/calls/{call.id}"

    application_id = start_application(page, call)
    expect(page.get_by_role("heading", level=1)).to_have_text("Application to ATMP Catalyst 2031")

    # First visit: only the title and the summary; the counter follows the typing.
    page.get_by_label("Project title").fill("AAV gene therapy for retinitis pigmentosa")
    summary = page.get_by_label("Public summary")
    expect(summary).to_have_accessible_description(re.compile(r"0 / 1000 characters"))
    summary.press_sequentially("A subretinal")
    expect(summary).to_have_accessible_description(re.compile(r"12 / 1000 characters"))
    summary.fill(SUMMARY)
    expect(page.locator("#summary-count")).to_have_text(f"{len(SUMMARY)} / 1000 characters")
    page.get_by_role("button", name="Save draft").click()

    expect(page).to_have_url(re.compile(rf"/applications/{application_id}$"))
    expect(page.get_by_role("status").first).to_have_text("Draft saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "AAV gene therapy for retinitis pigmentosa"
    )
    missing = checklist(page).get_by_role("listitem")
    for item in (*TEXTS, *CHOICES, "Pitch deck (PDF)"):
        label = item.removesuffix(" (EUR)").removesuffix(" (TRL)")
        expect(missing.filter(has_text=label)).to_have_count(1)
    for question in call.eligibility_questions:
        expect(missing.filter(has_text=f"Eligibility: {question.text}")).to_have_count(1)
    expect(missing.filter(has_text="Project title")).to_have_count(0)
    expect(missing.filter(has_text="Public summary")).to_have_count(0)

    # Leave, then come back from the dashboard.
    page.goto("/applications")
    row = page.get_by_role("row").filter(has_text="AAV gene therapy for retinitis pigmentosa")
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell").nth(1)).to_have_text("ATMP Catalyst 2031")
    expect(row.get_by_role("cell").nth(2)).to_have_text("Draft")
    row.get_by_role("link", name="AAV gene therapy for retinitis pigmentosa").click()
    expect(page).to_have_url(re.compile(rf"/applications/{application_id}$"))

    # Second visit: what was saved is still there; complete the rest.
    page.get_by_role("link", name="Edit application").click()
    expect(page).to_have_url(re.compile(rf"/applications/{application_id}/edit$"))
    expect(page.get_by_label("Project title")).to_have_value(
        "AAV gene therapy for retinitis pigmentosa"
    )
    expect(page.get_by_label("Public summary")).to_have_value(SUMMARY)
    expect(page.locator("#summary-count")).to_have_text(f"{len(SUMMARY)} / 1000 characters")
    for label, value in TEXTS.items():
        page.get_by_label(label, exact=True).fill(value)
    for label, option in CHOICES.items():
        page.get_by_label(label, exact=True).select_option(label=option)
    page.get_by_label("Orphan designation").select_option(label="Planned")
    page.get_by_label("Regulatory (EMA/CAT, AEMPS)").check()
    page.get_by_label("Viral vector suite").check()
    answer_eligibility(page, call)
    page.get_by_role("button", name="Save draft").click()

    expect(page.get_by_role("status").first).to_have_text("Draft saved.")
    expect(checklist(page).get_by_role("listitem")).to_have_text(["Pitch deck (PDF)"])

    # Upload the pitch deck: the checklist is then complete.
    deck = tmp_path / "retigene-deck.pdf"
    deck.write_bytes(PDF_BYTES)
    page.get_by_label("Document", exact=True).select_option(label="Pitch deck")
    page.get_by_label("PDF file").set_input_files(deck)
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status").first).to_have_text("retigene-deck.pdf is uploaded.")
    expect(page.get_by_role("link", name="retigene-deck.pdf")).to_be_visible()
    expect(checklist(page)).to_contain_text("Everything required is filled in.")

    page.get_by_role("button", name="Submit application").click()

    expect(page).to_have_url(re.compile(rf"/applications/{application_id}/submissions/1$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Receipt: submission 1")
    expect(page.get_by_role("status").first).to_have_text(
        "Submitted. A receipt is on its way to marta@retigene.example.org."
    )
    expect(page.get_by_text("retigene-deck.pdf")).to_be_visible()

    # The server's record: submitted, snapshot kept, receipt queued for the applicant.
    db.session.expire_all()
    application = db.session.get(Application, application_id)
    assert application.status.value == "submitted"
    assert application.organisation_id == applicant.organisation_id
    assert application.trl == 4
    assert application.funding_sought_cents == 250_000_000
    receipts = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == applicant.email)
    ).all()
    assert [message.subject for message in receipts] == [
        "Receipt: AAV gene therapy for retinitis pigmentosa submitted to ATMP Catalyst 2031"
    ]

    # The dashboard now shows it as submitted.
    page.goto("/applications")
    row = page.get_by_role("row").filter(has_text="AAV gene therapy for retinitis pigmentosa")
    expect(row.get_by_role("cell").nth(2)).to_have_text("Submitted")


def test_application_pages_have_no_serious_accessibility_violations(page, applicant, call):
    sign_in(page, applicant)
    application_id = start_application(page, call)

    # The form as first opened, with the character counters added by the script.
    expect(page.locator("#summary-count")).to_have_text("0 / 1000 characters")
    violations = serious_violations(page)
    assert violations == [], report(violations)

    # The form with a validation error shown.
    page.get_by_label("Project title").fill("Islet encapsulation")
    page.get_by_label("Technology readiness level (TRL)").fill("12")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("alert").first).to_have_text(
        "Nothing was saved: please correct the fields marked below."
    )
    trl = page.get_by_label("Technology readiness level (TRL)")
    expect(trl).to_have_attribute("aria-invalid", "true")
    expect(trl).to_have_accessible_description(re.compile("Between 1 and 9."))
    violations = serious_violations(page)
    assert violations == [], report(violations)

    # The checklist page, after a draft is saved.
    trl.fill("3")
    page.get_by_role("button", name="Save draft").click()
    expect(page).to_have_url(re.compile(rf"/applications/{application_id}$"))
    expect(checklist(page).get_by_role("listitem").first).to_be_visible()
    violations = serious_violations(page)
    assert violations == [], report(violations)

    # The applicant dashboard.
    page.goto("/applications")
    expect(page.get_by_role("link", name="Islet encapsulation")).to_be_visible()
    violations = serious_violations(page)
    assert violations == [], report(violations)
