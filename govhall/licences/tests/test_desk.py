"""The staff licence desk (workbench pages and staff API): scope, lifecycle actions with
their errors next to the fields, two-step revocation, and key rotation."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from govhall.cases.tests import factories as cf
from govhall.regions.models import Post

from ..models import IssuerKey, Licence, LicenceState, VersionKind
from ..services import issuing, signing
from . import factories as f
from .test_issuing import person_licence

pytestmark = pytest.mark.django_db

ACTIONS = ("annotate", "renew", "change", "revoke")


@pytest.fixture
def dept():
    return cf.department("江门市民政局")


@pytest.fixture
def licence(dept):
    return person_licence(dept, cf.applicant(name="王大力"))


def staff_client(post, dept) -> Client:
    client = Client()
    client.force_login(cf.staff(post, dept))
    return client


def chaozhou_licence(dept):
    chaozhou = cf.department("潮州市民政局", cf.CHAOZHOU)
    licence_type = f.licence_type(issuers=[dept, chaozhou])
    return issuing.issue(
        licence_type,
        chaozhou,
        issuing.Holder.of_person(cf.applicant(name="陈潮州").person),
        data={"household_size": 1},
        number="粤低保（潮）0001",  # serials are per issuer: the default number would clash
    )


def test_the_list_shows_my_departments_licences_only_with_filters(dept, licence):
    other = chaozhou_licence(dept)
    client = staff_client(Post.CLERK, dept)
    html = client.get("/workbench/licences/").content.decode()
    assert licence.number in html and other.number not in html
    assert licence.masked_holder_code in html and licence.holder_code not in html
    assert licence.number in client.get("/workbench/licences/", {"q": "王大"}).content.decode()
    assert (
        licence.number
        not in client.get("/workbench/licences/", {"state": "revoked"}).content.decode()
    )
    html = client.get("/workbench/licences/", {"type": f.TYPE_CODE, "q": licence.number})
    assert licence.number in html.content.decode()
    nav = client.get("/workbench/cases/").content.decode()
    assert 'href="/workbench/licences/"' in nav and "电子证照" in nav


def test_the_detail_page_shows_versions_and_the_action_forms(dept, licence):
    html = staff_client(Post.APPROVER, dept).get(f"/workbench/licences/{licence.pk}/")
    html = html.content.decode()
    assert licence.current.identifier in html and "家庭人口" in html
    assert licence.masked_holder_code in html and licence.holder_code not in html
    for action in ACTIONS:
        assert f'action="/workbench/licences/{licence.pk}/{action}/"' in html
    assert 'for="id_change-data_household_size"' in html


def test_annotate_renew_and_change_from_the_desk(dept, licence):
    client = staff_client(Post.APPROVER, dept)
    url = f"/workbench/licences/{licence.pk}"
    response = client.post(
        f"{url}/annotate/", {"annotate-text": "2026年度复核合格", "annotate-reason": "年度复核"}
    )
    assert response.status_code == 302 and response["Location"] == f"{url}/"
    future = (timezone.localdate() + datetime.timedelta(days=800)).isoformat()
    client.post(f"{url}/renew/", {"renew-valid_until": future, "renew-reason": "期满延续"})
    client.post(
        f"{url}/change/",
        {
            "change-data_household_size": "5",
            "change-holder_name": "王大利",
            "change-reason": "更名",
        },
    )
    licence.refresh_from_db()
    kinds = list(licence.versions.order_by("version").values_list("kind", flat=True))
    assert kinds == [VersionKind.ISSUE, VersionKind.ANNOTATE, VersionKind.RENEW, VersionKind.CHANGE]
    current = licence.current
    assert current.annotations[0]["text"] == "2026年度复核合格"
    assert current.valid_until.isoformat() == future
    assert current.data["household_size"] == "5" and licence.holder_name == "王大利"
    assert "已变更，已签发新版本" in client.get(f"{url}/").content.decode()


@pytest.mark.parametrize(
    ("action", "data", "field", "words"),
    [
        (
            "renew",
            {"renew-valid_until": "2020-01-01", "renew-reason": "延续"},
            "renew-valid_until",
            "须晚于今天",
        ),
        (
            "renew",
            {"renew-valid_until": "明年", "renew-reason": "延续"},
            "renew-valid_until",
            "须为日期（YYYY-MM-DD）",
        ),
        ("renew", {"renew-reason": " "}, "renew-reason", "请填写“原因”"),
        ("annotate", {"annotate-text": ""}, "annotate-text", "请填写“加注内容”"),
        (
            "change",
            {"change-data_household_size": "很多", "change-reason": "x"},
            "change-data_household_size",
            "“家庭人口”须为数字",
        ),
        ("change", {"change-reason": "无变化"}, "change-data", "变更内容与当前证照相同"),
        ("revoke", {"revoke-reason": ""}, "revoke-reason", "请填写“原因”"),
    ],
)
def test_refusals_are_shown_next_to_their_field(dept, licence, action, data, field, words):
    client = staff_client(Post.APPROVER, dept)
    response = client.post(f"/workbench/licences/{licence.pk}/{action}/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert words in html and "请更正以下问题" in html
    if field != "change-data":  # a refusal of the whole change sits above the form
        assert f'id="id_{field}_error"' in html
    assert licence.versions.count() == 1


def test_revocation_asks_for_confirmation_first(dept, licence):
    client = staff_client(Post.APPROVER, dept)
    url = f"/workbench/licences/{licence.pk}/revoke/"
    confirm = client.post(url, {"revoke-reason": "持证人申请注销"})
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "确认注销" in html and "持证人申请注销" in html
    assert 'name="revoke-confirm" value="on"' in html
    licence.refresh_from_db()
    assert licence.state == LicenceState.VALID
    done = client.post(url, {"revoke-reason": "持证人申请注销", "revoke-confirm": "on"})
    assert done.status_code == 302
    licence.refresh_from_db()
    assert licence.state == LicenceState.REVOKED and licence.current.reason == "持证人申请注销"
    page = client.get(f"/workbench/licences/{licence.pk}/").content.decode()
    assert "已注销，不能再办理" in page and "/annotate/" not in page


def test_a_chaozhou_approver_gets_404_for_a_jiangmen_licence_everywhere(dept, licence):
    chaozhou = cf.department("潮州市民政局", cf.CHAOZHOU)
    client = staff_client(Post.APPROVER, chaozhou)
    url = f"/workbench/licences/{licence.pk}"
    assert client.get(f"{url}/").status_code == 404
    body = {}
    for a in ACTIONS:
        body.update({f"{a}-reason": "越权", f"{a}-text": "x", f"{a}-confirm": "on"})
    for action in ACTIONS:
        assert client.post(f"{url}/{action}/", body).status_code == 404
    assert licence.number not in client.get("/workbench/licences/").content.decode()
    identifier = licence.current.identifier
    api = f"/api/v1/staff/licences/{identifier}"
    response = client.get(f"{api}/")
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "identifier"
    for action in ACTIONS:
        answer = client.post(
            f"{api}/actions/{action}",
            {"reason": "越权", "text": "x"},
            content_type="application/json",
        )
        assert answer.status_code == 404
    assert client.get("/api/v1/staff/licences/").json()["count"] == 0
    assert licence.versions.count() == 1
    dept_keys = f"/workbench/licences/keys/{dept.pk}/rotate/"
    assert client.post(dept_keys, {f"rotate-{dept.pk}-reason": "越权"}).status_code == 404


def test_only_staff_use_the_desk():
    client = Client()
    client.force_login(cf.applicant().user)
    response = client.get("/workbench/licences/")
    assert response.status_code == 403
    assert client.get("/api/v1/staff/licences/").status_code == 403
    assert Client().get("/api/v1/staff/licences/").status_code == 401


def test_key_rotation_by_approvers_with_a_reason(dept, licence):
    old = signing.active_key(dept)
    clerk = staff_client(Post.CLERK, dept)
    page = clerk.get("/workbench/licences/keys/").content.decode()
    assert old.key_id in page and "轮换密钥</button>" not in page
    url = f"/workbench/licences/keys/{dept.pk}/rotate/"
    assert clerk.post(url, {f"rotate-{dept.pk}-reason": "试试"}).status_code == 403

    approver = staff_client(Post.APPROVER, dept)
    refused = approver.post(url, {f"rotate-{dept.pk}-reason": " "})
    assert refused.status_code == 400
    assert f'id="id_rotate-{dept.pk}-reason_error"' in refused.content.decode()
    assert "请填写“轮换原因”" in refused.content.decode()
    assert approver.post(url, {f"rotate-{dept.pk}-reason": "年度轮换"}).status_code == 302
    old.refresh_from_db()
    assert old.retired_at is not None
    new = IssuerKey.objects.get(department=dept, retired_at__isnull=True)
    page = approver.get("/workbench/licences/keys/").content.decode()
    assert new.key_id in page and "已停用" in page
    # Licences signed with the retired key still verify.
    from ..services import verification

    assert verification.verify(licence.current.identifier)["signature_valid"] is True


# --- staff API -----------------------------------------------------------------------------


def test_the_staff_api_lists_and_acts_with_the_same_rules(dept, licence):
    client = staff_client(Post.APPROVER, dept)
    chaozhou_licence(dept)
    rows = client.get("/api/v1/staff/licences/", {"state": "valid"}).json()
    assert rows["count"] == 1 and rows["results"][0]["number"] == licence.number
    assert rows["results"][0]["holder_code"] == licence.masked_holder_code
    bad_state = client.get("/api/v1/staff/licences/", {"state": "gone"})
    assert bad_state.status_code == 400 and bad_state.json()["errors"][0]["field"] == "state"

    first = licence.current.identifier
    api = f"/api/v1/staff/licences/{first}/actions"
    done = client.post(
        f"{api}/annotate", {"text": "抽查合格", "reason": "抽查"}, content_type="application/json"
    )
    assert done.status_code == 200
    body = done.json()
    assert body["version"] == 2 and [v["kind"] for v in body["versions"]] == ["issue", "annotate"]
    assert body["annotations"][0]["text"] == "抽查合格"

    def refused(action, payload):
        response = client.post(f"{api}/{action}", payload, content_type="application/json")
        return response.status_code, response.json()["errors"][0]

    status, error = refused("renew", {"valid_until": "31/12/2030", "reason": "延续"})
    assert status == 400 and error["field"] == "valid_until" and "YYYY-MM-DD" in error["message"]
    status, error = refused("change", {"data": {"household_size": "多"}, "reason": "变更"})
    assert (status, error["field"]) == (400, "data.household_size")
    status, error = refused("revoke", {})
    assert (status, error["field"], error["code"]) == (400, "reason", "required")

    revoked = client.post(f"{api}/revoke", {"reason": "注销"}, content_type="application/json")
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    status, error = refused("annotate", {"text": "再加注"})
    assert (status, error["code"]) == (409, "revoked")
    detail = client.get(f"/api/v1/staff/licences/{first}/").json()
    assert detail["identifier"] == Licence.objects.get(pk=licence.pk).current.identifier
    assert len(detail["versions"]) == 3


def test_the_admin_is_read_only_masks_holders_and_hides_private_keys(dept, licence):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root-admin", "root@example.org", "x")
    client = Client()
    client.force_login(admin)
    page = client.get(f"/admin/licences/licence/{licence.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert licence.masked_holder_code in html and licence.holder_code not in html
    assert licence.current.identifier in html and 'name="_save"' not in html
    key = licence.current.key
    html = client.get(f"/admin/licences/issuerkey/{key.pk}/change/").content.decode()
    assert key.key_id in html and key.sm2_private_key not in html
    assert "gAAAAA" not in html and "certificate_key" not in html
    assert client.get("/admin/licences/licenceuse/").status_code == 200
    assert client.get("/admin/licences/licencetype/").status_code == 200
    assert client.get("/admin/licences/licence/add/").status_code == 403
