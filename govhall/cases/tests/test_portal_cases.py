"""我的办件 through the pages: scoping, correction, withdrawal, review, rating, inbox, locker."""

import pytest
from django.test import Client
from django.urls import reverse

from govhall.regions.models import Post

from ..models import CaseState, Notification, Rating, StoredFile
from ..services import handling
from . import factories as f
from .portal_helpers import _private_media, signed_in  # noqa: F401  (autouse fixture)

pytestmark = pytest.mark.django_db

LEASE = "N:房屋租赁合同"


def test_cases_list_and_someone_elses_case_is_not_found(client):
    owner, other = f.applicant(), f.applicant()
    case = f.submitted(f.item(), owner)
    signed_in(client, owner)
    listing = client.get(reverse("cases:my-cases")).content.decode()
    assert case.number in listing
    assert case.number in client.get(reverse("cases:my-cases") + "?status=open").content.decode()
    concluded = client.get(reverse("cases:my-cases") + "?status=concluded").content.decode()
    assert case.number not in concluded
    detail = client.get(case.get_absolute_url())
    assert detail.status_code == 200 and "待受理" in detail.content.decode()

    stranger = signed_in(Client(), other)
    assert case.number not in stranger.get(reverse("cases:my-cases")).content.decode()
    for url in (
        case.get_absolute_url(),
        reverse("cases:withdraw", args=[case.number]),
        reverse("cases:rate", args=[case.number]),
        reverse("cases:correction", args=[case.number]),
    ):
        assert stranger.get(url).status_code == 404
    assert (
        stranger.post(reverse("cases:withdraw", args=[case.number]), {"reason": "x"}).status_code
        == 404
    )
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED


def test_correction_through_the_pages(client):
    dept = f.department("江门市民政局")
    clerk = f.staff(Post.CLERK, dept)
    identity = f.applicant()
    case = f.submitted(f.item(dept), identity)
    handling.request_correction(
        case,
        clerk,
        items=[{"material_code": LEASE, "name": "房屋租赁合同", "problem": "缺少出租人签名"}],
    )
    signed_in(client, identity)
    detail = client.get(case.get_absolute_url()).content.decode()
    assert "缺少出租人签名" in detail and reverse("cases:correction", args=[case.number]) in detail

    url = reverse("cases:correction", args=[case.number])
    response = client.post(url, {"note": ""})
    assert response.status_code == 400
    assert "请上传或从材料库选择“房屋租赁合同”。" in response.content.decode()
    response = client.post(url, {"file_0": _text_file()})
    assert response.status_code == 400
    assert "只能上传PDF、JPG或PNG格式的文件。" in response.content.decode()

    response = client.post(url, {"file_0": f.pdf("签名合同"), "note": "已补签"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    notice = case.corrections.get()
    assert notice.corrected_at is not None and notice.applicant_note == "已补签"
    assert case.application.materials.get(key=LEASE).file.name == "签名合同.pdf"


def _text_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("合同.pdf", b"just text, not a pdf", content_type="application/pdf")


def test_withdraw_needs_a_reason_and_ends_the_case(client):
    identity = f.applicant()
    case = f.submitted(f.item(), identity)
    signed_in(client, identity)
    url = reverse("cases:withdraw", args=[case.number])
    assert "确定撤回申请？" in client.get(url).content.decode()
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 400 and "“撤回理由”为必填项。" in response.content.decode()
    assert client.post(url, {"reason": "材料准备有误"}).status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.WITHDRAWN and case.withdrawal_reason == "材料准备有误"
    assert client.get(url).status_code == 404  # nothing left to withdraw


def test_rating_through_the_pages(client):
    dept = f.department("江门市民政局")
    clerk = f.staff(Post.CLERK, dept)
    identity = f.applicant()
    instant = f.item(
        dept,
        case_type="1",
        promised_limit_days=0,
        steps=[{"name": "受理即办", "post": "clerk", "time_limit_days": 0}],
    )
    case = f.submitted(instant, identity)
    handling.accept(case, clerk)
    signed_in(client, identity)
    detail = client.get(case.get_absolute_url()).content.decode()
    assert "评价本次服务" in detail and "非常不满意" in detail

    url = reverse("cases:rate", args=[case.number])
    response = client.post(url, {"level": "5", "comment": ""})
    assert response.status_code == 400
    assert "差评请写明不满意的原因" in response.content.decode()
    response = client.post(url, {"level": "5", "comment": "等候时间太长"})
    assert response.status_code == 302
    rating = Rating.objects.get(case=case)
    assert rating.level == 5 and rating.comment == "等候时间太长"
    detail = client.get(case.get_absolute_url()).content.decode()
    assert "等候时间太长" in detail and "提交评价" not in detail
    assert client.post(url, {"level": "1"}).status_code == 404  # one rating per case


def test_denied_instant_approval_can_be_reviewed(client):
    rules = {
        "review_days": 5,
        "rules": [
            {
                "code": "R1",
                "description": "家庭人口不超过2人",
                "fact": "form.household_size",
                "op": "<=",
                "value": 2,
            },
        ],
    }
    identity = f.applicant()
    case = f.submitted(f.item(decision_rules=rules), identity)
    case.refresh_from_db()
    assert case.state == CaseState.DECIDED and case.auto_decided
    signed_in(client, identity)
    detail = client.get(case.get_absolute_url()).content.decode()
    assert "家庭人口不超过2人" in detail and "不符合" in detail and "申请人工复核" in detail

    url = reverse("cases:review", args=[case.number])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400 and "“申请复核的理由”为必填项。" in response.content.decode()
    assert client.post(url, {"reason": "家中老人已去世，人口为2人"}).status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS and case.review_requested_at is not None


def test_messages_unread_first_and_marked_read(client):
    identity = f.applicant()
    case = f.submitted(f.item(), identity)
    old = Notification.objects.get(user=identity.user, case_number=case.number)
    Notification.objects.filter(pk=old.pk).update(title="旧消息")
    newer = Notification.objects.create(
        user=identity.user,
        event="accept",
        title="新消息",
        body="内容",
        link=case.get_absolute_url(),
    )
    signed_in(client, identity)
    page = client.get(reverse("cases:messages")).content.decode()
    assert "2条未读" in page
    assert client.get(reverse("portal:home")).status_code in (200, 503)
    header = client.get(reverse("cases:my-cases")).content.decode()
    assert "（2条未读）" in header

    response = client.post(reverse("cases:message-read"), {"pk": newer.pk, "open": "1"})
    assert response["Location"] == case.get_absolute_url()
    newer.refresh_from_db()
    assert newer.read_at is not None
    page = client.get(reverse("cases:messages")).content.decode()
    assert page.index("旧消息") < page.index("新消息")  # the unread one comes first
    client.post(reverse("cases:message-read"))
    assert not Notification.objects.filter(user=identity.user, read_at__isnull=True).exists()
    other = signed_in(Client(), f.applicant())
    assert other.post(reverse("cases:message-read"), {"pk": newer.pk}).status_code == 404


def test_materials_locker_upload_and_private_download(client):
    identity = f.applicant()
    signed_in(client, identity)
    url = reverse("cases:locker")
    response = client.post(url, {"title": "身份证复印件"})
    assert response.status_code == 400 and "请选择要上传的文件。" in response.content.decode()
    response = client.post(url, {"title": "身份证复印件", "file": f.pdf("身份证")})
    assert response.status_code == 302
    stored = StoredFile.objects.get(owner=identity.user)
    assert "身份证复印件" in client.get(url).content.decode()
    download = client.get(reverse("cases:locker-file", args=[stored.public_id]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    other = signed_in(Client(), f.applicant())
    assert other.get(reverse("cases:locker-file", args=[stored.public_id])).status_code == 404
