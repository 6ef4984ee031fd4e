"""Tables as CSV or XLSX downloads, shared by every area's exports."""

import csv
import io

from flask import Response
from openpyxl import Workbook

from accelerator.core.characters import without_control_characters

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    """Text that a spreadsheet would run as a formula is kept as text; control characters, which
    older data may hold and openpyxl refuses, are dropped."""
    if not isinstance(value, str):
        return value
    value = without_control_characters(value)
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def table_as_csv(header: list[str], body: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([safe_cell(value) for value in row] for row in body)
    return buffer.getvalue()


def table_as_xlsx(header: list[str], body: list[list], *, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(title)[:31]
    sheet.append(header)
    for row in body:
        sheet.append([safe_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(content: str | bytes, *, file_format: str, stem: str) -> Response:
    """A CSV or XLSX table sent as a file named `stem`.csv or `stem`.xlsx."""
    return Response(
        content,
        mimetype="text/csv" if file_format == "csv" else XLSX_MIME,
        headers={"Content-Disposition": f'attachment; filename="{stem}.{file_format}"'},
    )
