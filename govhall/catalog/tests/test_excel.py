"""Excel import and export: lossless round trip, row/column errors, nothing half-imported."""

import io

import openpyxl
import pytest
from django.urls import reverse

from govhall.catalog.models import BasicItem, Item, ItemRelation, ItemVersion
from govhall.catalog.services import documents, excel

from .factories import department, editor, ensure_themes, published_item, reviewer, settlement_item

pytestmark = pytest.mark.django_db


def _catalogue():
    first = published_item()
    settlement_item(
        aliases="户口迁入、投靠落户",
        has_fee=True,
        fee_basis="《广东省行政事业性收费项目目录》",
        fees=[{"name": "户口簿工本费", "standard": "每本8元", "amount": "8", "reducible": True}],
        supports_online_payment=True,
        special_procedures=[{"kind": "site_inspection", "name": "实地核查", "time_limit_days": 5}],
        relations=[{"kind": "prerequisite", "target": first.implementation_code, "note": "先结婚"}],
        statutory_limit_days=20,
        promised_limit_days=5,
        case_type="2",
        steps=[
            {"name": "受理", "post": "clerk", "time_limit_days": 1},
            {"name": "审核", "post": "reviewer", "time_limit_days": 2, "criteria": "核对婚姻状况"},
            {"name": "审批", "post": "approver", "time_limit_days": 2},
        ],
        statutory_limit_note="法律未规定",
    )
    return Item.objects.all()


def test_round_trip_is_lossless():
    items = _catalogue()
    before = {i.implementation_code: documents.version_document(i.current) for i in items}
    workbook = excel.export_workbook(items)
    # Import the export: nothing changes (the documents read back equal the stored ones).
    report = excel.import_workbook(io.BytesIO(workbook), publish=True)
    assert sorted(report.unchanged) == sorted(before) and not report.created and not report.updated
    # Into an empty catalogue: the same items come back, with identical content and codes.
    Item.objects.update(current=None)
    ItemRelation.objects.all().delete()
    ItemVersion.objects.all().delete()
    Item.objects.all().delete()
    BasicItem.objects.all().delete()
    report = excel.import_workbook(io.BytesIO(workbook), publish=True)
    assert sorted(report.created) == sorted(before)
    after = {
        i.implementation_code: documents.version_document(i.current) for i in Item.objects.all()
    }
    strip = ("published_at",)
    for code, doc in before.items():
        assert {k: v for k, v in after[code].items() if k not in strip} == {
            k: v for k, v in doc.items() if k not in strip
        }
    assert excel.export_workbook(Item.objects.all()) is not None
    again = openpyxl.load_workbook(io.BytesIO(excel.export_workbook(Item.objects.all())))
    original = openpyxl.load_workbook(io.BytesIO(workbook))
    for title in original.sheetnames:
        assert [[c.value for c in r] for r in original[title].iter_rows()] == [
            [c.value for c in r] for r in again[title].iter_rows()
        ], title


def _workbook_with_errors():
    items = _catalogue()
    wb = openpyxl.load_workbook(io.BytesIO(excel.export_workbook(items)))
    ws = wb["事项"]
    keys = [c.value for c in ws[2]]
    col = {k: i + 1 for i, k in enumerate(keys)}
    ws.cell(row=3, column=col["promised_limit_days"], value="三天")
    ws.cell(row=4, column=col["depth"], value=4)  # the second item has 1 visit
    materials = wb["申请材料"]
    mkeys = [c.value for c in materials[2]]
    materials.cell(row=3, column=mkeys.index("source") + 1, value="快递")
    new = ws.max_row + 1
    ws.cell(row=new, column=col["department"], value="91440700MA00000000")
    ws.cell(row=new, column=col["item_type"], value="GG")
    ws.cell(row=new, column=col["name"], value="新增的事项")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), col, mkeys, new


def test_errors_name_sheet_row_column_and_rule_and_nothing_is_written():
    workbook, col, mkeys, new = _workbook_with_errors()
    count = Item.objects.count()
    versions = {i.pk: i.versions.count() for i in Item.objects.all()}
    with pytest.raises(excel.ImportFailed) as exc:
        excel.import_workbook(io.BytesIO(workbook), publish=True)
    cells = {(c.sheet, c.row, c.column): c for c in exc.value.cells}
    letter = openpyxl.utils.get_column_letter
    promised = cells[("事项", 3, letter(col["promised_limit_days"]))]
    assert promised.code == "integer" and "承诺办结时限" in promised.message
    source = cells[("申请材料", 3, letter(mkeys.index("source") + 1))]
    assert source.code == "choice" and "快递" in source.message
    assert any(c.row == new and c.code == "unknown_department" for c in exc.value.cells)
    assert Item.objects.count() == count
    assert {i.pk: i.versions.count() for i in Item.objects.all()} == versions


def test_depth_rule_is_reported_on_its_row():
    items = _catalogue()
    wb = openpyxl.load_workbook(io.BytesIO(excel.export_workbook(items)))
    ws = wb["事项"]
    keys = [c.value for c in ws[2]]
    row = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value.endswith("QR00001000"))
    ws.cell(row=row, column=keys.index("depth") + 1, value=4)
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(excel.ImportFailed) as exc:
        excel.import_workbook(io.BytesIO(out.getvalue()), publish=True)
    [cell] = exc.value.cells
    assert (cell.sheet, cell.row, cell.code) == ("事项", row, "fully_online_zero_visits")
    assert cell.column == openpyxl.utils.get_column_letter(keys.index("visits") + 1)


def test_not_an_excel_file():
    with pytest.raises(excel.ImportFailed) as exc:
        excel.import_workbook(io.BytesIO(b"name,code\n"), publish=False)
    assert exc.value.cells[0].code == "invalid_file"


def test_import_page_shows_errors_and_export_downloads(client):
    ensure_themes()
    workbook, *_ = _workbook_with_errors()
    user = editor()
    client.force_login(user)
    response = client.get(reverse("catalog:export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    upload = io.BytesIO(workbook)
    upload.name = "catalog.xlsx"
    response = client.post(reverse("catalog:import"), {"file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "未导入任何内容" in html and "申请材料" in html and "承诺办结时限" in html


def test_staff_import_without_publish_submits_for_review():
    ensure_themes()
    items = _catalogue().filter(department=department())
    wb = openpyxl.load_workbook(io.BytesIO(excel.export_workbook(items)))
    ws = wb["事项"]
    keys = [c.value for c in ws[2]]
    ws.cell(row=3, column=keys.index("office_hours") + 1, value="周一至周日 9:00-17:00")
    out = io.BytesIO()
    wb.save(out)
    user = editor()
    report = excel.import_workbook(io.BytesIO(out.getvalue()), actor=user, publish=False)
    assert len(report.updated) == 1 and not report.unchanged
    item = Item.objects.get(implementation_code=report.updated[0])
    assert item.latest_version.state == "submitted"
    assert item.current.office_hours != "周一至周日 9:00-17:00"
    with pytest.raises(excel.ImportFailed) as exc:
        excel.import_workbook(io.BytesIO(out.getvalue()), actor=reviewer(), publish=True)
    assert exc.value.cells[0].code in ("scope", "open_version_exists")
