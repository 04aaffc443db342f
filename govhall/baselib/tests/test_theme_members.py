"""Thematic libraries' members: a staff page and an API, masked, a page at a time, limited
to the reader's regions and posts, each member shown logged for them (谁用了我的数据)."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.test import Client

from govhall.baselib.data import attributes as catalogue
from govhall.baselib.services import themes, updates
from govhall.core.identifiers import make_id_number, mask_id_number
from govhall.regions.models import Department, Post
from govhall.spaces.models import DataRead
from tests.common import applicant, staff
from tests.factories import bearer_header

from .conftest import department, household

pytestmark = pytest.mark.django_db

MEMBERS_URL = "/api/v1/baselib/themes/dibao_households/members"


def _number(region: str, n: int) -> str:
    return make_id_number(region, datetime.date(1960, 3, n + 1), 100 + n)


def _on_dibao(number: str, since: str = "2020-01-01") -> dict:
    return {
        "record_ref": f"MZ-DB-{number[-6:]}",
        "department": department(catalogue.CIVIL_AFFAIRS).credit_code,
        "subject_kind": "person",
        "key": number,
        "as_of": f"{since}T09:00:00+08:00",
        "values": {"dibao_status": "1", "dibao_since": since},
    }


@pytest.fixture
def people():
    """Three 低保 members in 蓬江区 (one with an account), one in 广州, one not on 低保."""
    cache.clear()
    account = applicant()
    local = [account.person.id_number, _number("440703", 1), _number("440703", 2)]
    elsewhere = _number("440106", 3)
    not_member = _number("440703", 4)
    records = []
    for n, number in enumerate([*local, elsewhere, not_member]):
        region = "440106" if number == elsewhere else "440703"
        record = household(number, f"测试人{n}", ref=f"GA-T{n}")
        record["values"]["household_region"] = region
        records.append(record)
    records += [_on_dibao(number) for number in [*local, elsewhere]]
    results = updates.ingest(records)
    assert {r.status for r in results} == {"applied"}, [r.errors for r in results]
    return {"local": local, "elsewhere": elsewhere, "not_member": not_member, "account": account}


def _county_department() -> Department:
    return Department.objects.filter(region_id="440703").order_by("pk").first()


def test_county_clerk_sees_the_county_members_masked_and_each_read_is_logged(people):
    themes.refresh_counts()
    clerk = staff(Post.CLERK, _county_department())
    desk = Client()
    desk.force_login(clerk)
    listing = desk.get("/workbench/baselib/themes/").content.decode()
    assert 'href="/workbench/baselib/themes/dibao_households/"' in listing
    page = desk.get("/workbench/baselib/themes/dibao_households/")
    assert page.status_code == 200
    html = page.content.decode()
    for number in people["local"]:
        assert number not in html and mask_id_number(number) in html
    assert mask_id_number(people["elsewhere"]) not in html  # another city's
    assert mask_id_number(people["not_member"]) not in html  # not on 低保
    assert "测试人1" in html and "2020-01-01" in html
    assert "全库共4条" in html  # the nightly count, province-wide, beside the county's list
    reads = DataRead.objects.filter(reader_user=clerk)
    assert reads.count() == 3
    mine = reads.get(subject_user=people["account"].user)  # the one with an account sees it
    assert mine.source == "sharing" and "低保对象" in mine.purpose
    assert mine.reader_department == _county_department()
    assert "姓名" in mine.fields and "纳入低保日期" in mine.fields


def test_catalogue_editors_are_refused_and_provincial_staff_see_every_region(people):
    editor = staff(Post.CATALOGUE_EDITOR, _county_department())
    desk = Client()
    desk.force_login(editor)
    assert desk.get("/workbench/baselib/themes/dibao_households/").status_code == 403
    assert 'href="/workbench/baselib/themes/dibao_households/"' not in (
        desk.get("/workbench/baselib/themes/").content.decode()
    )
    denied = Client().get(MEMBERS_URL, **bearer_header(editor, scope="openid staff"))
    assert denied.status_code == 403
    assert not DataRead.objects.exists()
    provincial = staff(Post.SUPERVISOR, department(catalogue.CIVIL_AFFAIRS))
    body = Client().get(MEMBERS_URL, **bearer_header(provincial, scope="openid staff")).json()
    assert len(body["results"]) == 4
    assert Client().get(MEMBERS_URL).status_code == 401


def test_api_pages_through_the_members_with_keyset_links(people):
    clerk = staff(Post.REVIEWER, _county_department())
    auth = bearer_header(clerk, scope="openid staff")
    first = Client().get(f"{MEMBERS_URL}?page_size=2&purpose=核对低保名单", **auth)
    assert first.status_code == 200, first.content
    body = first.json()
    assert body["theme"]["name"] == "低保对象"
    assert [c["code"] for c in body["columns"]] == ["name", "household_region", "dibao_since"]
    assert len(body["results"]) == 2 and body["previous"] is None
    assert all(re.fullmatch(r"\d{4}\*{10}[0-9X]{4}", r["subject"]) for r in body["results"])
    assert body["results"][0]["values"]["dibao_since"] == "2020-01-01"
    second = Client().get(body["next"], **auth).json()
    assert len(second["results"]) == 1 and second["next"] is None
    back = Client().get(second["previous"], **auth).json()
    assert [r["id"] for r in back["results"]] == [r["id"] for r in body["results"]]
    seen = {r["subject"] for r in body["results"] + second["results"]}
    assert seen == {mask_id_number(n) for n in people["local"]}
    text = first.content.decode() + str(second)
    assert not any(number in text for number in people["local"])
    assert DataRead.objects.filter(reader_user=clerk).count() == 5  # 2 + 1 + 2 shown
    assert DataRead.objects.filter(purpose__contains="核对低保名单").count() == 2
    bad = Client().get(f"{MEMBERS_URL}?page_size=0", **auth)
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "page_size"
    unknown = Client().get("/api/v1/baselib/themes/nope/members", **auth)
    assert unknown.status_code == 404


def test_a_company_theme_lists_credit_codes_and_the_company_sees_the_read():
    from govhall.accounts.tests.factories import CompanyFactory

    company = CompanyFactory()
    registered = {
        "record_ref": "SC-REG-1",
        "department": department(catalogue.MARKET_REGULATION).credit_code,
        "subject_kind": "company",
        "key": company.credit_code,
        "as_of": "2019-04-01T09:00:00+08:00",
        "values": {"name": company.name, "region_code": "440703", "registration_status": "1"},
    }
    licensed = {
        "record_ref": "SP-1",
        "department": department(catalogue.FOOD_DRUG).credit_code,
        "subject_kind": "company",
        "key": company.credit_code,
        "as_of": "2019-05-01T09:00:00+08:00",
        "values": {"food_licence_no": "JY14407030001234"},
    }
    assert [r.status for r in updates.ingest([registered, licensed])] == ["applied", "applied"]
    clerk = staff(Post.APPROVER, _county_department())
    body = (
        Client()
        .get(
            "/api/v1/baselib/themes/food_licence_holders/members",
            **bearer_header(clerk, scope="openid staff"),
        )
        .json()
    )
    [row] = body["results"]
    assert row["subject"] == company.credit_code  # public: not masked
    assert row["values"] == {
        "name": company.name,
        "food_licence_no": "JY14407030001234",
        "region_code": "440703",
    }
    read = DataRead.objects.get(subject_company=company)
    assert read.reader_user == clerk and "统一社会信用代码" in read.fields
