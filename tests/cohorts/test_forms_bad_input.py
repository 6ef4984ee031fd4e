"""Bad input re-renders the form with a message next to each field; nothing is saved."""

from sqlalchemy import func, select

from accelerator.cohorts.models import KPIReport, Milestone
from accelerator.extensions import db
from tests.cohorts.conftest import field_errors, make_project, member_of
from tests.conftest import post_form, sign_in

REPORT = {
    "year": "2025",
    "quarter": "1",
    "funding_raised": "0",
    "headcount": "3",
    "patents_filed": "0",
    "regulatory_milestones": "",
    "clinical_trial_status": "none",
    "save": "Save draft",
}


def _project_page(client, path: str):
    member = member_of()
    project = make_project(member=member)
    sign_in(client, member)
    return project, f"/projects/{project.id}/{path}"


def test_kpi_report_quarter_five_gets_a_message_next_to_the_quarter(client):
    _project, url = _project_page(client, "reports/new")

    response = post_form(client, url, {**REPORT, "quarter": "5"})

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_errors(page, "quarter") == ["Choose a quarter from Q1 to Q4."]
    assert "Nothing was saved: please correct the fields marked below." in page
    assert db.session.scalar(select(func.count(KPIReport.id))) == 0


def test_kpi_report_negative_headcount_gets_a_message_next_to_the_headcount(client):
    _project, url = _project_page(client, "reports/new")

    page = post_form(client, url, {**REPORT, "headcount": "-2"}).get_data(as_text=True)

    assert field_errors(page, "headcount") == ["Enter a whole number ≥ 0."]
    assert db.session.scalar(select(func.count(KPIReport.id))) == 0


def test_kpi_report_several_bad_fields_each_get_their_message(client):
    _project, url = _project_page(client, "reports/new")

    page = post_form(
        client,
        url,
        {**REPORT, "year": "", "funding_raised": "-5", "patents_filed": "two"},
    ).get_data(as_text=True)

    assert field_errors(page, "year") == ["Enter the year."]
    assert field_errors(page, "funding_raised") == ["Enter an amount ≥ 0."]
    assert field_errors(page, "patents_filed") == ["Not a valid integer value."]


def test_kpi_report_future_quarter_gets_a_message_next_to_the_quarter(client):
    _project, url = _project_page(client, "reports/new")

    page = post_form(client, url, {**REPORT, "year": "2099"}).get_data(as_text=True)

    assert field_errors(page, "quarter") == [
        "2099 Q1 has not begun yet: report on a quarter that has started."
    ]


def test_trl_twelve_gets_a_message_next_to_the_trl(client):
    project, url = _project_page(client, "trl")

    response = post_form(client, url, {"trl": "12", "note": ""})

    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "trl") == ["Between 1 and 9."]
    db.session.expire_all()
    assert project.current_trl == 4


def test_trl_unchanged_gets_a_message_next_to_the_trl(client):
    _project, url = _project_page(client, "trl")

    page = post_form(client, url, {"trl": "4"}).get_data(as_text=True)

    assert field_errors(page, "trl") == ["The project is at TRL 4 already."]


def test_milestone_without_due_date_gets_a_message_next_to_the_due_date(client):
    _project, url = _project_page(client, "milestones/new")

    response = post_form(
        client, url, {"title": "Pre-CTA meeting", "due_date": "", "status": "planned"}
    )

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_errors(page, "due_date") == ["Enter the due date."]
    assert 'value="Pre-CTA meeting"' in page  # what was typed stays
    assert db.session.scalar(select(func.count(Milestone.id))) == 0


def test_milestone_without_title_and_bad_status_get_their_messages(client):
    _project, url = _project_page(client, "milestones/new")

    page = post_form(
        client, url, {"title": " ", "due_date": "2030-01-01", "status": "forgotten"}
    ).get_data(as_text=True)

    assert field_errors(page, "title") == ["Give the milestone a title."]
    assert field_errors(page, "status") == ["Not a valid choice."]


def test_project_forms_without_csrf_token_are_refused(client):
    project, url = _project_page(client, "trl")

    response = client.post(url, data={"trl": "6"})

    assert response.status_code == 400
    db.session.expire_all()
    assert project.current_trl == 4
