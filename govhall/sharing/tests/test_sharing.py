"""The sharing catalogue: requests and decisions, reads under approvals logged at both
ends and for the data subject, the API with client credentials, and materials the hall
fetches for applications (免提交)."""

from __future__ import annotations

import base64
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from govhall.cases.models import ApplicationMaterial, MaterialSource, Notification
from govhall.cases.services import applications
from govhall.core.errors import problems_of
from govhall.regions.models import Department, Post
from govhall.sharing.jobs import sharing_request_deadlines
from govhall.sharing.models import Approval, SharedRead, SharingType
from govhall.sharing.services import approvals, clients, materials, reads, sources
from govhall.spaces.models import DataRead
from tests.common import applicant, item, pdf, staff

from .support import StandInLibrary, county, marriage_resource, owner

pytestmark = pytest.mark.django_db

PURPOSE = "最低生活保障审批"
NEXT_YEAR = datetime.date.today() + datetime.timedelta(days=365)


@pytest.fixture
def library():
    stand_in = StandInLibrary()
    previous = stand_in.install()
    yield stand_in
    if previous is None:
        sources.unregister("population")
    else:
        sources.register("population", previous)


def codes(error: ValidationError) -> list[str]:
    return [p.code for p in problems_of(error)]


def ask(requester_user, resource, fields=("marital_status", "spouse_name"), purpose=PURPOSE):
    return approvals.request_access(
        requester_user,
        requester=county(),
        resource=resource,
        fields=list(fields),
        purpose=purpose,
        legal_basis="《社会救助暂行办法》（国务院令第649号）第十一条",
        valid_until=NEXT_YEAR,
    )


def granted(resource=None, fields=("marital_status", "spouse_name"), purpose=PURPOSE):
    resource = resource or marriage_resource()
    approval = ask(staff(Post.CLERK, county()), resource, fields, purpose)
    return approvals.approve(staff(Post.APPROVER, owner()), approval)


# --- requests and decisions -----------------------------------------------------------------


def test_request_waits_for_the_owner_who_is_told_and_decides():
    resource = marriage_resource()
    decider = staff(Post.APPROVER, owner())
    approval = ask(staff(Post.CLERK, county()), resource)
    assert approval.status == Approval.Status.PENDING
    assert approval.fields == ["marital_status", "spouse_name"]
    assert Notification.objects.filter(user=decider, event="sharing_request").count() == 1
    with pytest.raises(ValidationError) as refused:
        approvals.approve(staff(Post.APPROVER, county()), approval)
    assert codes(refused.value) == ["permission_denied"]
    approvals.approve(decider, approval, note="同意，限低保审核使用")
    approval.refresh_from_db()
    assert approval.status == Approval.Status.APPROVED and approval.decided_by == decider
    with pytest.raises(ValidationError) as again:
        approvals.refuse_request(decider, approval, note="重复")
    assert codes(again.value) == ["not_pending"]


def test_refusal_needs_a_reason_and_a_not_shared_resource_cannot_be_asked_for():
    resource = marriage_resource()
    approval = ask(staff(Post.CLERK, county()), resource)
    decider = staff(Post.HALL_ADMIN, owner())
    with pytest.raises(ValidationError) as bare:
        approvals.refuse_request(decider, approval, note=" ")
    assert codes(bare.value) == ["required"]
    approvals.refuse_request(decider, approval, note="用途与数据项不对应")
    assert Approval.objects.get(pk=approval.pk).status == Approval.Status.REFUSED
    resource.sharing_type = SharingType.NONE
    resource.save()
    with pytest.raises(ValidationError) as none:
        ask(staff(Post.CLERK, county()), resource)
    assert codes(none.value) == ["not_shared"]


def test_unconditional_resource_is_granted_on_request_and_unknown_fields_refused():
    resource = marriage_resource(SharingType.UNCONDITIONAL)
    clerk = staff(Post.CLERK, county())
    assert ask(clerk, resource).status == Approval.Status.APPROVED
    with pytest.raises(ValidationError) as unknown:
        ask(clerk, resource, fields=("marital_status", "income"))
    assert codes(unknown.value) == ["unknown"]


def test_requesting_for_a_department_where_one_holds_no_post_is_denied():
    with pytest.raises(ValidationError) as refused:
        approvals.request_access(
            staff(Post.CLERK, owner()),
            requester=county(),
            resource=marriage_resource(),
            fields=["marital_status"],
            purpose=PURPOSE,
            legal_basis="x",
            valid_until=NEXT_YEAR,
        )
    assert codes(refused.value) == ["permission_denied"]


def test_deadline_job_reminds_then_escalates_once_each(settings):
    settings.GOVHALL_SHARING_DECISION_DAYS = 1
    decider = staff(Post.APPROVER, owner())
    supervisor = staff(Post.SUPERVISOR, owner())
    approval = ask(staff(Post.CLERK, county()), marriage_resource())
    assert sharing_request_deadlines() == {"reminded": 1, "escalated": 0}
    assert sharing_request_deadlines() == {"reminded": 0, "escalated": 0}
    Approval.objects.filter(pk=approval.pk).update(
        decide_by=timezone.now() - datetime.timedelta(hours=1)
    )
    assert sharing_request_deadlines() == {"reminded": 0, "escalated": 1}
    assert sharing_request_deadlines() == {"reminded": 0, "escalated": 0}
    assert Notification.objects.filter(user=decider, event="sharing_remind").count() == 1
    assert Notification.objects.filter(user=supervisor, event="sharing_overdue").count() == 1


# --- reads ----------------------------------------------------------------------------------


def test_read_outside_an_approval_is_refused_logged_and_counted(library):
    person = applicant().person
    library.add_married(person.id_number)
    resource = marriage_resource()
    with pytest.raises(ValidationError) as refused:
        reads.read(
            requester=county(), resource=resource, subject=person.id_number,
            fields=["marital_status"], purpose=PURPOSE,
        )  # fmt: skip
    assert codes(refused.value) == ["sharing_no_approval"]
    row = SharedRead.objects.get()
    assert row.outcome == SharedRead.Outcome.REFUSED and row.refusal_code == "sharing_no_approval"
    assert row.requester == county() and row.owner == owner()
    assert library.calls == 0  # the library is not asked
    counted = reads.refused_counts([county().pk])
    assert counted[0]["refused"] == 1
    assert not DataRead.objects.exists()


def test_read_within_the_approval_returns_its_fields_and_is_seen_by_the_subject(library):
    person = applicant().person
    library.add_married(person.id_number)
    approval = granted()
    result = reads.read(
        requester=county(), resource=approval.resource, subject=person.id_number,
        fields=None, purpose=PURPOSE, client_id="county-system",
    )  # fmt: skip
    assert result.values == {"marital_status": "已婚", "spouse_name": "李秀英"}
    row = SharedRead.objects.get(outcome=SharedRead.Outcome.RETURNED)
    assert row.fields == ["marital_status", "spouse_name"] and row.approval == approval
    assert row.source_name == "广东省民政厅"
    assert reads.values_of(row)["spouse_name"] == "李秀英"
    seen = DataRead.objects.get(subject_user=person.user)
    assert seen.source == "sharing" and seen.reader_department == county()
    assert seen.fields == ["婚姻状况", "配偶姓名"] and seen.reader_client == "county-system"


@pytest.mark.parametrize(
    ("fields", "purpose", "code"),
    [
        (["marriage_registry"], PURPOSE, "sharing_fields"),
        (["marital_status"], "公租房资格审核", "sharing_purpose"),
        (["marital_status"], "", "sharing_no_purpose"),
        (["nickname"], PURPOSE, "sharing_unknown_field"),
    ],
)
def test_reads_beyond_the_approval_scope_are_refused(library, fields, purpose, code):
    person = applicant().person
    library.add_married(person.id_number)
    approval = granted()
    with pytest.raises(ValidationError) as refused:
        reads.read(
            requester=county(), resource=approval.resource, subject=person.id_number,
            fields=fields, purpose=purpose,
        )  # fmt: skip
    assert codes(refused.value) == [code]
    assert SharedRead.objects.get().refusal_code == code


def test_revoked_or_expired_approval_refuses_reads(library):
    person = applicant().person
    library.add_married(person.id_number)
    approval = granted()
    owner_admin = staff(Post.HALL_ADMIN, owner())
    approvals.revoke(owner_admin, approval, reason="核查发现超范围使用")
    with pytest.raises(ValidationError) as revoked:
        reads.read(
            requester=county(), resource=approval.resource, subject=person.id_number,
            fields=None, purpose=PURPOSE,
        )  # fmt: skip
    assert codes(revoked.value) == ["sharing_revoked"]
    second = granted()
    Approval.objects.filter(pk=second.pk).update(
        valid_until=datetime.date.today() - datetime.timedelta(days=1)
    )
    with pytest.raises(ValidationError) as expired:
        reads.read(
            requester=county(), resource=second.resource, subject=person.id_number,
            fields=None, purpose=PURPOSE,
        )  # fmt: skip
    assert codes(expired.value) == ["sharing_expired"]


def test_a_read_for_a_case_needs_the_requesters_case_of_that_subject(library):
    from govhall.cases.tests.factories import submitted

    identity = applicant()
    library.add_married(identity.person.id_number)
    approval = granted()
    elsewhere = submitted(identity=identity)  # a city civil-affairs case
    with pytest.raises(ValidationError) as refused:
        reads.read(
            requester=county(), resource=approval.resource, subject=identity.person.id_number,
            fields=None, purpose=PURPOSE, case=elsewhere,
        )  # fmt: skip
    assert codes(refused.value) == ["case_not_handled"]


# --- the API --------------------------------------------------------------------------------


def _token(client: Client, registered) -> str:
    basic = base64.b64encode(f"{registered.client_id}:{registered.client_secret}".encode()).decode()
    answer = client.post(
        "/o/token/",
        {"grant_type": "client_credentials", "scope": "sharing"},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert answer.status_code == 200, answer.content
    return answer.json()["access_token"]


def test_api_reads_with_the_departments_client_credentials(library):
    person = applicant().person
    library.add_married(person.id_number)
    resource = marriage_resource()
    client = Client()
    token = _token(client, clients.register(county()))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    body = {"resource": "RK-HYDJ", "subject": person.id_number, "purpose": PURPOSE}
    refused = client.post("/api/v1/sharing/reads/", body, content_type="application/json", **auth)
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["code"] == "sharing_no_approval"
    granted(resource)
    answer = client.post("/api/v1/sharing/reads/", body, content_type="application/json", **auth)
    assert answer.status_code == 200, answer.content
    data = {d["name"]: d["value"] for d in answer.json()["data"]}
    assert data == {"婚姻状况": "已婚", "配偶姓名": "李秀英"}
    # Coded items give the code (GB/T 2261.2) and its label too; others null for both.
    coded = {d["field"]: (d["code"], d["label"]) for d in answer.json()["data"]}
    assert coded == {"marital_status": ("20", "已婚"), "spouse_name": (None, None)}
    assert answer.json()["source"] == "广东省民政厅"
    listed = client.get("/api/v1/sharing/resources/", **auth).json()
    assert listed["results"][0]["approvals"][0]["in_force"] is True
    assert (
        client.post("/api/v1/sharing/reads/", body, content_type="application/json").status_code
        == 401
    )
    counts = reads.refused_counts([county().pk])[0]
    assert (counts["refused"], counts["total"]) == (1, 2)
    assert DataRead.objects.filter(subject_user=person.user, source="sharing").count() == 1


# --- shared data in applications (免提交) ---------------------------------------------------


MARRIAGE_MATERIAL = {
    "code": "M09",
    "name": "婚姻状况证明",
    "required": True,
    "source": "shared",
    "media": "electronic",
    "shared_data_source": "人口库婚姻登记信息（RK-HYDJ:婚姻状况,配偶姓名）",
}


def low_income_item():
    from tests.common import MATERIALS

    return item(county(), name=PURPOSE, materials=[MATERIALS[0], MARRIAGE_MATERIAL])


def draft(identity, the_item):
    application = applications.start(identity, item=the_item)
    applications.save_answers(
        application,
        {"household_size": 3, "married": True, "spouse_name": "李秀英"},
        contact={
            "contact_phone": "13800138000",
            "delivery": applications.delivery_offered(application)[0],
        },
    )
    stored = applications.store_file(identity.user, pdf("申请书"), title="申请书")
    applications.attach(application, "N:申请书", file=stored)
    return application


def test_link_of_reads_the_bracketed_code_and_items():
    assert materials.link_of("人口库婚姻登记信息（RK-HYDJ:婚姻状况,配偶姓名）") == (
        "RK-HYDJ",
        ["婚姻状况", "配偶姓名"],
    )
    assert materials.link_of("RK-HYDJ") == ("RK-HYDJ", [])
    assert materials.link_of("省人口基础信息库") is None


def test_application_uses_shared_data_instead_of_the_document(library):
    approval = granted()
    the_item = low_income_item()
    identity = applicant()
    library.add_married(identity.person.id_number)
    application = draft(identity, the_item)
    (need,) = [n for n in applications.material_needs(application) if n.name == "婚姻状况证明"]
    assert need.fetched_by_hall and "人口库婚姻登记信息" in need.shared_source
    (case,) = applications.submit(application, identity)
    material = ApplicationMaterial.objects.get(application=application, name="婚姻状况证明")
    assert material.source == MaterialSource.SHARED and material.file is None
    row = SharedRead.objects.get(public_id=material.reference)
    assert row.case_number == case.number and row.approval == approval
    (shown,) = materials.shared_rows_for_case(case)
    assert shown["values"] == [("婚姻状况", "已婚"), ("配偶姓名", "李秀英")]
    assert shown["source"] == "广东省民政厅" and shown["updated_at"] is not None
    seen = DataRead.objects.get(subject_user=identity.user, source="sharing")
    assert seen.case_number == case.number


def test_without_approval_or_data_the_applicant_is_asked_with_the_reason(library):
    marriage_resource()
    the_item = low_income_item()
    identity = applicant()
    application = draft(identity, the_item)
    (need,) = [n for n in applications.material_needs(application) if n.name == "婚姻状况证明"]
    assert not need.fetched_by_hall and "没有经广东省民政厅同意" in need.shared_reason
    with pytest.raises(ValidationError) as missing:
        applications.submit(application, identity)
    assert "materials.N:婚姻状况证明" in [p.field for p in problems_of(missing.value)]
    granted()
    nobody = draft(identity, the_item)  # approved now, but the library has no record
    (need,) = [n for n in applications.material_needs(nobody) if n.name == "婚姻状况证明"]
    assert not need.fetched_by_hall and "没有您的相关记录" in need.shared_reason
    stored = applications.store_file(identity.user, pdf("婚姻状况证明"), title="婚姻状况证明")
    applications.attach(nobody, need.key, file=stored)
    (case,) = applications.submit(nobody, identity)
    assert case.application.materials.get(key=need.key).source == MaterialSource.LOCKER
    assert not SharedRead.objects.filter(outcome=SharedRead.Outcome.RETURNED).exists()


def test_a_revocation_after_the_page_asks_for_the_document_at_submission(library):
    approval = granted()
    the_item = low_income_item()
    identity = applicant()
    library.add_married(identity.person.id_number)
    application = draft(identity, the_item)
    assert [n for n in applications.material_needs(application) if n.fetched_by_hall]
    approvals.revoke(staff(Post.APPROVER, owner()), approval, reason="停止共享")
    application.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        applications.submit(application, identity)
    (problem,) = problems_of(refused.value)
    assert (problem.field, problem.code) == ("materials.N:婚姻状况证明", "required")
    assert "撤销" in problem.message and "请上传“婚姻状况证明”" in problem.message
    fresh = applications.draft_of(identity, application.public_id)
    (need,) = [n for n in applications.material_needs(fresh) if n.name == "婚姻状况证明"]
    assert not need.fetched_by_hall and "撤销" in need.shared_reason


def test_reads_come_from_the_base_library_with_its_source_department():
    """With the base libraries installed, a resource's fields are their attributes: the
    value as people read it, the source department and the record's time."""
    from govhall.baselib.services import definitions, updates

    definitions.ensure()
    person = applicant().person
    civil = owner()
    police = Department.objects.get(region_id="440000", name="广东省公安厅")
    registered, outcome = updates.ingest(
        [
            {
                "record_ref": f"GA-HJ-{person.id_number[-8:]}",
                "department": police.credit_code,
                "subject_kind": "person",
                "key": person.id_number,
                "as_of": "2003-07-01T09:00:00+08:00",
                "values": {"name": person.name, "household_region": "440703"},
            },
            {
                "record_ref": "J440703-2015-000001",
                "department": civil.credit_code,
                "subject_kind": "person",
                "key": person.id_number,
                "as_of": "2015-05-20T10:30:00+08:00",
                "values": {"marital_status": "21", "spouse_name": "李秀英"},
            },
        ]
    )
    assert (registered.status, outcome.status) == ("applied", "applied"), outcome
    approval = granted()
    result = reads.read(
        requester=county(), resource=approval.resource, subject=person.id_number,
        fields=None, purpose=PURPOSE,
    )  # fmt: skip
    assert result.values == {"marital_status": "初婚", "spouse_name": "李秀英"}
    assert result.codes == {"marital_status": "21"}  # the code behind the label
    assert result.read.source_name == "广东省民政厅"
    assert timezone.localtime(result.read.source_updated_at).date() == datetime.date(2015, 5, 20)


def test_demo_catalogue_makes_the_low_income_marriage_material_shared(library):
    from govhall.demo import sharing as demo

    the_item = low_income_item()  # the demo catalogue's 低保 names RK-HYDJ the same way
    assert demo.load_catalogue("demo-password-1")
    assert demo.load_catalogue("demo-password-1")  # idempotent
    approval = Approval.objects.get()
    assert approval.in_force() and approval.requester == county()
    identity = applicant()
    library.add_married(identity.person.id_number)
    application = applications.start(identity, item=the_item)
    (need,) = [n for n in applications.material_needs(application) if n.name == "婚姻状况证明"]
    assert need.fetched_by_hall and need.shared_source == "广东省民政厅“人口库婚姻登记信息”"


def test_an_optional_shared_material_the_hall_cannot_fetch_does_not_stop_submission(library):
    marriage_resource()
    from tests.common import MATERIALS

    optional = {**MARRIAGE_MATERIAL, "required": False}
    the_item = item(county(), name=PURPOSE, materials=[MATERIALS[0], optional])
    identity = applicant()
    application = draft(identity, the_item)
    (case,) = applications.submit(application, identity)
    assert not case.application.materials.filter(source=MaterialSource.SHARED).exists()
    assert not SharedRead.objects.exists()


def test_staff_pages_request_approve_and_revoke_scoped_to_the_departments():
    resource = marriage_resource()
    clerk = staff(Post.CLERK, county())
    desk = Client()
    desk.force_login(clerk)
    page = desk.get("/workbench/sharing/request/?resource=RK-HYDJ")
    assert page.status_code == 200 and "配偶姓名" in page.content.decode()
    # a date input takes ISO dates whatever the locale's input formats
    initial = timezone.localdate() + datetime.timedelta(days=365)
    assert f'value="{initial.isoformat()}"' in page.content.decode()
    answer = desk.post(
        "/workbench/sharing/request/",
        {
            "resource_code": "RK-HYDJ",
            "resource": resource.pk,
            "requester": county().pk,
            "fields_wanted": ["marital_status", "spouse_name"],
            "purpose": PURPOSE,
            "legal_basis": "《社会救助暂行办法》第十一条",
            "valid_until": NEXT_YEAR.isoformat(),
        },
    )
    assert answer.status_code == 302, answer.content.decode()[-2000:]
    approval = Approval.objects.get()
    assert answer["Location"].endswith(f"/workbench/sharing/approvals/{approval.public_id}/")
    assert desk.post(answer["Location"], {"action": "approve"}).status_code == 200  # refused
    assert Approval.objects.get().status == Approval.Status.PENDING
    owner_desk = Client()
    owner_desk.force_login(staff(Post.APPROVER, owner()))
    assert owner_desk.post(answer["Location"], {"action": "approve"}).status_code == 302
    assert Approval.objects.get().status == Approval.Status.APPROVED
    outsider = Client()
    outsider.force_login(
        staff(Post.APPROVER, Department.objects.get(region_id="440000", name="广东省公安厅"))
    )
    assert outsider.get(answer["Location"]).status_code == 404
    revoked = owner_desk.post(answer["Location"], {"action": "revoke", "note": "停止"})
    assert revoked.status_code == 302
    assert Approval.objects.get().status == Approval.Status.REVOKED
    listed = owner_desk.get("/workbench/sharing/").content.decode()
    assert county().name in listed and "已撤销" in listed
