"""The demo catalogue survives an Excel round trip unchanged (issue 3, "Done when")."""

import io

import openpyxl
import pytest

from govhall.catalog.models import Item
from govhall.catalog.services import excel
from govhall.demo.catalog.loader import load_demo

pytestmark = pytest.mark.django_db


def _cells(data: bytes) -> dict[str, list[list]]:
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return {
        title: [list(r) for r in wb[title].iter_rows(values_only=True)] for title in wb.sheetnames
    }


def test_demo_catalogue_excel_round_trip_is_lossless():
    load_demo()
    items = Item.objects.published()
    assert items.count() >= 300
    exported = excel.export_workbook(Item.objects.all())
    report = excel.import_workbook(io.BytesIO(exported), publish=True)
    assert len(report.unchanged) == Item.objects.exclude(current=None).count()
    assert not report.created and not report.updated
    assert _cells(excel.export_workbook(Item.objects.all())) == _cells(exported)
