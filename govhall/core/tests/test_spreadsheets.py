"""Spreadsheet imports within limits: compressed size, declared uncompressed size
(checked before any parsing), rows and columns — for the module and for every import
that uses it (catalogue, licence digitisation)."""

import functools
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from govhall.catalog.services import excel
from govhall.catalog.tests.factories import editor, ensure_themes
from govhall.core import spreadsheets
from govhall.licences.services import digitisation
from govhall.licences.tests import factories as lf


def workbook(rows: int, *, title: str = "Sheet", header_rows: int = 0, wide=False) -> bytes:
    """A streamed workbook: header rows, then ``rows`` data rows."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    for n in range(header_rows):
        sheet.append([f"h{n}"] * 3)
    for n in range(rows):
        sheet.append([n, "x"] + ([None] * 9000 + ["far"] if wide else []))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@functools.cache
def expanding_zip(megabytes: int) -> bytes:
    """A small ZIP whose worksheet XML expands to ``megabytes`` MB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (megabytes * 1024 * 1024))
    return out.getvalue()


def refused(call) -> spreadsheets.SpreadsheetRefused:
    with pytest.raises(spreadsheets.SpreadsheetRefused) as caught:
        call()
    return caught.value


def test_an_expanding_archive_is_refused_before_parsing(monkeypatch):
    bomb = expanding_zip(120)
    assert len(bomb) < 1024 * 1024  # a few hundred KB on the wire

    def must_not_parse(*args, **kwargs):
        raise AssertionError("openpyxl was asked to parse a refused archive")

    monkeypatch.setattr(openpyxl, "load_workbook", must_not_parse)
    error = refused(lambda: spreadsheets.open_workbook(bomb))
    assert error.code == "too_large_uncompressed" and "120MB" in error.message


def test_size_and_format_limits():
    assert refused(lambda: spreadsheets.check_archive(b"x" * 11, max_compressed=10)).code == (
        "too_large"
    )
    assert refused(lambda: spreadsheets.open_workbook(b"name,code\n")).code == "not_xlsx"


def test_rows_are_streamed_up_to_the_limit_and_columns_capped():
    book = openpyxl.load_workbook(io.BytesIO(workbook(30, wide=True)), read_only=True)
    sheet = book.active
    seen = []
    error = refused(lambda: seen.extend(spreadsheets.rows(sheet, max_rows=20)))
    assert error.code == "too_many_rows" and "20行" in error.message
    assert len(seen) == 20  # stopped at the limit, the rest never read
    assert all(len(values) <= spreadsheets.MAX_COLUMNS for _, values in seen)
    book.close()
    book = openpyxl.load_workbook(io.BytesIO(workbook(20, header_rows=2)), read_only=True)
    assert [n for n, _ in spreadsheets.rows(book.active, max_rows=20, header_rows=2)][-1] == 22
    book.close()


@pytest.mark.django_db
def test_the_catalogue_import_refuses_a_bomb_and_too_many_rows(client, monkeypatch):
    ensure_themes()
    client.force_login(editor())
    upload = SimpleUploadedFile("catalog.xlsx", expanding_zip(120))
    response = client.post(reverse("catalog:import"), {"file": upload})
    assert response.status_code == 400
    assert "解压后有120MB" in response.content.decode()

    monkeypatch.setattr(excel, "MAX_ROWS", 50)
    many = workbook(51, title="事项", header_rows=2)
    with pytest.raises(excel.ImportFailed) as caught:
        excel.import_workbook(io.BytesIO(many))
    (cell,) = caught.value.cells
    assert cell.code == "too_many_rows" and "50行" in cell.message


@pytest.mark.django_db
def test_licence_digitisation_refuses_a_bomb_and_too_many_rows(monkeypatch):
    licence_type = lf.licence_type()
    with pytest.raises(digitisation.FileProblem) as caught:
        digitisation.read_rows(licence_type, io.BytesIO(expanding_zip(120)))
    assert caught.value.code == "too_large_uncompressed"
    monkeypatch.setattr(digitisation, "MAX_ROWS", 10)  # physical limit: twice the data rows
    book = Workbook(write_only=True)
    sheet = book.create_sheet(digitisation.SHEET_TITLE)
    labels = [c.label for c in digitisation.columns(licence_type)]
    sheet.append(labels)
    for _ in range(21):
        sheet.append([None] * len(labels))  # blank rows cost as much to read
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(digitisation.FileProblem) as caught:
        digitisation.read_rows(licence_type, io.BytesIO(out.getvalue()))
    assert caught.value.code == "too_many_rows"


@pytest.mark.django_db
def test_the_legacy_account_import_bounds_size_and_rows(monkeypatch):
    from govhall.accounts.services import legacy

    header = ",".join(legacy.REQUIRED_COLUMNS) + "\n"
    with pytest.raises(legacy.ImportFileError, match="不能超过"):
        legacy.import_accounts(
            header.encode() + b"x" * (spreadsheets.MAX_CSV_BYTES + 1), source_system="旧系统"
        )
    monkeypatch.setattr(spreadsheets, "MAX_CSV_ROWS", 3)
    rows = header + "".join(",".join(["x"] * len(legacy.REQUIRED_COLUMNS)) + "\n" for _ in range(4))
    with pytest.raises(legacy.ImportFileError, match="行数据的上限"):
        legacy.import_accounts(rows.encode(), source_system="旧系统", dry_run=True)
