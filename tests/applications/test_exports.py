"""The managers' exports hold exactly the rows the filters select, in CSV and in XLSX."""

import csv
import io
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from accelerator.accounts.enums import Role
from tests.applications.conftest import member_of
from tests.conftest import sign_in
from tests.factories import make_application, make_call, make_organisation, make_user

HEADER = [
    "ID",
    "Organisation",
    "Title",
    "Acronym",
    "Status",
    "ATMP class",
    "Therapeutic area",
    "Development stage",
    "TRL",
    "Funding sought (EUR)",
    "Submitted (Madrid)",
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_TITLE = '=HYPERLINK("http://attacker.example/","Click")'

# Filters as a manager would set them, and the applications (by key) they must select.
FILTERS = [
    ({}, "ABCD"),
    ({"status": "submitted"}, "ACD"),
    ({"status": "draft"}, "B"),
    ({"atmp_class": "somatic_cell_therapy"}, "BC"),
    ({"therapeutic_area": "oncology"}, "BC"),
    ({"development_stage": "phase_1"}, "BCD"),
    ({"trl": "6"}, "BD"),
    ({"q": "retina"}, "A"),  # the organisation's name
    ({"q": "CAR-T"}, "B"),  # the title, whatever the case
    ({"status": "submitted", "atmp_class": "somatic_cell_therapy", "trl": "5"}, "C"),
    ({"therapeutic_area": "dermatology"}, ""),
]


@pytest.fixture
def applications(client):
    """Four applications to one call (and one to another call that must never appear),
    with a signed-in manager."""
    call = make_call(year=2030)

    def applicant(name):
        return member_of(make_organisation(legal_name=name))

    made = {
        "A": make_application(
            call,
            member=applicant("Retina Bio SL"),
            submitted=True,
            trl=4,
            funding_sought_cents=250_000_000,
        ),
        "B": make_application(
            call,
            member=applicant("Oncocell SL"),
            title="Allogeneic CAR-T for solid tumours",
            atmp_class="somatic_cell_therapy",
            therapeutic_area="oncology",
            development_stage="phase_1",
            trl=6,
        ),
        "C": make_application(
            call,
            member=applicant("Immuno Terapias SA"),
            submitted=True,
            title="NK cells for AML",
            acronym="NKAML",
            atmp_class="somatic_cell_therapy",
            therapeutic_area="oncology",
            development_stage="phase_1",
            trl=5,
            funding_sought_cents=123_456,
        ),
        "D": make_application(
            call,
            member=applicant("Cartilago SL"),
            submitted=True,
            title=FORMULA_TITLE,
            atmp_class="tissue_engineered",
            therapeutic_area="musculoskeletal",
            development_stage="phase_1",
            trl=6,
        ),
    }
    make_application(make_call(year=2031), member=applicant("Elsewhere SL"), submitted=True)
    sign_in(client, make_user(Role.PROGRAMME_MANAGER))
    return call, made


def _url(call, file_format, filters) -> str:
    query = f"?{urlencode(filters)}" if filters else ""
    return f"/manage/calls/{call.id}/applications.{file_format}{query}"


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def _xlsx_sheet(response):
    return openpyxl.load_workbook(io.BytesIO(response.get_data())).active


def _xlsx_rows(response) -> list[list]:
    return [list(row) for row in _xlsx_sheet(response).iter_rows(values_only=True)]


def _keys(made, ids) -> str:
    by_id = {application.id: key for key, application in made.items()}
    return "".join(sorted(by_id[int(identifier)] for identifier in ids))


def test_csv_export_holds_exactly_the_filtered_rows(client, applications):
    call, made = applications

    selected = {}
    for filters, _expected in FILTERS:
        response = client.get(_url(call, "csv", filters))
        header, *rows = _csv_rows(response)
        assert (response.status_code, response.mimetype, header) == (200, "text/csv", HEADER)
        assert (
            response.headers["Content-Disposition"]
            == 'attachment; filename="applications-2030.csv"'
        )
        selected[urlencode(filters)] = _keys(made, [row[0] for row in rows])

    assert selected == {urlencode(filters): expected for filters, expected in FILTERS}


def test_xlsx_export_holds_exactly_the_filtered_rows(client, applications):
    call, made = applications

    selected = {}
    for filters, _expected in FILTERS:
        response = client.get(_url(call, "xlsx", filters))
        header, *rows = _xlsx_rows(response)
        assert (response.mimetype, header) == (XLSX, HEADER)
        selected[urlencode(filters)] = _keys(made, [row[0] for row in rows])

    assert selected == {urlencode(filters): expected for filters, expected in FILTERS}


def test_csv_export_row_holds_the_application(client, applications):
    call, made = applications
    c = made["C"]
    submitted = c.submitted_at.astimezone(ZoneInfo("Europe/Madrid")).strftime("%Y-%m-%d %H:%M")

    [_header, row] = _csv_rows(client.get(_url(call, "csv", {"q": "NK cells"})))

    assert row == [
        str(c.id),
        "Immuno Terapias SA",
        "NK cells for AML",
        "NKAML",
        "Submitted",
        "Somatic cell therapy medicinal product",
        "Oncology",
        "Phase I",
        "5",
        "1234.56",
        submitted,
    ]


def test_title_starting_with_equals_is_exported_as_text_in_csv(client, applications):
    call, made = applications

    [_header, row] = _csv_rows(client.get(_url(call, "csv", {"q": "cartilago"})))

    assert row[:3] == [str(made["D"].id), "Cartilago SL", "'" + FORMULA_TITLE]


def test_title_starting_with_equals_is_exported_as_text_in_xlsx(client, applications):
    call, _made = applications

    sheet = _xlsx_sheet(client.get(_url(call, "xlsx", {"q": "cartilago"})))

    title = sheet.cell(row=2, column=3)
    assert (title.data_type, title.value) == ("s", "'" + FORMULA_TITLE)
    assert [
        cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"
    ] == []


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_by_an_applicant_is_forbidden(client, file_format):
    call = make_call()
    make_application(call, submitted=True)
    sign_in(client, member_of())

    response = client.get(_url(call, file_format, {}))

    assert response.status_code == 403


@pytest.mark.parametrize("filters", [{"trl": "12"}, {"status": "bogus"}, {"trl": "x", "q": "NK"}])
def test_invalid_filter_exports_no_row_rather_than_every_row(client, applications, filters):
    call, _made = applications

    header, *rows = _csv_rows(client.get(_url(call, "csv", filters)))
    page = client.get(f"/manage/calls/{call.id}/applications?{urlencode(filters)}")

    assert (header, rows) == (HEADER, [])
    assert page.status_code == 200
    assert "0 applications match." in page.get_data(as_text=True)


def test_xlsx_export_of_a_title_with_control_characters_opens_without_them(client):
    call = make_call()
    make_application(call, member=member_of(), submitted=True, title="Retina\x0b gene\x1f therapy")
    sign_in(client, make_user(Role.PROGRAMME_MANAGER))

    response = client.get(_url(call, "xlsx", {}))

    assert response.status_code == 200
    assert _xlsx_sheet(response).cell(row=2, column=3).value == "Retina gene therapy"


def test_csv_export_drops_control_characters_before_quoting_formulas(client):
    call = make_call()
    make_application(call, member=member_of(), submitted=True, title="\x0b=1+1")
    sign_in(client, make_user(Role.PROGRAMME_MANAGER))

    [_header, row] = _csv_rows(client.get(_url(call, "csv", {})))

    assert row[2] == "'=1+1"
