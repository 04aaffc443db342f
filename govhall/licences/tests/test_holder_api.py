"""The holder's licence API: list, detail by any version's identifier, uses, the signed
PDF, one-time share links; errors in the one JSON shape; nobody else's licence."""

import datetime
import io

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from govhall.cases.tests import factories as cf
from tests.common import signed_in
from tests.factories import bearer_header

from ..models import LicenceShare, LicenceUse
from ..services import issuing, uses
from . import factories as f
from .factories import person_licence

pytestmark = pytest.mark.django_db
JSON = "application/json"
BASE = "/api/v1/my/licences/"


def test_list_and_detail_by_any_versions_identifier():
    licence, identity = person_licence()
    first = licence.current.identifier
    issuing.annotate(licence, cf.staff("approver", licence.issuer), text="年检合格", reason="年检")
    licence.refresh_from_db()
    person_licence(cf.applicant(name="王五"))  # someone else's
    client = signed_in(identity)

    body = client.get(BASE).json()
    assert body["count"] == 1
    (row,) = body["results"]
    assert row["identifier"] == licence.current.identifier and row["number"] == licence.number
    assert row["type"] == {"code": f.TYPE_CODE, "name": "最低生活保障证"}
    assert row["issuer"]["name"] == "江门市民政局"
    assert row["state"] == "valid" and row["status"] == "valid"
    assert row["valid_until"] == "2028-12-31"

    detail = client.get(f"{BASE}{first}/").json()
    assert detail["identifier"] == licence.current.identifier
    assert [v["version"] for v in detail["versions"]] == [2, 1]
    assert detail["versions"][0]["kind"] == "annotate" and detail["versions"][0]["reason"] == "年检"
    assert detail["data"] == [{"name": "household_size", "label": "家庭人口", "value": "3"}]
    assert detail["annotations"][0]["text"] == "年检合格"
    assert detail["holder"] == {
        "name": "张小明",
        "code": licence.masked_holder_code,
        "code_type": "111",
    }
    assert identity.person.id_number not in str(detail)
    assert "/licences/verify/?p=GHL1." in detail["qr_text"]
    assert detail["pdf_url"] == f"{BASE}{licence.current.identifier}/pdf"


def test_someone_elses_licence_is_not_found_in_the_error_shape():
    licence, _owner = person_licence()
    stranger = signed_in(cf.applicant(name="李四"))
    identifier = licence.current.identifier
    for method, url in (
        ("get", f"{BASE}{identifier}/"),
        ("get", f"{BASE}{identifier}/uses"),
        ("get", f"{BASE}{identifier}/pdf"),
        ("post", f"{BASE}{identifier}/shares"),
    ):
        response = getattr(stranger, method)(url, {"hours": 24}, content_type=JSON)
        assert response.status_code == 404, url
        assert response.json()["errors"][0]["code"] == "not_found"
    assert not LicenceShare.objects.exists() and not LicenceUse.objects.exists()
    assert Client().get(BASE).status_code == 401


def test_pdf_download_is_signed_logged_and_listed_in_uses():
    licence, identity = person_licence()
    client = signed_in(identity)
    identifier = licence.current.identifier
    response = client.get(f"{BASE}{identifier}/pdf", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert licence.number in text and identifier in text

    police = cf.department("江门市公安局")
    uses.record_use(licence, LicenceUse.Kind.READ, department=police, purpose="审查申请材料")
    body = client.get(f"{BASE}{identifier}/uses").json()
    assert body["count"] == 2
    read, download = body["results"]
    assert read["kind"] == "read" and read["department"]["name"] == "江门市公安局"
    assert read["purpose"] == "审查申请材料" and read["user"] == "工作人员"
    assert download["kind"] == "download" and download["user"] == "本人"


def test_share_through_the_api_opens_once():
    licence, identity = person_licence()
    client = signed_in(identity)
    response = client.post(
        f"{BASE}{licence.current.identifier}/shares",
        {"hours": 1, "purpose": "租房"},
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"url", "expires_at"}
    expires = datetime.datetime.fromisoformat(body["expires_at"])
    assert abs((expires - timezone.now()).total_seconds() - 3600) < 60
    path = body["url"].split("127.0.0.1:8000", 1)[-1]
    assert path.startswith("/licences/shared/")

    visitor = Client()
    opened = visitor.post(path)
    assert opened.status_code == 200 and licence.number in opened.content.decode()
    refused = visitor.post(path)
    assert refused.status_code == 410 and "链接已使用或已失效" in refused.content.decode()
    share_use = LicenceUse.objects.get(kind=LicenceUse.Kind.SHARE)
    assert share_use.purpose == "租房"


def test_share_input_errors_name_the_field():
    licence, identity = person_licence()
    client = signed_in(identity)
    url = f"{BASE}{licence.current.identifier}/shares"
    response = client.post(url, {"hours": 5}, content_type=JSON)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "hours",
            "code": "choice",
            "message": "“有效时长”须为1小时、24小时、72小时或7天。",
        }
    ]
    response = client.post(url, {"hours": "很久"}, content_type=JSON)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "hours"
    response = client.post(url, {"hours": 24, "purpose": "x" * 201}, content_type=JSON)
    assert response.json()["errors"][0]["field"] == "purpose"

    issuing.revoke(licence, cf.staff("approver", licence.issuer), reason="注销")
    response = client.post(url, {"hours": 24}, content_type=JSON)
    assert response.status_code == 409 and response.json()["errors"][0]["code"] == "not_valid"
    assert not LicenceShare.objects.exists()


def test_a_bearer_token_speaks_for_its_person():
    licence, identity = person_licence()
    body = Client().get(BASE, **bearer_header(identity.user)).json()
    assert [r["number"] for r in body["results"]] == [licence.number]


def test_qr_address_follows_the_serving_address_in_development(settings):
    """``make run PORT=8765`` (DEBUG, no GOVHALL_PUBLIC_URL) printed :8000 in the QR code."""
    licence, identity = person_licence()
    client = signed_in(identity)
    url = f"{BASE}{licence.current.identifier}/"
    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG, settings.GOVHALL_PUBLIC_URL_SET = True, False
    settings.GOVHALL_PUBLIC_URL = "http://127.0.0.1:8000"
    text = client.get(url, HTTP_HOST="192.168.1.20:8765").json()["qr_text"]
    assert text.startswith("http://192.168.1.20:8765/licences/verify/?p=GHL1.")
    # In production the setting decides, whatever host the request came by.
    settings.DEBUG, settings.GOVHALL_PUBLIC_URL_SET = False, True
    settings.GOVHALL_PUBLIC_URL = "https://www.gdzwfw.gov.cn"
    text = client.get(url, HTTP_HOST="internal-node:8000").json()["qr_text"]
    assert text.startswith("https://www.gdzwfw.gov.cn/licences/verify/?p=GHL1.")


def test_make_run_hands_its_address_to_every_process():
    import subprocess

    from django.conf import settings as django_settings

    out = subprocess.run(
        ["make", "-n", "run", "PORT=8765", "HOST=127.0.0.1"],
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert 'GOVHALL_PUBLIC_URL="${GOVHALL_PUBLIC_URL:-http://127.0.0.1:8765}"' in out
