"""CSV and Excel downloads of a dashboard table.

CSV is UTF-8 with a byte-order mark so that Excel opens the Chinese text; text cells
that a spreadsheet would run as a formula (starting with ``= + - @``) get a leading
apostrophe. Excel files are written by openpyxl in write-only mode (rows streamed in),
with at most ``MAX_XLSX_ROWS`` rows; CSV has no limit.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

FORMATS = ("csv", "xlsx")
MAX_XLSX_ROWS = 200_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    if value is None:
        return ""
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]):
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow([str(h) for h in header])
        for row in rows:
            yield writer.writerow([safe(v) for v in row])

    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in lines()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(filename: str, title: str, header: Sequence[str], rows: Iterable[Sequence]):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31] or "Sheet1")
    bold = Font(bold=True)
    head = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=str(name))
        cell.font = bold
        head.append(cell)
    sheet.append(head)
    for written, row in enumerate(rows):
        if written >= MAX_XLSX_ROWS:
            sheet.append([_("仅导出前%(n)s行；请使用CSV导出全部。") % {"n": MAX_XLSX_ROWS}])
            break
        sheet.append([safe(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def table_response(fmt: str, filename: str, title: str, header, rows):
    if fmt == "xlsx":
        return xlsx_response(filename, title, header, rows)
    return csv_response(filename, header, rows)
