"""Excel (.xlsx) import and export of items, lossless for everything a document holds.

Layout: sheet "事项" has one row per item; sheets "申请材料", "办理环节", "收费项目",
"特别程序", "常见问题" and "事项关系" have one row per entry, keyed by the item's
implementation code in column A (or ``#<row>``, the row of a new item in "事项").
Row 1 carries the Chinese headers, row 2 the field keys the importer reads (so columns
may be reordered), data starts at row 3. Booleans are 是/否, sets are codes joined by
"、". An import is all or nothing: every problem is reported with its sheet, row,
column and rule, and nothing is written unless there are none.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import openpyxl
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from govhall.core import inputs, spreadsheets
from govhall.core.errors import Problem
from govhall.regions.models import Department

from ..models import ItemVersion
from . import codes, documents, items

# Rows per sheet: the province's whole catalogue fits many times over.
MAX_ROWS = 20_000

ITEM_SHEET = "事项"
# One sheet per list of an item's document, named as the list is everywhere else.
CHILD_SHEETS = documents.CHILD_LABELS
IDENTITY = [
    "implementation_code",
    "department",
    "department_name",
    "basic_code",
    "item_type",
    "parent",
]
IDENTITY_LABELS = {
    "implementation_code": "实施编码",
    "department": "实施主体统一社会信用代码",
    "department_name": "实施主体名称（仅供阅读）",
    "basic_code": "基本编码",
    "item_type": "事项类型代码",
    "parent": "主项实施编码",
}
LISTS = ["audiences", "themes", "channels", "delivery"]
JSON_COLUMNS = list(documents.JSON_KEYS)  # form and 秒批 rules, as JSON text in one cell
ITEM_COLUMNS = [*IDENTITY, *documents.SCALAR_NAMES, *LISTS, *JSON_COLUMNS]
BOOLEAN_KEYS = {s.name for s in documents.SCALARS if s.kind == "bool"}


def _child_columns(key: str) -> list[str]:
    if key == "relations":
        return ["item", "kind", "target", "note"]
    extra = ["department"] if key == "steps" else []  # a step handled at another level
    return ["item", *(s.name for s in documents.CHILDREN[key][1]), *extra]


def _child_bools(key: str) -> set[str]:
    if key == "relations":
        return set()
    return {s.name for s in documents.CHILDREN[key][1] if s.kind == "bool"}


def _label(key: str, name: str) -> str:
    if name == "item":
        return "事项实施编码"
    if key == "steps" and name == "department":
        return "跨层级办理部门统一社会信用代码"
    if key == ITEM_SHEET:
        return IDENTITY_LABELS.get(name) or documents.field_label(name)
    return documents.child_label(key, name)


@dataclass(frozen=True)
class CellProblem:
    sheet: str
    row: int
    column: str
    column_label: str
    code: str
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet}第{self.row}行"
        if self.column:
            where += f"第{self.column}列（{self.column_label}）"
        return f"{where}：{self.message}"


class ImportFailed(Exception):
    def __init__(self, cells: list[CellProblem]):
        self.cells = cells
        super().__init__("\n".join(str(c) for c in cells))


# --- export ---------------------------------------------------------------------------------


def _cell(value: Any, boolean: bool = False) -> Any:
    if isinstance(value, dict) or (
        isinstance(value, list) and value and isinstance(value[0], dict)
    ):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool) or boolean:
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(value)
    if value is None:
        return None
    return value


HEADER_FONT = Font(bold=True)
KEY_FILL = PatternFill("solid", fgColor="EEEEEE")


def _sheet(wb, title: str, key: str, columns: list[str]):
    ws = wb.create_sheet(title)
    ws.append([_label(key, c) for c in columns])
    ws.append(columns)
    for cell in ws[1]:
        cell.font = HEADER_FONT
    for cell in ws[2]:
        cell.fill = KEY_FILL
    ws.freeze_panes = "B3"
    for index, name in enumerate(columns, start=1):
        width = 40 if name in ("conditions", "legal_basis", "name", "answer", "criteria") else 16
        ws.column_dimensions[get_column_letter(index)].width = width
    return ws


def export_workbook(queryset) -> bytes:
    """The published versions of ``queryset`` (items) as an .xlsx file."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    item_ws = _sheet(wb, ITEM_SHEET, ITEM_SHEET, ITEM_COLUMNS)
    child_ws = {
        key: _sheet(wb, title, key, _child_columns(key)) for key, title in CHILD_SHEETS.items()
    }
    versions = documents.with_content(
        ItemVersion.objects.filter(
            pk__in=queryset.exclude(current=None).values("current_id")
        ).order_by("item__implementation_code")
    )
    for version in versions:
        doc = documents.version_document(version)
        code = doc["implementation_code"]
        item_ws.append([_cell(doc.get(c), c in BOOLEAN_KEYS) for c in ITEM_COLUMNS])
        for key, ws in child_ws.items():
            columns = _child_columns(key)
            bools = _child_bools(key)
            for row in doc[key]:
                ws.append([code] + [_cell(row.get(c), c in bools) for c in columns[1:]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- import ---------------------------------------------------------------------------------


@dataclass
class _Located:
    """Where each part of a document came from, to point problems at cells."""

    item_row: int
    child_rows: dict[str, list[int]]


def _read_sheet(ws, key: str, expected: list[str], problems: list[CellProblem]):
    rows = (values for _, values in spreadsheets.rows(ws, max_rows=MAX_ROWS, header_rows=2))
    try:
        next(rows)
        keys = [str(k).strip() if k is not None else "" for k in next(rows)]
    except StopIteration:
        problems.append(
            CellProblem(
                ws.title, 2, "", "", "missing_header", "缺少第2行字段名（请使用导出的模板）。"
            )
        )
        return {}, []
    columns = {name: index for index, name in enumerate(keys) if name}
    unknown = [k for k in columns if k not in expected]
    for name in unknown:
        index = columns[name]
        problems.append(
            CellProblem(
                ws.title,
                2,
                get_column_letter(index + 1),
                name,
                "unknown_column",
                f"未知字段名“{name}”。",
            )
        )
    required = ["item"] if key != ITEM_SHEET else []
    for name in required:
        if name not in columns:
            problems.append(
                CellProblem(ws.title, 2, "", name, "missing_column", f"缺少字段“{name}”列。")
            )
    data = []
    for number, values in enumerate(rows, start=3):
        if values is None or all(v is None or str(v).strip() == "" for v in values):
            continue
        record = {
            name: values[index] if index < len(values) else None
            for name, index in columns.items()
            if name in expected
        }
        data.append((number, record))
    return columns, data


def _column(columns: dict[str, int], name: str) -> str:
    return get_column_letter(columns[name] + 1) if name in columns else ""


def import_workbook(file, *, actor=None, publish: bool = False) -> items.LoadReport:
    """Read an .xlsx of items and load it all or nothing; raises ``ImportFailed``."""
    try:
        wb = spreadsheets.open_workbook(file)
    except spreadsheets.SpreadsheetRefused as exc:
        code = "invalid_file" if exc.code == "not_xlsx" else exc.code
        raise ImportFailed([CellProblem("", 0, "", "", code, exc.message)]) from None
    try:
        return _import(wb, actor=actor, publish=publish)
    except spreadsheets.SpreadsheetRefused as exc:  # a sheet past the row limit
        raise ImportFailed([CellProblem("", 0, "", "", exc.code, exc.message)]) from None
    finally:
        wb.close()


def _import(wb, *, actor, publish: bool) -> items.LoadReport:
    problems: list[CellProblem] = []
    if ITEM_SHEET not in wb.sheetnames:
        raise ImportFailed(
            [CellProblem(ITEM_SHEET, 0, "", "", "missing_sheet", f"缺少工作表“{ITEM_SHEET}”。")]
        )
    item_columns, item_rows = _read_sheet(wb[ITEM_SHEET], ITEM_SHEET, ITEM_COLUMNS, problems)
    docs: list[dict[str, Any]] = []
    located: list[_Located] = []
    by_key: dict[str, int] = {}
    for row_number, record in item_rows:
        doc = {k: v for k, v in record.items() if k != "department_name"}
        for key in LISTS:
            doc[key] = documents._string_list(record.get(key))
        for key in JSON_COLUMNS:
            text = documents._text(record.get(key))
            try:
                doc[key] = inputs.loads(text) if text else None
            except ValueError as exc:
                problems.append(
                    CellProblem(
                        ITEM_SHEET,
                        row_number,
                        _column(item_columns, key),
                        documents.field_label(key),
                        "json",
                        f"“{documents.field_label(key)}”须为JSON格式：{exc}",
                    )
                )
        for key in CHILD_SHEETS:
            doc[key] = []
        index = len(docs)
        docs.append(doc)
        located.append(_Located(row_number, defaultdict(list)))
        by_key[f"#{row_number}"] = index
        code = documents._text(record.get("implementation_code"))
        if not code and record.get("department") and record.get("basic_code"):
            department = Department.objects.filter(
                credit_code=documents._text(record["department"])
            ).first()
            if department is not None and not codes.check_basic_code(
                documents._text(record["basic_code"])
            ):
                code = codes.implementation_code(department, documents._text(record["basic_code"]))
        if code:
            if code in by_key:
                problems.append(
                    CellProblem(
                        ITEM_SHEET,
                        row_number,
                        _column(item_columns, "implementation_code"),
                        "实施编码",
                        "duplicate_item",
                        f"实施编码“{code}”在本表中重复出现。",
                    )
                )
            by_key[code] = index
    child_columns: dict[str, dict[str, int]] = {}
    for key, title in CHILD_SHEETS.items():
        if title not in wb.sheetnames:
            continue
        columns, rows = _read_sheet(wb[title], key, _child_columns(key), problems)
        child_columns[key] = columns
        for row_number, record in rows:
            ref = documents._text(record.pop("item", None))
            index = by_key.get(ref)
            if index is None:
                problems.append(
                    CellProblem(
                        title,
                        row_number,
                        _column(columns, "item"),
                        "事项实施编码",
                        "unknown_item",
                        f"“{ref}”不是“{ITEM_SHEET}”表中的事项（填实施编码或#行号）。",
                    )
                )
                continue
            docs[index][key].append(record)
            located[index].child_rows[key].append(row_number)
    if problems:
        raise ImportFailed(problems)
    try:
        return items.load_documents(docs, publish=publish, actor=actor, reason="Excel导入服务事项")
    except items.LoadError as exc:
        raise ImportFailed(
            [_locate(p, located[i], item_columns, child_columns) for i, p in exc.by_doc]
        ) from None


def _locate(
    problem: Problem,
    where: _Located,
    item_columns: dict[str, int],
    child_columns: dict[str, dict[str, int]],
) -> CellProblem:
    """Turn a document field path such as ``materials[2].name`` into a sheet, row and column."""
    head, _, rest = problem.field.partition(".")
    key, _, index = head.partition("[")
    if key in CHILD_SHEETS:
        rows = where.child_rows.get(key) or []
        title = CHILD_SHEETS[key]
        columns = child_columns.get(key, {})
        position = int(index.rstrip("]")) if index else 0
        if rows and position < len(rows):
            name = rest or "item"
            return CellProblem(
                title,
                rows[position],
                _column(columns, name),
                _label(key, name),
                problem.code,
                problem.message,
            )
        # A rule about the whole list (e.g. "no materials"): point at the item's row.
        return CellProblem(
            ITEM_SHEET,
            where.item_row,
            "",
            documents.field_label(key),
            problem.code,
            problem.message,
        )
    return CellProblem(
        ITEM_SHEET,
        where.item_row,
        _column(item_columns, key),
        _label(ITEM_SHEET, key) if key in ITEM_COLUMNS else key,
        problem.code,
        problem.message,
    )


def item_count(workbook_bytes: bytes) -> int:
    """Items in an exported workbook (for reports and tests)."""
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes), read_only=True)
    return max(0, wb[ITEM_SHEET].max_row - 2)
