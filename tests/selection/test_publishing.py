"""Decision letters per outcome, edited and previewed, then sent once to every member."""

import html
import re

import pytest
from sqlalchemy import select

from accelerator.accounts.models import User
from accelerator.applications.enums import ApplicationStatus
from accelerator.calls.enums import CallStatus
from accelerator.cohorts.enums import ProjectStatus
from accelerator.cohorts.models import Project
from accelerator.core.clock import utcnow
from accelerator.extensions import db
from accelerator.selection.enums import Outcome
from accelerator.selection.publishing import (
    DEFAULT_LETTERS,
    fill,
    first_member,
    letters_of,
    publish_results,
    save_letter,
)
from accelerator.selection.readiness import (
    AlreadyPublished,
    UndecidedApplications,
)
from tests.conftest import csrf_token_from, sign_in
from tests.selection.conftest import results_page
from tests.selection.deciding_helpers import (
    audit_trail,
    end_review_phase,
    flashes,
    make_decidable,
    outbox_ids,
    outbox_since,
)

EDITED_BODY = (
    "Hola {name}: {project} ({organisation}) is in {call}. "
    "Keep {this}, {{name}} and {NAME} as written."
)


def letters_by_recipient(messages) -> dict[str, tuple[str, str]]:
    return {m.recipient: (m.subject, m.body_text.split("\n")[0]) for m in messages}


def email_of(name: str) -> str:
    return db.session.scalar(select(User.email).where(User.name == name))


def projects() -> list[Project]:
    db.session.expire_all()
    return list(db.session.scalars(select(Project).order_by(Project.id)))


def preview_card(page: str) -> list[str]:
    """The preview's lines as a person reads them: recipient, subject, then the body."""
    match = re.search(r'<div class="card"><div class="card-body">(.*?)</div></div>', page, re.S)
    assert match, "the page shows no preview"
    text = html.unescape(re.sub(r"<[^>]+>", "", match[1]))
    return [line.strip() for line in text.splitlines() if line.strip()]


def edit_letter(client, call, outcome: Outcome, *, subject: str, body: str):
    token = csrf_token_from(client.get(results_page(call)).get_data(as_text=True))
    return client.post(
        results_page(call),
        data={
            "outcome": outcome.value,
            f"{outcome.value}-csrf_token": token,
            f"{outcome.value}-subject": subject,
            f"{outcome.value}-body": body,
        },
    )


def test_letters_of_a_call_default_to_one_per_outcome(app, call):
    letters = letters_of(call, now=utcnow())
    db.session.commit()

    assert {outcome: (lt.subject, lt.body) for outcome, lt in letters.items()} == DEFAULT_LETTERS


def test_fill_replaces_the_placeholders_and_leaves_other_braces(app, call, decided):
    application = decided[Outcome.SELECTED]

    text = fill(EDITED_BODY, application=application, member=first_member(application))

    assert text == (
        "Hola Núria Puig: AAV gene therapy for retinitis pigmentosa (Retigene SL) is in "
        "ATMP Catalyst 2031. Keep {this}, {Núria Puig} and {NAME} as written."
    )


def test_letter_edited_on_the_results_page_is_saved_and_audited(app, client, manager, call):
    sign_in(client, manager)

    response = edit_letter(
        client, call, Outcome.REJECTED, subject="  About {call}  ", body=EDITED_BODY
    )

    assert response.status_code == 302
    assert flashes(client) == [("success", "Letter saved.")]
    letters = letters_of(call, now=utcnow())
    assert (letters[Outcome.REJECTED].subject, letters[Outcome.REJECTED].body) == (
        "About {call}",
        EDITED_BODY,
    )
    assert (letters[Outcome.SELECTED].subject, letters[Outcome.SELECTED].body) == (
        DEFAULT_LETTERS[Outcome.SELECTED]
    )
    entries = audit_trail("call.letter_saved")
    assert [(e.actor_id, e.object_id, e.details) for e in entries] == [
        (manager.id, call.id, {"outcome": "rejected"})
    ]


def test_letter_without_a_body_is_not_saved(app, client, manager, call):
    sign_in(client, manager)

    response = edit_letter(client, call, Outcome.SELECTED, subject="Hello", body="   ")

    assert response.status_code == 200
    assert "Write the letter." in response.get_data(as_text=True)
    letter = letters_of(call, now=utcnow())[Outcome.SELECTED]
    assert (letter.subject, letter.body) == DEFAULT_LETTERS[Outcome.SELECTED]


def test_preview_shows_the_letter_filled_for_the_chosen_applicant(
    app, client, manager, call, decided
):
    sign_in(client, manager)
    edit_letter(client, call, Outcome.WAITLISTED, subject="{call}: waiting list", body=EDITED_BODY)
    waitlisted = decided[Outcome.WAITLISTED]

    page = client.get(f"{results_page(call)}?application={waitlisted.id}").get_data(as_text=True)

    assert preview_card(page) == [
        f"To: Laia Vidal <{email_of('Laia Vidal')}>",
        "ATMP Catalyst 2031: waiting list",
        "Hola Laia Vidal: CAR-T for solid tumours (Cartcell SL) is in ATMP Catalyst "
        "2031. Keep {this}, {Laia Vidal} and {NAME} as written.",
    ]


def test_preview_without_a_choice_shows_the_first_decided_applicant(
    app, client, manager, call, decided
):
    sign_in(client, manager)

    page = client.get(results_page(call)).get_data(as_text=True)

    assert preview_card(page)[:3] == [
        f"To: Núria Puig <{email_of('Núria Puig')}>",
        "Your application to ATMP Catalyst 2031 is selected",
        "Dear Núria Puig,",
    ]


def test_publishing_with_an_undecided_application_in_review_is_refused(app, manager, call, decided):
    make_decidable(call, title="Still in review")
    before = outbox_ids()

    end_review_phase(call)
    with pytest.raises(UndecidedApplications) as refused:
        publish_results(call, by=manager, now=utcnow())
    db.session.rollback()

    assert str(refused.value) == "1 application(s) have no decision yet."
    assert outbox_since(before) == []
    assert call.results_published_at is None
    assert projects() == []


def test_publishing_sends_one_letter_to_each_member_of_each_decided_organisation(
    app, manager, call, decided
):
    before = outbox_ids()

    end_review_phase(call)
    sent = publish_results(call, by=manager, now=utcnow())

    assert sent == 6
    letters = outbox_since(before)
    assert len(letters) == 6
    selected = "Your application to ATMP Catalyst 2031 is selected"
    waitlisted = "Your application to ATMP Catalyst 2031 is on the waiting list"
    rejected = "Your application to ATMP Catalyst 2031"
    assert letters_by_recipient(letters) == {
        email_of("Núria Puig"): (selected, "Dear Núria Puig,"),
        email_of("Jordi Serra"): (selected, "Dear Jordi Serra,"),
        email_of("Laia Vidal"): (waitlisted, "Dear Laia Vidal,"),
        email_of("Marc Soler"): (rejected, "Dear Marc Soler,"),
        email_of("Anna Roca"): (rejected, "Dear Anna Roca,"),
        email_of("Pere Font"): (rejected, "Dear Pere Font,"),
    }


def test_published_letter_is_the_filled_template_with_a_link_to_the_result(
    app, manager, call, decided
):
    before = outbox_ids()

    end_review_phase(call)
    publish_results(call, by=manager, now=utcnow())

    application = decided[Outcome.SELECTED]
    letter = next(m for m in outbox_since(before) if m.recipient == email_of("Jordi Serra"))
    assert letter.body_text == (
        "Dear Jordi Serra,\n\nWe are delighted to tell you that AAV gene therapy for retinitis "
        "pigmentosa of Retigene SL is selected for ATMP Catalyst 2031. The programme office will "
        "contact you about the kick-off, mentoring and lab access.\n\nThe reviewers' comments "
        "are on your application page.\n\n"
        f"http://127.0.0.1:5000/applications/{application.id}/result\n\n"
        "— The ATMP Catalyst programme office"
    )
    assert "board minute" not in letter.body_text


def test_publishing_sends_the_edited_letters(app, client, manager, call, decided):
    sign_in(client, manager)
    edit_letter(client, call, Outcome.SELECTED, subject="Welcome, {organisation}", body=EDITED_BODY)
    before = outbox_ids()

    end_review_phase(call)
    publish_results(call, by=manager, now=utcnow())

    letter = next(m for m in outbox_since(before) if m.recipient == email_of("Núria Puig"))
    assert letter.subject == "Welcome, Retigene SL"
    assert letter.body_text.split("\n")[0] == (
        "Hola Núria Puig: AAV gene therapy for retinitis pigmentosa (Retigene SL) is in "
        "ATMP Catalyst 2031. Keep {this}, {Núria Puig} and {NAME} as written."
    )


def test_publishing_twice_is_refused_and_sends_nothing_more(app, manager, call, decided):
    end_review_phase(call)
    publish_results(call, by=manager, now=utcnow())
    before = outbox_ids()

    end_review_phase(call)
    with pytest.raises(AlreadyPublished) as refused:
        publish_results(call, by=manager, now=utcnow())
    db.session.rollback()

    assert str(refused.value) == "The results of this call are already published."
    assert outbox_since(before) == []
    assert len(audit_trail("call.results_published")) == 1


def test_publishing_opens_the_results_decides_the_call_and_audits(app, manager, call, decided):
    moment = utcnow().replace(microsecond=0)

    end_review_phase(call)
    publish_results(call, by=manager, now=moment)

    db.session.expire_all()
    assert (call.results_published_at, call.status) == (moment, CallStatus.DECIDED)
    entries = audit_trail("call.results_published")
    assert [(e.actor_id, e.object_id, e.details) for e in entries] == [
        (manager.id, call.id, {"emails": 6})
    ]


def test_publishing_creates_a_project_for_each_selected_application_only(
    app, manager, call, decided
):
    end_review_phase(call)
    publish_results(call, by=manager, now=utcnow())

    application = decided[Outcome.SELECTED]
    assert [
        (
            p.application_id,
            p.call_id,
            p.organisation_id,
            p.cohort_year,
            p.title,
            p.acronym,
            p.atmp_class.value,
            p.therapeutic_area.value,
            p.entry_trl,
            p.current_trl,
            p.status,
        )
        for p in projects()
    ] == [
        (
            application.id,
            call.id,
            application.organisation_id,
            2031,
            "AAV gene therapy for retinitis pigmentosa",
            "RETIGENE",
            "gene_therapy",
            "ophthalmology",
            4,
            4,
            ProjectStatus.ACTIVE,
        )
    ]


def test_letter_saved_after_publishing_is_refused(app, manager, call, decided):
    end_review_phase(call)
    publish_results(call, by=manager, now=utcnow())

    with pytest.raises(AlreadyPublished) as refused:
        save_letter(
            call, Outcome.SELECTED, subject="Late", body="Too late", by=manager, now=utcnow()
        )

    assert str(refused.value) == "The results are published; the letters were sent."


def test_withdrawn_application_gets_no_letter_and_no_project(app, manager, call, decided):
    selected = decided[Outcome.SELECTED]
    selected.status = ApplicationStatus.WITHDRAWN
    db.session.commit()
    before = outbox_ids()

    end_review_phase(call)
    sent = publish_results(call, by=manager, now=utcnow())

    assert sent == 4
    assert sorted(m.recipient for m in outbox_since(before)) == sorted(
        email_of(name) for name in ("Laia Vidal", "Marc Soler", "Anna Roca", "Pere Font")
    )
    assert projects() == []
