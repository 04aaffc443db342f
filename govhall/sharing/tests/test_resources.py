"""Registering shared resources on the workbench: the owner department's approvers and
hall administrators, items the department is the authoritative source of, Chinese
refusals naming the field, one transaction, audited."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from govhall.core.errors import Refusal
from govhall.core.models import AuditEntry
from govhall.regions.models import Department, Post
from govhall.sharing.models import Approval, Resource, ResourceField, SharingType
from govhall.sharing.services import approvals, resources
from tests.common import staff

from .support import county, marriage_resource, owner

pytestmark = pytest.mark.django_db

NEW = "/workbench/sharing/resources/new/"
BASIS = "《婚姻登记条例》（国务院令第387号）"


def police() -> Department:
    return Department.objects.get(region_id="440000", name="广东省公安厅")


def _desk(user) -> Client:
    desk = Client()
    desk.force_login(user)
    return desk


def _form(**changes) -> dict:
    data = {
        "owner": owner().pk,
        "library": "population",
        "code": "RK-DB",
        "name": "人口库低保信息",
        "description": "最低生活保障状态及纳入日期",
        "items": ["dibao_status", "dibao_since"],
        "sharing_type": SharingType.CONDITIONAL,
        "sharing_condition": "仅用于社会救助审核",
        "update_cycle": "daily",
        "legal_basis": "《社会救助暂行办法》（国务院令第649号）",
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_owner_approver_registers_a_resource_with_its_own_items_audited():
    approver = staff(Post.APPROVER, owner())
    desk = _desk(approver)
    assert "登记共享资源" in desk.get("/workbench/sharing/").content.decode()
    start = desk.get(NEW)
    assert start.status_code == 200 and owner().name in start.content.decode()
    page = desk.get(f"{NEW}?owner={owner().pk}&library=population").content.decode()
    assert "婚姻状况" in page and "最低生活保障状态" in page
    assert "户籍状态" not in page  # public security's datum: not offered by civil affairs
    answer = desk.post(NEW, _form())
    assert answer.status_code == 302, answer.content.decode()[-3000:]
    assert answer["Location"] == "/workbench/sharing/resources/RK-DB/edit/?saved=1"
    resource = Resource.objects.get(code="RK-DB")
    assert (resource.owner, resource.sharing_type, resource.update_cycle) == (
        owner(),
        "conditional",
        "daily",
    )
    assert list(resource.fields.values_list("code", "name")) == [
        ("dibao_status", "最低生活保障状态"),
        ("dibao_since", "纳入低保日期"),
    ]
    entries = AuditEntry.objects.filter(object_type__startswith="sharing.resource")
    assert {e.object_type for e in entries} == {"sharing.resource", "sharing.resourcefield"}
    assert {e.reason for e in entries} == {"登记共享资源"}
    assert {e.actor_id for e in entries} == {approver.pk}
    assert "已保存" in desk.get(answer["Location"]).content.decode()


def test_refusals_are_in_chinese_and_name_each_field_and_nothing_is_written():
    desk = _desk(staff(Post.HALL_ADMIN, owner()))
    answer = desk.post(
        NEW,
        _form(code="坏 代码", items=[], sharing_condition="", legal_basis="", name=""),
    )
    assert answer.status_code == 200
    html = answer.content.decode()
    for message in ("“资源代码”须为", "请填写“资源名称”", "请至少选择一个“数据项”"):
        assert message in html
    assert "须写明“共享条件”" in html and "请填写“共享依据”" in html
    assert not Resource.objects.exists()
    # Items of another source, a taken code: refused by the service, naming field and owner.
    marriage_resource()
    with pytest.raises(Refusal) as refused:
        resources.save(
            staff(Post.APPROVER, owner()),
            resources.ResourceData(
                code="RK-HYDJ",
                name="错误资源",
                owner=owner(),
                library="population",
                sharing_type=SharingType.NONE,
                update_cycle="daily",
                legal_basis="",
                fields=["marital_status", "household_status"],
            ),
        )
    problems = {p.field: p.message for p in refused.value.problems}
    assert "已被其他共享资源使用" in problems["code"]
    assert "权威来源部门是广东省公安厅" in problems["fields.household_status"]
    assert "不予共享的法律法规或政策依据" in problems["legal_basis"]
    assert Resource.objects.count() == 1


def test_only_the_owners_deciding_posts_register_and_edit():
    marriage_resource()
    clerk = _desk(staff(Post.CLERK, owner()))
    assert clerk.get(NEW).status_code == 403
    assert clerk.get("/workbench/sharing/resources/RK-HYDJ/edit/").status_code == 404
    other = _desk(staff(Post.APPROVER, police()))
    assert other.get("/workbench/sharing/resources/RK-HYDJ/edit/").status_code == 404
    # Posting another department as owner is denied, not saved.
    answer = other.post(NEW, _form())
    assert answer.status_code == 200  # back to choosing: the department is not theirs
    assert not Resource.objects.filter(code="RK-DB").exists()
    with pytest.raises(Refusal) as refused:
        resources.save(
            staff(Post.APPROVER, police()),
            resources.ResourceData(
                code="RK-X",
                name="x",
                owner=owner(),
                library="population",
                sharing_type="unconditional",
                update_cycle="daily",
                legal_basis=BASIS,
                fields=["marital_status"],
            ),
        )
    assert refused.value.denied


def test_editing_keeps_items_an_approval_covers_and_is_atomic(monkeypatch):
    resource = marriage_resource()
    approval = approvals.request_access(
        staff(Post.CLERK, county()),
        requester=county(),
        resource=resource,
        fields=["marital_status"],
        purpose="最低生活保障审批",
        legal_basis="《社会救助暂行办法》第十一条",
        valid_until=datetime.date.today() + datetime.timedelta(days=30),
    )
    approvals.approve(staff(Post.APPROVER, owner()), approval)
    approver = staff(Post.APPROVER, owner())
    desk = _desk(approver)
    url = "/workbench/sharing/resources/RK-HYDJ/edit/"
    page = desk.get(url).content.decode()
    assert 'value="RK-HYDJ"' in page and "婚姻登记机关" in page
    edit = _form(code="RK-HYDJ", name="人口库婚姻登记信息", legal_basis=BASIS)
    edit["items"] = ["spouse_name"]  # drops 婚姻状况, which the county's approval covers
    answer = desk.post(url, edit)
    assert answer.status_code == 200
    assert "仍在" in answer.content.decode() and county().name in answer.content.decode()
    assert set(resource.fields.values_list("code", flat=True)) == {
        "marital_status",
        "spouse_name",
        "marriage_registered_on",
        "marriage_registry",
    }
    edit["items"] = ["marital_status", "spouse_name"]  # drops two items nobody was granted
    edit["sharing_type"] = SharingType.UNCONDITIONAL
    assert desk.post(url, edit).status_code == 302
    resource.refresh_from_db()
    assert resource.sharing_type == "unconditional" and resource.update_cycle == "daily"
    assert list(resource.fields.values_list("code", flat=True)) == ["marital_status", "spouse_name"]
    removed = AuditEntry.objects.filter(
        object_type="sharing.resourcefield", action="delete", reason="修改共享资源"
    )
    assert removed.count() == 2

    # A failure part-way leaves the resource as it was.
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ResourceField.objects, "create", broken)
    with pytest.raises(RuntimeError):
        resources.save(
            approver,
            resources.ResourceData(
                code="RK-HYDJ",
                name="改名",
                owner=owner(),
                library="population",
                sharing_type=SharingType.NONE,
                update_cycle="yearly",
                legal_basis=BASIS,
                fields=["marital_status", "spouse_name", "marriage_registry"],
            ),
            resource=resource,
        )
    resource.refresh_from_db()
    assert (resource.name, resource.sharing_type) == ("人口库婚姻登记信息", "unconditional")
    assert Approval.objects.get().status == Approval.Status.APPROVED
