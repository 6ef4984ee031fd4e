"""Huge or malformed numbers in every number field of the app, typed into its real page: the page
comes back (200) with the message next to the field, never a 500."""

from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

import pytest

from accelerator.accounts.enums import Role
from accelerator.core.clock import as_madrid, utcnow
from accelerator.mentoring.budget import programme_year_of
from tests.calls.conftest import call_form
from tests.cohorts.conftest import field_errors, make_project, member_of
from tests.conftest import csrf_token_from, sign_in
from tests.factories import make_application, make_call, make_user
from tests.labs.conftest import make_lab, make_lab_manager
from tests.mentoring.conftest import make_mentor

# What each bad value is to a field that reads decimals, and to one that reads whole numbers.
TOO_LARGE, TOO_SMALL, UNREADABLE, NOT_PLAIN = "too large", "too small", "unreadable", "not plain"
BAD_NUMBERS = {
    "1e999999": (TOO_LARGE, UNREADABLE),
    "-1e999999": (TOO_SMALL, UNREADABLE),
    "NaN": (NOT_PLAIN, UNREADABLE),
    "sNaN": (NOT_PLAIN, UNREADABLE),
    "Infinity": (NOT_PLAIN, UNREADABLE),
    "99999999999999999999": (TOO_LARGE, TOO_LARGE),
    "1,5": (UNREADABLE, UNREADABLE),
    "0x10": (UNREADABLE, UNREADABLE),
    "١٢": (NOT_PLAIN, NOT_PLAIN),
}


# --- the pages: each signs someone in and gives the form's address and valid data ---------


@dataclass
class NumberForm:
    url: str
    data: dict
    page: str | None = None  # the page holding the form, when it is not at its address
    get: bool = False  # a filter, sent as a query
    ids: dict = field(default_factory=dict)  # what the field's element id is made of


def _organisation(client):
    sign_in(client, make_user())
    data = {"legal_name": "Cellgenix SL", "kind": "startup", "country": "ES", "city": "Girona"}
    return NumberForm("/organisations/new", data)


def _new_call(client):
    sign_in(client, make_user(Role.PROGRAMME_MANAGER))
    return NumberForm("/manage/calls/new", call_form(selection_quota="4"))


def _rubric(client):
    sign_in(client, make_user(Role.PROGRAMME_MANAGER))
    call = make_call()
    data = {
        "criteria-0-name": "Excellence",
        "criteria-0-description": "",
        "criteria-0-weight": "100",
        "criteria-0-scale_max": "5",
    }
    return NumberForm(f"/manage/calls/{call.id}/rubric", data)


def _application(client):
    member = member_of()
    application = make_application(make_call(), member=member)
    sign_in(client, member)
    return NumberForm(f"/applications/{application.id}/edit", {"title": "Retina"})


def _project_page(path, data):
    def setup(client):
        member = member_of()
        project = make_project(member=member)
        sign_in(client, member)
        return NumberForm(f"/projects/{project.id}/{path}", data)

    return setup


_trl = _project_page("trl", {"trl": "5", "note": "Preclinical results."})
_kpi_report = _project_page(
    "reports/new",
    {
        "year": "2025",
        "quarter": "1",
        "funding_raised": "0",
        "headcount": "3",
        "patents_filed": "0",
        "clinical_trial_status": "none",
        "save": "Save draft",
    },
)


def _mentor_profile(client):
    sign_in(client, make_user(Role.MENTOR))
    data = {
        "languages": ["en"],
        "monthly_hour_limit": "8",
        "minimum_notice_hours": "48",
        "buffer_minutes": "15",
    }
    return NumberForm("/mentoring/profile", data)


def _slot_preview(client):
    sign_in(client, make_mentor().user)
    return NumberForm("/mentoring/availability", {"length": "60"}, get=True)


def _mentor_booking(client):
    member = member_of()
    project = make_project(member=member)
    mentor = make_mentor()
    sign_in(client, member)
    url = f"/mentoring/projects/{project.id}/mentors/{mentor.id}/book"
    return NumberForm(url, {"starts_at": "", "length": "60", "agenda": "EMA advice"})


def _mentoring_budget(client):
    project = make_project()
    sign_in(client, make_user(Role.PROGRAMME_MANAGER))
    year = programme_year_of(utcnow())
    return NumberForm(
        f"/mentoring/projects/{project.id}/budget",
        {"year": str(year), "hours": "20"},
        page=f"/mentoring/report?year={year}",
        ids={"project": project.id},
    )


def _resource_filter(client):
    sign_in(client, make_user(Role.LAB_MANAGER))
    monday = as_madrid(utcnow()).date() + timedelta(days=7)
    data = {"free_from": monday.isoformat(), "free_hours": "2"}
    return NumberForm("/labs/resources", data, get=True)


def _lab_manager_of_a_lab(client):
    lab = make_lab()
    sign_in(client, make_lab_manager(lab))
    return lab


def _new_resource(client):
    lab = _lab_manager_of_a_lab(client)
    data = {
        "name": "Clean room B2",
        "kind": "gmp_clean_room",
        "cleanroom_grade": "B",
        "booking_step_minutes": "30",
        "minimum_hours": "1.5",
        "maximum_hours": "8",
        "minimum_notice_hours": "48",
        "hourly_rate": "12.30",
    }
    return NumberForm(f"/labs/manage/labs/{lab.id}/resources/new", data)


def _new_training(client):
    lab = _lab_manager_of_a_lab(client)
    data = {"name": "Grade B gowning", "validity_months": "12"}
    return NumberForm(f"/labs/manage/labs/{lab.id}/trainings", data)


def _lab_quota(client):
    lab = make_lab()
    project = make_project()
    sign_in(client, make_user(Role.PROGRAMME_MANAGER))
    data = {"project_id": project.id, "lab_id": lab.id, "hours": "10"}
    return NumberForm("/labs/quotas", data, ids={"project": project.id, "lab": lab.id})


INTEGER, DECIMAL = "Not a valid integer value.", "Not a valid decimal value."


def _by_value(by_kind: dict, column: int) -> dict:
    return {value: by_kind[kinds[column]] for value, kinds in BAD_NUMBERS.items()}


def integer(out_of_range: str, *, unreadable: list[str] | None = None) -> dict:
    """The messages a whole-number field shows, per bad value."""
    by_kind = {
        UNREADABLE: unreadable or [INTEGER],
        NOT_PLAIN: [INTEGER],
        TOO_LARGE: [out_of_range],
    }
    return _by_value(by_kind, 1)


def ranged_integer(out_of_range: str) -> dict:
    """A whole-number field without readable_number: unreadable input also gets its range."""
    return integer(out_of_range, unreadable=[INTEGER, out_of_range])


def decimal(too_large: str, too_small: str | None = None, *, unreadable=None) -> dict:
    """The messages a decimal field shows, per bad value."""
    by_kind = {
        UNREADABLE: unreadable or [DECIMAL],
        NOT_PLAIN: [DECIMAL],
        TOO_LARGE: [too_large],
        TOO_SMALL: [too_small or too_large],
    }
    return _by_value(by_kind, 0)


# (page, field posted, id of the element showing its messages, messages per bad value)
FIELDS = {
    "organisation-founding-year": (
        _organisation,
        "founding_year",
        "founding_year",
        ranged_integer("Enter a year between 1800 and this year."),
    ),
    "call-year": (_new_call, "year", "year", ranged_integer("Enter a year between 2000 and 2100.")),
    "call-selection-quota": (
        _new_call,
        "selection_quota",
        "selection_quota",
        ranged_integer("Between 0 and 100."),
    ),
    "call-reviews-per-application": (
        _new_call,
        "reviews_per_application",
        "reviews_per_application",
        ranged_integer("Between 1 and 10."),
    ),
    # The rubric table shows a field's messages in one line.
    "rubric-weight": (
        _rubric,
        "criteria-0-weight",
        "criteria-0-weight",
        integer("Between 1 and 100.", unreadable=[f"{INTEGER} Between 1 and 100."]),
    ),
    "rubric-scale-max": (
        _rubric,
        "criteria-0-scale_max",
        "criteria-0-scale_max",
        decimal("Between 1 and 100.", unreadable=[f"{DECIMAL} Between 1 and 100."]),
    ),
    "application-trl": (_application, "trl", "trl", integer("Between 1 and 9.")),
    "application-funding-raised": (
        _application,
        "funding_raised",
        "funding_raised",
        decimal("Enter an amount ≥ 0."),
    ),
    "application-funding-sought": (
        _application,
        "funding_sought",
        "funding_sought",
        decimal("Enter an amount ≥ 0."),
    ),
    "project-trl": (_trl, "trl", "trl", integer("Between 1 and 9.")),
    "kpi-year": (_kpi_report, "year", "year", integer("Enter a year between 2000 and 2100.")),
    "kpi-funding-raised": (
        _kpi_report,
        "funding_raised",
        "funding_raised",
        decimal("Enter an amount ≥ 0."),
    ),
    "kpi-headcount": (_kpi_report, "headcount", "headcount", integer("Enter a whole number ≥ 0.")),
    "kpi-patents-filed": (
        _kpi_report,
        "patents_filed",
        "patents_filed",
        integer("Enter a whole number ≥ 0."),
    ),
    "mentor-hour-limit": (
        _mentor_profile,
        "monthly_hour_limit",
        "monthly_hour_limit",
        integer("Between 1 and 200 hours."),
    ),
    "mentor-notice": (
        _mentor_profile,
        "minimum_notice_hours",
        "minimum_notice_hours",
        integer("Between 0 and 720 hours."),
    ),
    "mentor-buffer": (
        _mentor_profile,
        "buffer_minutes",
        "buffer_minutes",
        integer("Between 0 and 120 minutes."),
    ),
    "mentor-slot-preview-length": (
        _slot_preview,
        "length",
        "length",
        integer("Sessions last 30, 60 or 90 minutes."),
    ),
    "mentoring-booking-length": (
        _mentor_booking,
        "length",
        "length",
        integer("Sessions last 30, 60 or 90 minutes."),
    ),
    "mentoring-budget-hours": (
        _mentoring_budget,
        "hours",
        "budget-{project}-hours",
        decimal("At most 8,760 hours.", "The budget is 0 hours or more."),
    ),
    "resource-filter-hours": (
        _resource_filter,
        "free_hours",
        "free_hours",
        decimal("Between 0.25 and 24 hours."),
    ),
    "resource-minimum-hours": (
        _new_resource,
        "minimum_hours",
        "minimum_hours",
        decimal("Between 0.5 and 24 hours."),
    ),
    "resource-maximum-hours": (
        _new_resource,
        "maximum_hours",
        "maximum_hours",
        decimal("Between 0.5 and 24 hours."),
    ),
    "resource-notice": (
        _new_resource,
        "minimum_notice_hours",
        "minimum_notice_hours",
        integer("Between 0 and 720 hours."),
    ),
    "resource-hourly-rate": (
        _new_resource,
        "hourly_rate",
        "hourly_rate",
        decimal("Between 0 and 100000 euros."),
    ),
    "training-validity": (
        _new_training,
        "validity_months",
        "validity_months",
        integer("Between 1 and 120 months."),
    ),
    "lab-quota-hours": (
        _lab_quota,
        "hours",
        "quota-{project}-{lab}-hours",
        decimal("At most 2,208 hours.", "The quota is 0 hours or more."),
    ),
}


@pytest.mark.parametrize(("setup", "name", "error_id", "messages"), FIELDS.values(), ids=FIELDS)
def test_bad_number_gets_its_message_next_to_the_field(client, setup, name, error_id, messages):
    form = setup(client)
    error_id = error_id.format(**form.ids)
    token = None if form.get else csrf_token_from(client.get(form.page or form.url).text)

    answers = {}
    for value in BAD_NUMBERS:
        if form.get:
            response = client.get(f"{form.url}?{urlencode(form.data | {name: value})}")
        else:
            response = client.post(form.url, data={"csrf_token": token, **form.data, name: value})
        shown = field_errors(response.text, error_id) if response.status_code == 200 else None
        answers[value] = (response.status_code, shown)

    assert answers == {value: (200, shown) for value, shown in messages.items()}


def test_bad_length_in_a_booking_link_lists_the_hour_long_times(client):
    url = _mentor_booking(client).url

    statuses = {value: client.get(f"{url}?length={value}").status_code for value in BAD_NUMBERS}
    page = client.get(f"{url}?length=١٢").text

    assert statuses == dict.fromkeys(BAD_NUMBERS, 200)
    assert '<option value="60" selected>' in page


@pytest.mark.parametrize(
    "url",
    [
        "/applications/99999999999999999999",
        "/manage/calls/2147483648",
        "/labs/resources/99999999999999999999",
        "/manage/cohorts?year=99999999999999999999",
        "/manage/cohorts/99999999999999999999.csv",
        "/mentoring/report?year=99999999999999999999",
    ],
)
def test_number_beyond_any_id_or_year_in_an_address_is_not_found(client, url):
    sign_in(client, make_user(*Role))

    assert client.get(url).status_code == 404


def test_quota_for_a_project_id_beyond_any_id_is_not_found(client):
    form = _lab_quota(client)
    token = csrf_token_from(client.get(form.url).text)

    response = client.post(
        form.url, data={"csrf_token": token, **form.data, "project_id": "99999999999999999999"}
    )

    assert response.status_code == 404
