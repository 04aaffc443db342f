"""The service guide page, its PDF and JSON, and the business manual."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from govhall.catalog.services import items

from .factories import department, doc_for, editor, published_item, settlement_item

pytestmark = pytest.mark.django_db


def test_guide_page_splits_materials(client):
    item = published_item()
    response = client.get(item.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    bring = html.split("需要您提交的材料")[1].split("无需提交，由办理部门")[0]
    fetched = html.split("无需提交，由办理部门")[1].split("办理流程")[0]
    assert "本人近期2寸半身免冠合影照片" in bring and "离婚证或离婚判决书" in bring
    assert "居民身份证" not in bring and "居民户口簿" not in bring
    assert "调取电子证照“居民身份证”" in fetched
    assert "从“省人口基础信息库”共享获取" in fetched
    assert "再婚的时需要" in bring
    assert '<main id="main"' in html and "<h1" in html


def test_guide_of_unknown_or_unpublished_item_is_404(client):
    assert client.get("/items/NOPE/").status_code == 404
    author = editor()
    item = items.create_item(
        department=department(), name="未发布事项", item_type="GG", actor=author
    )
    assert client.get(item.get_absolute_url()).status_code == 404


def test_pdf_contains_chinese_name_and_materials(client):
    item = published_item()
    response = client.get(reverse("catalog:guide-pdf", args=[item.implementation_code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "内地居民婚姻登记" in text
    assert "需要您提交的材料" in text
    assert "本人近期2寸半身免冠合影照片" in text


def test_guide_json_export(client):
    item = published_item()
    response = client.get(reverse("catalog:guide-json", args=[item.implementation_code]))
    body = response.json()
    assert body["implementation_code"] == item.implementation_code
    assert body["version"] == 1
    assert [m["provided_by"] for m in body["materials"]] == [
        "hall",
        "hall",
        "applicant",
        "applicant",
    ]
    assert "manual_notes" not in body


def test_follow_on_items_are_derived_from_prerequisites(client):
    marriage = published_item()
    child = settlement_item(
        aliases="", relations=[{"kind": "prerequisite", "target": marriage.implementation_code}]
    )
    html = client.get(marriage.get_absolute_url()).content.decode()
    assert "后置事项（办完后可继续办理）" in html and "夫妻投靠入户" in html
    html = client.get(child.get_absolute_url()).content.decode()
    assert "前置事项（需先办理）" in html and "内地居民婚姻登记" in html


def test_manual_shows_integrity_risks_to_staff_only(client):
    item = published_item()
    assert "双人复核" not in client.get(item.get_absolute_url()).content.decode()
    client.force_login(editor())
    html = client.get(reverse("catalog:manual", args=[item.implementation_code])).content.decode()
    assert "廉政风险点" in html and "双人复核，系统比对婚姻状况" in html


def test_doc_for_is_reusable():
    # The shared document must stay valid for other tests (guards the factory itself).
    assert doc_for()["promised_limit_days"] == 0
