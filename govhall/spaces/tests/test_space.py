"""The citizen page and the company page: one page, only one's own, counted per city."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from govhall.accounts.services.acting import Identity
from govhall.accounts.tests.factories import AgentGrantFactory
from govhall.cases.services import handling
from govhall.cases.tests import factories as f
from govhall.licences.tests import factories as lf
from govhall.regions.models import Post

from ..models import SpaceKind, SpaceOpening, SpaceUse
from .helpers import _private_media, company_licence, person_licence, signed_in  # noqa: F401

pytestmark = pytest.mark.django_db


def page(client) -> str:
    response = client.get(reverse("spaces:home"))
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


def test_the_citizen_page_shows_a_real_timeline_licences_materials_and_messages():
    dept = f.department("江门市民政局")
    me = f.applicant(name="张小明")
    case = f.submitted(f.item(dept), me)
    handling.accept(case, f.staff(Post.CLERK, dept))
    case.refresh_from_db()
    licence = person_licence(me, valid_until=timezone.localdate() + datetime.timedelta(days=40))
    html = page(signed_in(me))
    assert "市民个人网页" in html and "张小明" in html
    assert case.number in html and "当前环节" in html
    assert "承办（江门市民政局）" in html  # which step, which department
    assert case.promised_due.strftime("%Y-%m-%d") in html  # the promised date
    assert case.statutory_due.strftime("%Y-%m-%d") in html  # the statutory deadline
    assert "下一步" in html and "审核" in html  # what happens next
    assert licence.number in html and "40天后到期" in html
    assert "申请书" in html  # the materials stored when applying
    assert "申请已受理" in html  # the message of the acceptance


def test_a_person_sees_only_their_own_cases_licences_and_messages():
    me, other = f.applicant(), f.applicant()
    mine = f.submitted(f.item(), me)
    theirs = f.submitted(f.item(), other)
    their_licence = person_licence(other)
    html = page(signed_in(me))
    assert mine.number in html
    assert theirs.number not in html and their_licence.number not in html
    body = signed_in(me).get("/api/v1/my/space").json()
    numbers = [c["case_number"] for c in body["open_cases"]]
    assert numbers == [mine.number]
    assert body["kind"] == "person" and body["licences"] == []


def test_the_company_page_is_for_its_authorised_people_within_their_powers():
    agent = f.company_agent()  # the legal representative: every power
    company = agent.company
    company_case = f.submitted(f.item(audiences=["1", "2"], name="企业测试事项"), agent)
    licence = company_licence(company)
    own_case = f.submitted(f.item(), Identity(user=agent.user, person=agent.person))
    html = page(signed_in(agent))
    assert "企业专属网页" in html and company.name in html
    assert company_case.number in html and licence.number in html
    assert own_case.number not in html  # the representative's own case is on their page

    # an agent granted "apply" and "view_cases" only: cases yes, licences no
    grant = AgentGrantFactory(company=company)
    helper = Identity(user=grant.agent.user, person=grant.agent, company=company)
    html = page(signed_in(helper))
    assert company_case.number in html and licence.number not in html
    assert "领取证照" in html and grant.agent.name in html  # the staff who may act

    # a person with no grant cannot act for the company: the session choice is dropped
    stranger = f.applicant()
    html = page(signed_in(Identity(user=stranger.user, person=stranger.person, company=company)))
    assert "市民个人网页" in html and company_case.number not in html
    body = (
        signed_in(Identity(user=stranger.user, person=stranger.person, company=company))
        .get("/api/v1/my/space")
        .json()
    )
    assert body["kind"] == "person" and body["open_cases"] == []


def test_an_agent_whose_grant_ended_no_longer_sees_the_company():
    agent = f.company_agent()
    case = f.submitted(f.item(audiences=["1", "2"], name="企业测试事项"), agent)
    grant = AgentGrantFactory(
        company=agent.company,
        valid_from=timezone.localdate() - datetime.timedelta(days=30),
        valid_until=timezone.localdate() - datetime.timedelta(days=1),
    )
    html = page(
        signed_in(Identity(user=grant.agent.user, person=grant.agent, company=agent.company))
    )
    assert case.number not in html


def test_opening_counts_once_and_each_month_of_use_once():
    me = f.applicant()
    client = signed_in(me)
    page(client)
    page(client)
    client.get("/api/v1/my/space")
    opening = SpaceOpening.objects.get(user=me.user)
    assert opening.kind == SpaceKind.PERSON
    assert opening.city_code == "440700"  # the ID number's county 440703 is in Jiangmen
    assert SpaceUse.objects.filter(opening=opening).count() == 1

    agent = f.company_agent()
    page(signed_in(agent))
    company = SpaceOpening.objects.get(company=agent.company)
    assert company.kind == SpaceKind.COMPANY and company.city_code == "440700"


def test_signed_out_visitors_are_sent_to_sign_in_and_the_api_says_401():
    response = Client().get(reverse("spaces:home"))
    assert response.status_code == 302 and "login" in response["Location"]
    response = Client().get("/api/v1/my/space")
    assert response.status_code in (401, 403)
    assert response.json()["errors"][0]["message"]


def test_a_concluded_case_links_the_licence_it_issued():
    me = f.applicant()
    lf.licence_type(issuers=[f.department("江门市民政局")])
    case, _clerk = lf.concluded_case(identity=me)
    html = page(signed_in(me))
    assert case.number in html and "办理结果" in html
    body = signed_in(me).get("/api/v1/my/space").json()
    (recent,) = body["recent_cases"]
    assert recent["licence_number"] and recent["stages"][-1]["state"] == "done"


def test_the_company_page_lists_its_lifecycle_stages_with_the_companys_cases_in_each():
    from govhall.catalog.services import themes

    for code, name in (
        ("c01", "企业设立变更"),
        ("c02", "企业准营准办"),
        ("c04", "年检年审"),
        ("c32", "法人注销"),
    ):
        themes.upsert_theme(code=code, name=name, audience="company", sort_order=1)
    agent = f.company_agent()
    f.submitted(f.item(audiences=["1", "2"], name="食品经营许可", themes=["c02"]), agent)
    f.submitted(f.item(audiences=["1", "2"], name="个人事项", themes=["c02"]))  # not theirs
    html = page(signed_in(agent))
    assert "企业全生命周期事项" in html
    region = agent.company.credit_code[2:8]
    assert f'href="/themes/c02/?region={region}"' in html
    stages = html[html.index("企业全生命周期事项") :]
    assert stages.index("准营") < stages.index("本企业已办1件") < stages.index("经营")
    assert "本平台暂无企业年报报送状态数据" in html
    # a person's own page has none of it
    assert "企业全生命周期事项" not in page(signed_in(f.applicant()))


def test_a_case_card_links_its_printable_documents():
    dept = f.department("江门市民政局")
    me = f.applicant()
    case = f.submitted(f.item(dept), me)
    handling.accept(case, f.staff(Post.CLERK, dept))
    html = page(signed_in(me))
    for kind in ("receipt", "acceptance"):
        assert f"/my/cases/{case.number}/documents/{kind}.pdf" in html
