"""Reading uploaded .xlsx workbooks within limits — the one way an import opens one.

An .xlsx is a ZIP of XML: 60 KB can expand to 18 MB of XML and 200,000 rows, which
once took 143 s and 1.23 GB before being refused. So, before openpyxl parses anything,
the compressed size, the number of ZIP members and their declared uncompressed sizes
are checked (Python's ``zipfile`` never inflates a member past its declared size, so
the declared sizes bound the real work); then the workbook is opened read-only
(streamed, ``data_only``), rows are read at most ``max_rows`` (+1 to know there were
more) and no wider than ``max_columns``.

Catalogue import, licence digitisation and any later spreadsheet import use this. The
legacy-account import reads CSV (no expansion to fear): ``check_csv`` and
``MAX_CSV_ROWS`` bound its size and rows, generous enough for a city's whole old system.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

MAX_COMPRESSED = 20 * 1024 * 1024
MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_MEMBERS = 1000
MAX_ROWS = 20_000
MAX_COLUMNS = 200
MAX_CSV_BYTES = 50 * 1024 * 1024
MAX_CSV_ROWS = 200_000


class SpreadsheetRefused(Exception):
    """The workbook is refused as a whole: ``code`` says which rule, ``message`` in Chinese."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def read_bytes(file) -> bytes:
    """The upload's bytes (a Django upload, a file object, bytes or a path)."""
    if isinstance(file, bytes | bytearray):
        return bytes(file)
    if isinstance(file, str | Path):
        return Path(file).read_bytes()
    if hasattr(file, "seek"):
        file.seek(0)
    return file.read()


def check_archive(
    content: bytes,
    *,
    max_compressed: int = MAX_COMPRESSED,
    max_uncompressed: int = MAX_UNCOMPRESSED,
) -> None:
    """Refuse a file too big, not a ZIP, or expanding past the limit — before parsing."""
    if len(content) > max_compressed:
        raise SpreadsheetRefused(
            "too_large", f"文件不能超过{max_compressed // 1024 // 1024}MB，请拆分后分批上传。"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise SpreadsheetRefused(
            "not_xlsx", "文件不是有效的Excel工作簿（.xlsx），请使用下载的模板。"
        ) from None
    if len(members) > MAX_MEMBERS:
        raise SpreadsheetRefused("too_complex", "工作簿包含的部件过多，不是正常的Excel文件。")
    expanded = sum(member.file_size for member in members)
    if expanded > max_uncompressed:
        raise SpreadsheetRefused(
            "too_large_uncompressed",
            f"工作簿解压后有{expanded / 1048576:.0f}MB，超过{max_uncompressed // 1048576}MB的上限；"
            "请删除多余的行、列和格式，或拆分后分批上传。",
        )


def open_workbook(file, **limits):
    """The workbook (read-only, values not formulas) after ``check_archive``; close it
    when done (``workbook.close()``)."""
    from openpyxl import load_workbook

    content = read_bytes(file)
    check_archive(content, **limits)
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a ZIP that is not a workbook
        raise SpreadsheetRefused(
            "not_xlsx", "文件不是有效的Excel工作簿（.xlsx），请使用下载的模板。"
        ) from None


def rows(
    sheet, *, max_rows: int = MAX_ROWS, max_columns: int = MAX_COLUMNS, header_rows: int = 0
) -> Iterator[tuple[int, tuple]]:
    """(Excel row number, values) of every row, streamed; refuses once more than
    ``max_rows`` rows follow the ``header_rows`` (counting blank ones: they cost as much)."""
    limit = header_rows + max_rows
    for number, values in enumerate(
        sheet.iter_rows(values_only=True, max_col=max_columns), start=1
    ):
        if number > limit:
            raise SpreadsheetRefused(
                "too_many_rows",
                f"工作表“{sheet.title}”超过{max_rows:,}行数据的上限，请拆分后分批上传。",
            )
        yield number, values


def check_csv(content: bytes, *, max_bytes: int = MAX_CSV_BYTES) -> None:
    if len(content) > max_bytes:
        raise SpreadsheetRefused(
            "too_large", f"文件不能超过{max_bytes // 1024 // 1024}MB，请拆分后分批导入。"
        )


def too_many_csv_rows(max_rows: int = MAX_CSV_ROWS) -> SpreadsheetRefused:
    return SpreadsheetRefused(
        "too_many_rows", f"CSV文件超过{max_rows:,}行数据的上限，请拆分后分批导入。"
    )
