"""家庭成员的事项, my consultations, complaints and ratings on the citizen page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from govhall.assistant.models import Consultation
from govhall.cases.models import Rating
from govhall.cases.tests import factories as f
from govhall.core.errors import Refusal
from govhall.core.services.audit import AuditEntry
from govhall.supervision.models import Complaint

from ..models import HouseholdGrant
from ..services import household
from .helpers import _private_media, person_licence, signed_in  # noqa: F401

pytestmark = pytest.mark.django_db


def page(identity) -> str:
    response = signed_in(identity).get(reverse("spaces:home"))
    assert response.status_code == 200
    return response.content.decode()


def next_year():
    return timezone.localdate() + datetime.timedelta(days=365)


def test_a_member_grants_a_household_view_and_the_holder_sees_their_cases_and_licences():
    mother, son, stranger = (
        f.applicant(name="陈阿婆"),
        f.applicant(name="陈小明"),
        f.applicant(name="路人甲"),
    )
    case = f.submitted(f.item(name="高龄老人津贴申领"), mother)
    licence = person_licence(mother, valid_until=timezone.localdate() + datetime.timedelta(days=30))

    before = page(son)
    assert case.number not in before and licence.number not in before

    response = signed_in(mother).post(
        reverse("spaces:household"),
        {
            "name": "陈小明",
            "id_number": son.person.id_number,
            "relation": "child",
            "valid_until": next_year().isoformat(),
        },
    )
    assert response.status_code == 302
    grant = HouseholdGrant.objects.get(member=mother.person)
    assert grant.holder == son.person
    assert (
        AuditEntry.objects.filter(
            action="create", object_type="spaces.householdgrant", object_id=str(grant.pk)
        ).count()
        == 1
    )

    html = page(son)
    assert "陈阿婆（子女）" in html
    assert case.number in html and "高龄老人津贴申领" in html
    assert licence.number in html and "30天后到期" in html
    # only the holder: a third person sees nothing of the mother's
    assert case.number not in page(stranger)
    # and the grant gives no way into the case itself: its page is the applicant's only
    assert signed_in(son).get(case.get_absolute_url()).status_code in (302, 404)

    # the holder declines it (or the member withdraws it): gone at once
    response = signed_in(son).post(reverse("spaces:household-end", args=[grant.pk]))
    assert response.status_code == 302
    assert case.number not in page(son)
    grant.refresh_from_db()
    assert grant.ended_at is not None
    assert AuditEntry.objects.filter(
        action="transition", object_type="spaces.householdgrant", object_id=str(grant.pk)
    ).exists()


def test_an_expired_grant_shows_nothing():
    mother, son = f.applicant(), f.applicant()
    case = f.submitted(f.item(), mother)
    HouseholdGrant.objects.create(
        member=mother.person,
        holder=son.person,
        relation="parent",
        valid_until=timezone.localdate() - datetime.timedelta(days=1),
    )
    assert case.number not in page(son)


def test_a_grant_needs_the_holders_real_name_and_never_tells_which_part_was_wrong():
    mother, son = f.applicant(name="陈阿婆"), f.applicant(name="陈小明")
    with pytest.raises(Refusal) as wrong_name:
        household.grant(
            mother.person,
            id_number=son.person.id_number,
            name="陈大明",
            relation="child",
            valid_until=next_year(),
        )
    (problem,) = wrong_name.value.problems
    assert problem.field == "id_number" and "姓名" in problem.message
    with pytest.raises(Refusal) as to_self:
        household.grant(
            mother.person,
            id_number=mother.person.id_number,
            name="陈阿婆",
            relation="child",
            valid_until=next_year(),
        )
    assert to_self.value.problems[0].message == "不能授权给本人。"
    with pytest.raises(Refusal) as past:
        household.grant(
            mother.person,
            id_number=son.person.id_number,
            name="陈小明",
            relation="child",
            valid_until=timezone.localdate(),
        )
    assert past.value.problems[0].field == "valid_until"
    household.grant(
        mother.person,
        id_number=son.person.id_number,
        name="陈小明",
        relation="child",
        valid_until=next_year(),
    )
    with pytest.raises(Refusal) as twice:
        household.grant(
            mother.person,
            id_number=son.person.id_number,
            name="陈小明",
            relation="child",
            valid_until=next_year(),
        )
    assert twice.value.problems[0].code == "already_granted"
    # the form shows the refusal beside the field
    html = (
        signed_in(mother)
        .post(
            reverse("spaces:household"),
            {
                "name": "查无此人",
                "id_number": son.person.id_number,
                "relation": "child",
                "valid_until": next_year().isoformat(),
            },
        )
        .content.decode()
    )
    assert "没有找到身份证号码与姓名一致的实名账号" in html
    # a stranger cannot end someone else's grant
    grant = HouseholdGrant.objects.get()
    signed_in(f.applicant()).post(reverse("spaces:household-end", args=[grant.pk]))
    grant.refresh_from_db()
    assert grant.ended_at is None


def test_my_consultations_complaints_and_ratings_are_on_my_page_only():
    dept = f.department("江门市民政局")
    me, other = f.applicant(), f.applicant()
    Consultation.objects.create(
        department=dept,
        region=dept.region,
        question="高龄津贴要带什么材料？",
        user=me.user,
        token_digest="x",
    )
    Consultation.objects.create(
        department=dept,
        region=dept.region,
        question="别人的问题",
        user=other.user,
        token_digest="y",
    )
    today = timezone.localdate()
    Complaint.objects.create(
        number="TS2026000001",
        query_code_hash="h",
        subject="department",
        region_code=dept.region.code,
        department=dept,
        content="窗口态度差",
        user=me.user,
        received_at=timezone.now(),
        due_date=today + datetime.timedelta(days=15),
    )
    case = f.submitted(f.item(name="临时救助申请"), me)
    Rating.objects.create(case=case, level=Rating.Level.SATISFIED, user=me.user)

    html = page(me)
    assert "高龄津贴要带什么材料？" in html and "别人的问题" not in html
    assert "TS2026000001" in html and "办理中" in html
    assert "满意" in html and "临时救助申请" in html
    assert "TS2026000001" not in page(other)
