"""The editorial journey through the workbench pages, as staff use it."""

import re

import pytest
from django.urls import reverse

from govhall.catalog.models import Item, ItemVersion
from govhall.catalog.services import documents

from .factories import department, editor, published_item, reviewer

pytestmark = pytest.mark.django_db


def _management(prefix, total, initial):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def form_data(version, submit=False, **changes) -> dict:
    """POST data of the edit page for the version's current content, with changes."""
    doc = documents.content_document(version)
    doc.update(changes)
    data = {}
    for name in [n for n in documents.SCALAR_NAMES if n not in ("change_type",)]:
        value = doc[name]
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = str(value)
    for key in ("audiences", "themes", "channels", "delivery"):
        data[key] = doc[key]
    for key in ("materials", "steps", "fees", "special_procedures", "faqs", "relations"):
        rows = doc[key]
        data.update(_management(key, len(rows), len(rows)))
        for index, row in enumerate(rows):
            for field, value in row.items():
                if isinstance(value, bool):
                    if value:
                        data[f"{key}-{index}-{field}"] = "on"
                elif value is not None:
                    data[f"{key}-{index}-{field}"] = str(value)
    if submit:
        data["save_submit"] = "1"
    return data


def test_editor_reviewer_journey_in_the_workbench(client):
    item = published_item()
    author, checker = editor(), reviewer()
    client.force_login(author)
    response = client.post(
        reverse("catalog:draft-create", args=[item.implementation_code]),
        {"change_type": "change", "change_summary": "延长办理时间"},
    )
    draft = item.versions.get(number=2)
    assert response.url == reverse("catalog:version-edit", args=[draft.pk])
    page = client.get(response.url)
    assert page.status_code == 200
    assert "编辑“内地居民婚姻登记”第2版" in page.content.decode()

    # A contradiction is refused with the rule, on the field.
    bad = form_data(draft, depth="4")
    response = client.post(reverse("catalog:version-edit", args=[draft.pk]), bad)
    assert response.status_code == 400
    html = response.content.decode()
    assert "网上办理深度为四级（全程网办）时，到现场次数必须为0。" in html
    draft.refresh_from_db()
    assert draft.depth == 2

    good = form_data(draft, office_hours="周一至周六 9:00-17:00", submit=True)
    response = client.post(reverse("catalog:version-edit", args=[draft.pk]), good)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == ItemVersion.State.SUBMITTED

    client.force_login(checker)
    response = client.post(
        reverse("catalog:version-action", args=[draft.pk, "return"]),
        {"comment": "周六办理须有大厅排班依据", "legality_ok": "on"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == ItemVersion.State.RETURNED
    assert (
        "周六办理须有大厅排班依据"
        in client.get(reverse("catalog:version", args=[draft.pk])).content.decode()
    )

    client.force_login(author)
    response = client.post(reverse("catalog:version-action", args=[draft.pk, "revise"]))
    fixed = item.versions.get(number=3)
    assert response.url == reverse("catalog:version-edit", args=[fixed.pk])
    response = client.post(
        response.url, form_data(fixed, office_hours="周一至周五 8:30-17:30", submit=True)
    )
    assert response.status_code == 302

    client.force_login(checker)
    client.post(
        reverse("catalog:version-action", args=[fixed.pk, "approve"]),
        {"legality_ok": "on", "compliance_ok": "on", "comment": "同意"},
    )
    client.post(reverse("catalog:version-action", args=[fixed.pk, "publish"]))
    item.refresh_from_db()
    assert item.current_id == fixed.pk

    # The old version is still readable at its own URL, and the diff shows the change.
    old = client.get(reverse("catalog:guide-version", args=[item.implementation_code, 1]))
    assert old.status_code == 200
    assert "这是历史版本（第1版）" in old.content.decode()
    assert "周一至周五 9:00-12:00，14:30-17:30" in old.content.decode()
    diff = client.get(
        reverse("catalog:diff", args=[item.implementation_code]) + "?from=1&to=3"
    ).content.decode()
    assert "办理时间" in diff and "周一至周五 8:30-17:30" in diff


def test_other_department_editor_is_refused(client):
    item = published_item()
    outsider = editor(department("江门市公安局"))
    client.force_login(outsider)
    response = client.get(reverse("catalog:item", args=[item.implementation_code]))
    assert response.status_code == 403
    assert "不在您的事项管理范围内" in response.content.decode()
    response = client.post(
        reverse("catalog:draft-create", args=[item.implementation_code]),
        {"change_type": "change"},
    )
    assert response.status_code == 403
    assert item.versions.count() == 1
    version = item.current
    response = client.post(reverse("catalog:version-edit", args=[version.pk]), {})
    assert response.status_code == 403


def test_create_item_page_generates_codes(client):
    author = editor()
    client.force_login(author)
    dept = department()
    response = client.post(
        reverse("catalog:item-create"),
        {"department": dept.pk, "item_type": "GG", "name": "婚姻登记档案查询"},
    )
    item = Item.objects.get(name="婚姻登记档案查询")
    assert re.fullmatch(r"GG\d{5}000", item.basic_code)
    assert item.implementation_code == dept.credit_code + "3" + item.basic_code
    assert response.url == reverse("catalog:version-edit", args=[item.latest_version.pk])


def test_desk_lists_tasks_and_items(client):
    item = published_item()
    client.force_login(editor())
    html = client.get(reverse("catalog:desk")).content.decode()
    assert item.name in html
    client.force_login(editor(department("江门市公安局")))
    html = client.get(reverse("catalog:desk")).content.decode()
    assert item.name not in html


def test_desk_navigation_links_to_desk_pages(client):
    """The desk's own URL names must not be shadowed by portal pages of the same name."""
    client.force_login(reviewer())
    html = client.get(reverse("catalog:desk")).content.decode()
    for path in (
        "/workbench/catalog/scenarios/",
        "/workbench/catalog/rates/",
        "/workbench/catalog/import/",
        "/workbench/catalog/items/new/",
    ):
        assert f'href="{path}"' in html, path
