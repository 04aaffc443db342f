"""谁用了我的数据: staff reads within a case, logged once where they happen, shown only
to the person (or the company's authorised people), downloadable and disputable."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from govhall.accounts.services.acting import Identity
from govhall.cases.models import Notification
from govhall.cases.tests import factories as f
from govhall.core.signals import data_read_disputed
from govhall.licences.services import uses
from govhall.regions.models import Post

from ..models import DataRead, DataReadDispute, DataReadSource
from .helpers import _private_media, signed_in  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_totp(settings):
    settings.GOVHALL_STAFF_TOTP_REQUIRED = False


def staff_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_staff_read_of_my_case_appears_in_my_data_use_with_department_person_and_purpose():
    dept = f.department("江门市民政局")
    me, other = f.applicant(), f.applicant()
    case = f.submitted(f.item(dept), me)
    clerk = f.staff(Post.CLERK, dept)
    clerk.display_name = "王办事"
    clerk.save()
    assert staff_client(clerk).get(f"/workbench/cases/{case.number}/").status_code == 200
    (read,) = DataRead.objects.all()
    assert read.subject_user == me.user and read.reader_user == clerk
    assert read.reader_department == dept and read.case_number == case.number
    assert read.source == DataReadSource.CASE and "查看申请信息" in read.purpose

    html = signed_in(me).get(reverse("spaces:data-reads")).content.decode()
    assert "江门市民政局" in html and "王办事" in html and case.number in html
    body = signed_in(me).get("/api/v1/my/space/data-reads").json()
    assert body["count"] == 1 and body["results"][0]["department"] == "江门市民政局"
    assert body["results"][0]["reader"] == "王办事"
    assert signed_in(other).get("/api/v1/my/space/data-reads").json()["count"] == 0

    csv = signed_in(me).get(reverse("spaces:data-reads-download"))
    text = csv.content.decode("utf-8-sig")
    assert csv["Content-Type"].startswith("text/csv") and "王办事" in text and case.number in text


def test_a_read_outside_the_readers_scope_is_impossible_and_logs_nothing():
    case = f.submitted(f.item(f.department("江门市民政局")), f.applicant())
    outsider = f.staff(Post.CLERK, f.dept_like("民政", f.CHAOZHOU))
    assert staff_client(outsider).get(f"/workbench/cases/{case.number}/").status_code == 404
    assert staff_client(outsider).get(f"/api/v1/staff/cases/{case.number}/").status_code == 404
    assert not DataRead.objects.exists()


def test_material_and_licence_reads_are_logged_and_the_api_detail_too():
    from govhall.licences.tests import factories as lf

    dept = f.department("江门市民政局")
    me = f.applicant()
    case = f.submitted(f.item(dept), me)
    clerk = f.staff(Post.CLERK, dept)
    material = case.application.materials.select_related("file").first()
    url = f"/workbench/cases/{case.number}/files/{material.file.public_id}/"
    response = staff_client(clerk).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert staff_client(clerk).get(f"/api/v1/staff/cases/{case.number}/").status_code == 200
    licence_type = lf.licence_type(issuers=[dept])
    from govhall.licences.services import issuing

    issuing.issue(
        licence_type, dept, issuing.Holder.of_person(me.person), data={"household_size": 3}
    )
    uses.request_for_case(clerk, case, licence_type.code, "核对家庭人口")
    sources = sorted(DataRead.objects.values_list("source", flat=True))
    assert sources == ["case", "licence", "material"]
    licence_read = DataRead.objects.get(source="licence")
    assert licence_read.purpose == "核对家庭人口" and licence_read.subject_user == me.user
    assert licence_read.fields == [licence_type.name]


def test_a_company_case_read_is_shown_to_the_company_not_on_the_agents_own_page():
    dept = f.department("江门市民政局")
    agent = f.company_agent()
    case = f.submitted(f.item(dept, audiences=["1", "2"], name="企业测试事项"), agent)
    staff_client(f.staff(Post.CLERK, dept)).get(f"/workbench/cases/{case.number}/")
    (read,) = DataRead.objects.all()
    assert read.subject_company == agent.company and read.subject_user is None
    assert signed_in(agent).get("/api/v1/my/space/data-reads").json()["count"] == 1
    as_self = Identity(user=agent.user, person=agent.person)
    assert signed_in(as_self).get("/api/v1/my/space/data-reads").json()["count"] == 0


def test_the_log_cannot_be_edited_or_deleted():
    dept = f.department("江门市民政局")
    case = f.submitted(f.item(dept), f.applicant())
    staff_client(f.staff(Post.CLERK, dept)).get(f"/workbench/cases/{case.number}/")
    read = DataRead.objects.get()
    read.purpose = "改写"
    with pytest.raises(ValidationError):
        read.save()
    with pytest.raises(ValidationError):
        read.delete()
    assert DataRead.objects.get().purpose != "改写"


def test_disputing_a_read_tells_the_hall_once_and_refuses_bad_input_clearly():
    dept = f.department("江门市民政局")
    me, other = f.applicant(), f.applicant()
    admin = f.staff(Post.HALL_ADMIN, dept)
    case = f.submitted(f.item(dept), me)
    staff_client(f.staff(Post.CLERK, dept)).get(f"/workbench/cases/{case.number}/")
    read = DataRead.objects.get()
    heard = []

    def listener(sender, **kwargs):
        heard.append(kwargs)

    data_read_disputed.connect(listener)
    try:
        empty = signed_in(me).post(
            f"/api/v1/my/space/data-reads/{read.pk}/dispute",
            {"reason": ""},
            content_type="application/json",
        )
        assert empty.status_code == 400 and empty.json()["errors"][0]["field"] == "reason"
        assert (
            signed_in(other)
            .post(
                f"/api/v1/my/space/data-reads/{read.pk}/dispute",
                {"reason": "不是我"},
                content_type="application/json",
            )
            .status_code
            == 404
        )
        response = signed_in(me).post(
            reverse("spaces:dispute", args=[read.pk]), {"reason": "我没有申请过该事项以外的查询"}
        )
        assert response.status_code == 302
        again = signed_in(me).post(
            f"/api/v1/my/space/data-reads/{read.pk}/dispute",
            {"reason": "再次提出"},
            content_type="application/json",
        )
        assert again.status_code == 409
        assert again.json()["errors"][0]["code"] == "already_disputed"
    finally:
        data_read_disputed.disconnect(listener)
    dispute = DataReadDispute.objects.get()
    assert dispute.user == me.user and dispute.read == read
    assert Notification.objects.filter(user=admin, event="data_read_disputed").count() == 1
    html = signed_in(me).get(reverse("spaces:data-reads")).content.decode()
    assert "已提出异议" in html


def test_the_hall_answers_a_dispute_within_its_scope_and_the_person_is_told():
    dept = f.department("江门市民政局")
    me = f.applicant()
    case = f.submitted(f.item(dept), me)
    staff_client(f.staff(Post.CLERK, dept)).get(f"/workbench/cases/{case.number}/")
    read = DataRead.objects.get()
    signed_in(me).post(reverse("spaces:dispute", args=[read.pk]), {"reason": "查询与办件无关"})
    dispute = DataReadDispute.objects.get()

    outsider = staff_client(f.staff(Post.HALL_ADMIN, f.dept_like("民政", f.CHAOZHOU)))
    assert "查询与办件无关" not in outsider.get(reverse("spaces:disputes")).content.decode()
    url = reverse("spaces:dispute-answer", args=[dispute.pk])
    assert outsider.post(url, {"answer": "已核实"}).status_code == 404

    admin = staff_client(f.staff(Post.HALL_ADMIN, dept))
    assert "查询与办件无关" in admin.get(reverse("spaces:disputes")).content.decode()
    empty = admin.post(url, {"answer": " "}, follow=True).content.decode()
    assert "请填写答复内容" in empty
    assert admin.post(url, {"answer": "经核实，系受理审查所需。"}).status_code == 302
    dispute.refresh_from_db()
    assert dispute.state == "answered" and dispute.answered_at is not None
    again = admin.post(url, {"answer": "再次答复"}, follow=True).content.decode()
    assert "这条异议已经答复" in again
    assert Notification.objects.filter(user=me.user, event="data_read_answered").count() == 1
    html = signed_in(me).get(reverse("spaces:data-reads")).content.decode()
    assert "经核实，系受理审查所需。" in html


def test_a_counter_look_up_by_id_number_is_logged_for_the_person_found():
    centre = f.department("江门市行政服务中心")
    me = f.applicant(name="陈阿婆")
    window = f.staff(Post.CLERK, centre)
    client = staff_client(window)
    response = client.post(
        "/workbench/counter/", {"step": "find", "find-id_number": me.person.id_number}
    )
    assert response.status_code == 302
    (read,) = DataRead.objects.all()
    assert read.source == DataReadSource.COUNTER and read.subject_user == me.user
    assert read.reader_department == centre and read.case_number == ""
    assert "综合窗口" in read.purpose
    # a number with no account logs nothing
    other = "440703199001011239"  # well formed, no account
    client.post("/workbench/counter/", {"step": "find", "find-id_number": other})
    assert DataRead.objects.count() == 1
