"""Real-name levels: online verification through the pluggable verifier, counter
verification by a clerk with a counter post, and the minimum-level check for items."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from govhall.accounts.models import RealNameLevel, RealNameVerification
from govhall.accounts.services import realname
from govhall.accounts.verifiers import BaseVerifier, Outcome
from govhall.regions.models import Department, Post
from tests.factories import StaffPostFactory

from .factories import DEFAULT_PASSWORD, PersonFactory


class AlwaysDown(BaseVerifier):
    def verify_person(self, id_number, name):
        return Outcome("unavailable", "", "核验服务暂时不可用。", "测试源")


@pytest.mark.django_db
def test_online_verification_raises_level_and_keeps_evidence(client):
    person = PersonFactory(name="吴海燕")
    assert not realname.meets(person, RealNameLevel.ONLINE_VERIFIED)
    client.post(
        reverse("accounts:login"), {"username": person.user.username, "password": DEFAULT_PASSWORD}
    )
    response = client.post(reverse("accounts:verify-online"), follow=True)
    assert "在线实名核验通过" in response.content.decode()
    person.refresh_from_db()
    assert person.realname_level == RealNameLevel.ONLINE_VERIFIED
    record = RealNameVerification.objects.get(person=person)
    assert record.result == "passed" and record.reference.startswith("FAKE-")
    assert realname.meets(person.user, 2) and not realname.meets(person, 3)
    assert "二级：在线核验" in client.get(reverse("accounts:home")).content.decode()


@pytest.mark.django_db
def test_failed_and_unavailable_verifications_do_not_raise_level(settings):
    person = PersonFactory(name="核验不符")
    record = realname.verify_online(person)
    assert record.result == "failed" and "不一致" in record.note
    person.refresh_from_db()
    assert person.realname_level == RealNameLevel.SELF_REGISTERED
    settings.GOVHALL_REALNAME_VERIFIER = "govhall.accounts.tests.test_realname.AlwaysDown"
    other = PersonFactory()
    assert realname.verify_online(other).result == "unavailable"
    other.refresh_from_db()
    assert other.realname_level == RealNameLevel.SELF_REGISTERED


@pytest.mark.django_db
def test_failed_attempts_are_limited_per_day():
    person = PersonFactory(name="核验不符")
    for _ in range(realname.MAX_FAILED_ONLINE_PER_DAY):
        realname.verify_online(person)
    with pytest.raises(ValidationError, match="窗口核验"):
        realname.verify_online(person)


@pytest.mark.django_db
def test_counter_verification_by_a_clerk(client):
    person = PersonFactory(name="冯丽")
    centre = Department.objects.get(region_id="440700", name="江门市行政服务中心")
    clerk_post = StaffPostFactory(department=centre, post=Post.CLERK)
    clerk = clerk_post.user
    client.force_login(clerk)
    page = client.get(reverse("accounts:counter-verify"))
    assert page.status_code == 200 and "江门市行政服务中心" in page.content.decode()
    wrong_name = client.post(
        reverse("accounts:counter-verify"),
        {
            "id_number_read": person.id_number,
            "name_read": "冯莉",
            "document_type": "居民身份证",
            "department": centre.pk,
        },
    )
    assert "证件上的姓名与账号登记的姓名不一致" in wrong_name.content.decode()
    ok = client.post(
        reverse("accounts:counter-verify"),
        {
            "id_number_read": person.id_number,
            "name_read": "冯丽",
            "document_type": "居民身份证",
            "department": centre.pk,
        },
        follow=True,
    )
    body = ok.content.decode()
    assert "三级：窗口核验" in body and person.id_number not in body
    person.refresh_from_db()
    assert person.realname_level == RealNameLevel.IN_PERSON
    record = RealNameVerification.objects.get(person=person, method="counter")
    assert record.clerk == clerk and record.department == centre
    assert record.document_type == "居民身份证" and record.occurred_at is not None


@pytest.mark.django_db
def test_only_counter_posts_may_verify(client):
    person = PersonFactory()
    reviewer = StaffPostFactory(
        department=Department.objects.get(region_id="440700", name="江门市民政局"),
        post=Post.REVIEWER,
    ).user
    client.force_login(reviewer)
    assert client.get(reverse("accounts:counter-verify")).status_code == 403
    with pytest.raises(ValidationError, match="窗口受理"):
        realname.verify_at_counter(
            person=person,
            clerk=reviewer,
            department=Department.objects.get(region_id="440700", name="江门市民政局"),
            id_number_read=person.id_number,
            name_read=person.name,
        )
    client.force_login(person.user)
    assert client.get(reverse("accounts:counter-verify")).status_code == 403
