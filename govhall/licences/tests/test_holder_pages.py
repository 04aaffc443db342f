"""我的证照 pages: list, detail with 亮证 and history, PDF download, who used it, one-time
share links (masked ID, used once, revocable), and nobody else's licence."""

import datetime
import os
import re

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from govhall.accounts.services import acting
from govhall.accounts.tests.factories import AgentGrantFactory
from govhall.cases.tests import factories as cf
from govhall.core.models import AuditEntry
from tests.browser.helpers import PHONE, describe_violations, run_axe
from tests.common import signed_in

from ..models import LicenceShare, LicenceUse
from ..services import issuing, sharing, uses
from . import factories as f

pytestmark = pytest.mark.django_db


def person_licence(identity=None):
    return f.person_licence(identity, spouse_name="李小红")


def page(client, url, status=200, **kwargs) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == status, response.content.decode()[:800]
    return response.content.decode()


def test_the_list_shows_my_licences_only():
    licence, identity = person_licence()
    other, _ = person_licence(cf.applicant(name="王五"))
    html = page(signed_in(identity), reverse("licences:my-licences"))
    assert licence.number in html and "最低生活保障证" in html
    assert "江门市民政局" in html and 'class="state state-valid"' in html
    assert "2026-01-01" in html and "2028-12-31" in html
    assert other.number not in html
    # The applicant navigation leads here.
    assert 'href="/my/licences/" aria-current="page"' in html


def test_pages_need_a_signed_in_applicant():
    licence, _identity = person_licence()
    for url in (
        reverse("licences:my-licences"),
        reverse("licences:my-licence", args=[licence.pk]),
        reverse("licences:my-licence-pdf", args=[licence.pk]),
        reverse("licences:my-licence-uses"),
    ):
        response = Client().get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url


def test_detail_shows_metadata_history_qr_and_masked_id():
    licence, identity = person_licence()
    approver = cf.staff("approver", licence.issuer)
    issuing.annotate(licence, approver, text="2026年度年检合格", reason="年检")
    licence.refresh_from_db()
    html = page(signed_in(identity), reverse("licences:my-licence", args=[licence.pk]))
    assert "家庭人口" in html and "配偶姓名" in html and "李小红" in html
    assert "2026年度年检合格" in html
    # history: both versions with kind and reason
    assert "签发" in html and "加注" in html and "年检" in html
    # 亮证: an inline SVG QR code with a text alternative and the identifier
    assert re.search(r'<svg viewBox="[^"]+" class="qr-svg"><title>亮证二维码</title>', html)
    assert "<figcaption>" in html and licence.current.identifier in html
    assert reverse("licences:my-licence-pdf", args=[licence.pk]) in html
    assert licence.masked_holder_code in html
    assert identity.person.id_number not in html


def test_someone_elses_licence_is_not_found():
    licence, owner = person_licence()
    share = sharing.create_share(licence, owner.user, hours=24).share
    stranger = signed_in(cf.applicant(name="李四"))
    assert stranger.get(reverse("licences:my-licence", args=[licence.pk])).status_code == 404
    assert stranger.get(reverse("licences:my-licence-pdf", args=[licence.pk])).status_code == 404
    assert stranger.post(reverse("licences:my-licence", args=[licence.pk])).status_code == 404
    revoke = reverse("licences:my-licence-share-revoke", args=[licence.pk, share.pk])
    assert stranger.post(revoke).status_code == 404
    share.refresh_from_db()
    assert sharing.is_open(share)
    assert not LicenceUse.objects.filter(licence=licence).exists()


def test_download_is_a_signed_pdf_and_is_logged_as_a_use():
    licence, identity = person_licence()
    client = signed_in(identity)
    response = client.get(reverse("licences:my-licence-pdf", args=[licence.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"%PDF") and b"/ETSI.CAdES.detached" in response.content
    use = LicenceUse.objects.get(licence=licence)
    assert use.kind == LicenceUse.Kind.DOWNLOAD and use.user == identity.user
    # the second download is the very same file
    again = client.get(reverse("licences:my-licence-pdf", args=[licence.pk]))
    assert again.content == response.content


def test_who_used_my_licence_lists_department_reads():
    licence, identity = person_licence()
    police = cf.department("江门市公安局")
    case = cf.submitted(cf.item(police), identity)
    uses.record_use(
        licence,
        LicenceUse.Kind.REQUEST,
        user=cf.staff("clerk", police),
        department=police,
        case=case,
        purpose="核实家庭情况",
    )
    client = signed_in(identity)
    for url in (
        reverse("licences:my-licence-uses"),
        reverse("licences:my-licence", args=[licence.pk]),
    ):
        html = page(client, url)
        assert "江门市公安局" in html and case.number in html
        assert "核实家庭情况" in html and "部门调取" in html
    # someone else sees none of it
    html = page(signed_in(cf.applicant(name="李四")), reverse("licences:my-licence-uses"))
    assert case.number not in html and "还没有人使用过" in html


def share_link(client, licence, **form) -> str:
    response = client.post(
        reverse("licences:my-licence", args=[licence.pk]), {"hours": "24", **form}
    )
    assert response.status_code == 200, response.content.decode()[:800]
    assert response["Cache-Control"] == "no-store"
    match = re.search(
        r'id="share-link" class="share-link" value="([^"]+)"', response.content.decode()
    )
    assert match, "the new link is shown once"
    return match.group(1)


def test_a_share_link_opens_once_with_the_id_masked_then_is_refused():
    licence, identity = person_licence()
    holder = signed_in(identity)
    url = share_link(holder, licence, purpose="向房东出示")
    path = url.split("127.0.0.1:8000", 1)[-1]
    token = path.rstrip("/").rsplit("/", 1)[-1]
    share = LicenceShare.objects.get(licence=licence)
    assert share.token_hash == sharing.token_hash(token) and token not in share.token_hash

    visitor = Client()
    # GET only asks: a link preview does not use the link up.
    html = page(visitor, path)
    assert "查看证照" in html and licence.number not in html
    share.refresh_from_db()
    assert share.used_at is None

    response = visitor.post(path)
    html = response.content.decode()
    assert response.status_code == 200 and response["Referrer-Policy"] == "same-origin"
    assert licence.number in html and "张小明" in html and "李小红" in html
    assert licence.masked_holder_code in html
    assert identity.person.id_number not in html
    use = LicenceUse.objects.get(licence=licence, kind=LicenceUse.Kind.SHARE)
    assert use.purpose == "向房东出示"

    again = visitor.post(path)
    assert again.status_code == 410 and "链接已使用或已失效" in again.content.decode()
    assert licence.number not in again.content.decode()
    assert LicenceUse.objects.filter(kind=LicenceUse.Kind.SHARE).count() == 1
    # the holder sees that it was viewed
    html = page(holder, reverse("licences:my-licence", args=[licence.pk]))
    assert "被查看" in html and "分享链接查看" in html
    assert AuditEntry.objects.filter(
        object_type="licences.licenceshare", reason="查看证照分享链接"
    ).exists()


def test_share_form_errors_name_the_field():
    licence, identity = person_licence()
    response = signed_in(identity).post(
        reverse("licences:my-licence", args=[licence.pk]), {"hours": "5", "purpose": "x" * 201}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'class="error-summary"' in html
    assert "“链接有效时长”须为1小时、24小时、3天或7天。" in html
    assert "“用途”不能超过200个字。" in html
    assert 'href="#id_hours"' in html and 'href="#id_purpose"' in html
    assert not LicenceShare.objects.exists()


def test_a_revoked_or_expired_link_is_refused():
    licence, identity = person_licence()
    holder = signed_in(identity)
    revoked_url = share_link(holder, licence).split("127.0.0.1:8000", 1)[-1]
    share = LicenceShare.objects.get()
    response = holder.post(reverse("licences:my-licence-share-revoke", args=[licence.pk, share.pk]))
    assert response.status_code == 302
    assert Client().post(revoked_url).status_code == 410

    expired_url = share_link(holder, licence).split("127.0.0.1:8000", 1)[-1]
    LicenceShare.objects.filter(used_at__isnull=True).exclude(pk=share.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert Client().post(expired_url).status_code == 410
    assert not LicenceUse.objects.filter(kind=LicenceUse.Kind.SHARE).exists()
    assert Client().post("/licences/shared/not-a-token/").status_code == 410


def test_a_revoked_licence_cannot_be_shared_or_shown():
    licence, identity = person_licence()
    issuing.revoke(licence, cf.staff("approver", licence.issuer), reason="持证人申请注销")
    client = signed_in(identity)
    html = page(client, reverse("licences:my-licence", args=[licence.pk]))
    assert "已注销" in html and "<svg" not in html and "不能亮证" in html
    response = client.post(reverse("licences:my-licence", args=[licence.pk]), {"hours": "24"})
    assert response.status_code == 400 and "不能分享" in response.content.decode()


def test_company_agents_see_the_companys_licences_with_the_power():
    agent = cf.company_agent()
    licence = f.company_licence(agent.company)
    own, _ = person_licence(cf.applicant())
    html = page(signed_in(agent), reverse("licences:my-licences"))
    assert licence.number in html and agent.company.name in html
    page(signed_in(agent), reverse("licences:my-licence", args=[licence.pk]))

    grant = AgentGrantFactory(company=agent.company)  # apply and view_cases only
    helper = Client()
    helper.force_login(grant.agent.user)
    session = helper.session
    session[acting.SESSION_KEY] = agent.company.pk
    session.save()
    html = page(helper, reverse("licences:my-licences"))
    assert licence.number not in html and "领取证照" in html
    assert helper.get(reverse("licences:my-licence", args=[licence.pk])).status_code == 404
    assert own.number not in html


# --- in a real browser -------------------------------------------------------------------


def check_page(page, where: str, found: list) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), where
    found += [(where, v) for v in run_axe(page) if v["impact"] in {"serious", "critical"}]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_holder_pages_and_a_share_on_a_phone(request):
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    request.getfixturevalue("site")  # the live server, with the reference data committed
    licence, identity = person_licence()
    open_page = request.getfixturevalue("new_page")
    client = Client()
    client.force_login(identity.user)
    page = open_page(viewport=PHONE)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": cookie,
                "url": request.getfixturevalue("site"),
            }
        ]
    )
    found: list = []
    page.goto(reverse("licences:my-licences"))
    check_page(page, "list", found)
    page.get_by_role("link", name="最低生活保障证").click()
    page.wait_for_url(f"**{reverse('licences:my-licence', args=[licence.pk])}")
    check_page(page, "detail", found)
    assert page.get_by_role("img", name="亮证二维码").is_visible()

    page.get_by_label("7天").check()
    page.get_by_label("用途").fill("向房东出示")
    page.get_by_role("button", name="生成分享链接").click()
    link = page.get_by_label("分享链接").input_value()
    check_page(page, "detail with new link", found)
    page.goto(reverse("licences:my-licence-uses"))
    check_page(page, "uses", found)

    visitor = open_page(viewport=PHONE)
    visitor.goto(link.split("127.0.0.1:8000", 1)[-1].replace("http://", ""))
    check_page(visitor, "share: ask", found)
    visitor.get_by_role("button", name="查看证照").click()
    visitor.get_by_text(licence.masked_holder_code).wait_for()
    check_page(visitor, "share: shown", found)
    assert not found, describe_violations(found)
