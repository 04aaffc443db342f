"""The one-door counter: find or open the person, search an item, take the application;
the case (channel counter, one visit) continues in the responsible department."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from govhall.accounts.models import Person
from govhall.cases.models import Case, CaseState, Channel, MaterialSource
from govhall.cases.tests import factories as f
from govhall.core.identifiers import make_id_number
from govhall.regions.models import Post
from tests.factories import StaffPostFactory

from .staff_support import civil_affairs, clerk, field_error, signed_in, staff

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("desk")]

COUNTER = "/workbench/counter/"


@pytest.fixture
def service_centre():
    return f.department("江门市行政服务中心")


def find(client, id_number):
    return client.post(COUNTER, {"step": "find", "find-id_number": id_number})


def test_counter_intake_for_another_departments_item(client, service_centre):
    civil = civil_affairs()
    item = f.item(civil)
    county_item = f.item(civil_affairs(f.PENGJIANG), name="城乡居民最低生活保障申请（县级）")
    chaozhou_item = f.item(civil_affairs(f.CHAOZHOU), name="城乡居民最低生活保障申请（潮州）")
    person = f.applicant(name="陈阿婆").person
    window = clerk(service_centre)
    signed_in(client, window)

    html = client.get(COUNTER).content.decode()
    assert "江门市行政服务中心" in html and "查找办事人" in html

    response = find(client, "44070319900101000")
    assert response.status_code == 400
    assert "身份证号码" in field_error(response.content.decode(), "id_find-id_number")

    response = find(client, person.id_number)
    assert response.status_code == 302
    html = client.get(COUNTER).content.decode()
    assert "陈阿婆" in html and person.masked_id_number in html
    assert person.id_number not in html

    html = client.get(COUNTER + "?q=最低生活保障").content.decode()
    assert f"/workbench/counter/items/{item.implementation_code}/" in html
    assert f"/workbench/counter/items/{county_item.implementation_code}/" in html  # 全城通办
    assert chaozhou_item.implementation_code not in html
    assert (
        client.get(f"/workbench/counter/items/{chaozhou_item.implementation_code}/").status_code
        == 404
    )

    intake = f"/workbench/counter/items/{item.implementation_code}/"
    html = client.get(intake).content.decode()
    assert "家庭人口（必填）" in html and "当“是否已婚”为“是”时填写。" in html
    assert "居民户口簿" in html and "由大厅通过共享数据获取，无需提供。" in html

    response = client.post(intake, {"answer_household_size": "abc", "accept_now": "on"})
    assert response.status_code == 400
    html = response.content.decode()
    assert field_error(html, "id_answer_household_size") == "“家庭人口”须为数字。"
    assert field_error(html, "id_answer_married") == "“是否已婚”为必填项。"
    assert field_error(html, "id_scan_0") == "请上传“申请书”的扫描件，或勾选已核验纸质原件。"
    assert field_error(html, "id_contact_phone") == "“联系电话”为必填项。"
    assert not Case.objects.filter(person=person).exists()

    response = client.post(
        intake,
        {
            "answer_household_size": "3",
            "answer_married": "false",
            "scan_0": SimpleUploadedFile("申请书.txt", b"plain text", content_type="text/plain"),
            "paper_2": "on",
            "contact_phone": "13800138000",
            "accept_now": "on",
        },
    )
    assert (
        field_error(response.content.decode(), "id_scan_0") == "只能上传PDF、JPG或PNG格式的文件。"
    )

    response = client.post(
        intake,
        {
            "answer_household_size": "3",
            "answer_married": "false",
            "scan_0": f.pdf("申请书"),
            "paper_2": "on",
            "contact_phone": "13800138000",
            "accept_now": "on",
        },
        follow=True,
    )
    case = Case.objects.get(person=person)
    assert response.redirect_chain[-1][0] == f"/workbench/counter/taken/{case.number}/"
    html = response.content.decode()
    assert case.number in html and f'href="/workbench/cases/{case.number}/"' in html
    assert (case.channel, case.visits, case.state) == (Channel.COUNTER, 1, CaseState.IN_PROGRESS)
    assert case.department == civil and case.accepting_department == service_centre
    assert case.application.answers == {"household_size": 3, "married": False}
    sources = dict(case.application.materials.values_list("key", "source"))
    assert sources == {
        "N:申请书": MaterialSource.COUNTER_SCAN,
        "N:房屋租赁合同": MaterialSource.PAPER,
    }
    scanned = case.application.materials.get(key="N:申请书").file
    assert scanned.owner == person.user and scanned.scanned_at_counter

    # The case continues in the responsible department's inbox (承办 at 民政局).
    client.force_login(clerk(civil))
    html = client.get("/workbench/cases/").content.decode()
    assert case.number in html and '<td data-label="环节">承办</td>' in html
    html = client.get(f"/workbench/cases/{case.number}/").content.decode()
    assert "实体大厅窗口" in html and "受理窗口" in html and "江门市行政服务中心" in html


def test_opening_an_account_for_someone_without_one(client, service_centre):
    window = clerk(service_centre)
    signed_in(client, window)
    number = make_id_number("440704", datetime.date(1956, 3, 8), 321)

    response = find(client, number)
    assert response.status_code == 200
    html = response.content.decode()
    assert "未找到该身份证号码的账号，请核验身份证后为其开户。" in html
    assert f'value="{number}"' in html  # carried into the account form

    data = {"step": "open", "open-id_number": number, "open-name": "黄伯", "open-mobile": "123"}
    response = client.post(COUNTER, data)
    assert response.status_code == 400
    assert (
        field_error(response.content.decode(), "id_open-mobile") == "“手机号码”须为11位手机号码。"
    )

    data["open-mobile"] = "13912345678"
    response = client.post(COUNTER, data, follow=True)
    person = Person.objects.get(id_number_index=Person.index_for(number))
    assert person.name == "黄伯" and person.source == Person.Source.COUNTER
    said = [str(m) for m in response.context["messages"]]
    assert said == [f"已为办事人开户并完成窗口实名核验：黄伯（{person.masked_id_number}）。"]

    client.post(COUNTER, {"step": "clear"})
    assert "黄伯" not in client.get(COUNTER).content.decode()
    response = client.post(COUNTER, data)
    assert field_error(response.content.decode(), "id_open-id_number") == (
        "该身份证号码已有账号，请直接查找。"
    )


def test_a_clerk_of_several_departments_picks_the_window_first(client, service_centre):
    window = clerk(service_centre)
    county_centre = f.dept_like("政务服务中心", f.PENGJIANG)
    StaffPostFactory(user=window, department=county_centre, post=Post.CLERK)
    signed_in(client, window)
    html = client.get(COUNTER).content.decode()
    assert "受理窗口所属部门" in html and "查找办事人" not in html
    client.post(COUNTER, {"step": "department", "desk-department": str(county_centre.pk)})
    html = client.get(COUNTER).content.decode()
    assert f"当前窗口：{county_centre.name}" in html and "查找办事人" in html
    response = client.post(COUNTER, {"step": "department", "desk-department": "999999"})
    assert response.status_code == 400


def test_only_counter_clerks_use_the_counter(client):
    signed_in(client, staff(Post.REVIEWER, civil_affairs()))
    response = client.get(COUNTER)
    assert response.status_code == 403
    assert "只有窗口受理人员可以使用综合窗口。" in response.content.decode()


def test_intake_without_a_person_goes_back_to_the_counter(client, service_centre):
    item = f.item(civil_affairs())
    signed_in(client, clerk(service_centre))
    response = client.get(f"/workbench/counter/items/{item.implementation_code}/", follow=True)
    assert response.redirect_chain[-1][0] == COUNTER
    assert "请先选择窗口部门并查找办事人。" in [str(m) for m in response.context["messages"]]
