"""Separation of duties for posts (``services.posts``): nobody grants a post to themselves,
posts go only to staff accounts of the administrator's region, an administrator post needs
a second administrator, and every grant and revocation is audited — in the service and
through the admin."""

import pytest
from django.test import Client

from govhall.accounts.tests.factories import PersonFactory
from govhall.core.errors import Refusal
from govhall.core.models import AuditEntry
from govhall.regions.models import Department, Post, Region, StaffAccount, StaffPost
from govhall.regions.services import admin_access, posts
from tests.factories import StaffPostFactory, UserFactory, staff_account

pytestmark = pytest.mark.django_db


def dept(region: str, name: str) -> Department:
    return Department.objects.get(region_id=region, name=name)


def hall_admin(username: str, region: str, centre: str):
    user = StaffPostFactory(
        user=UserFactory(username=username), department=dept(region, centre), post=Post.HALL_ADMIN
    ).user
    admin_access.grant_hall_admin_access(user)
    return user


@pytest.fixture
def cz_admin():
    return hall_admin("cz_admin_t", "445100", "潮州市政务服务中心")


@pytest.fixture
def jm_admin():
    return hall_admin("jm_admin_t", "440700", "江门市行政服务中心")


def codes(excinfo) -> set[str]:
    return {p.code for p in excinfo.value.problems}


def test_nobody_grants_a_post_to_themselves(cz_admin):
    with pytest.raises(Refusal) as refused:
        posts.grant(cz_admin, cz_admin, dept("445100", "潮州市民政局"), Post.APPROVER)
    assert "self_grant" in codes(refused)
    assert not StaffPost.objects.filter(user=cz_admin, post=Post.APPROVER).exists()


def test_a_citizen_account_cannot_be_made_a_clerk(cz_admin):
    citizen = PersonFactory().user
    with pytest.raises(Refusal) as refused:
        posts.grant(cz_admin, citizen, dept("445100", "潮州市民政局"), Post.CLERK)
    assert codes(refused) == {"not_staff_account"}
    assert "须先由系统管理员登记为工作人员账号" in refused.value.message
    assert not StaffPost.objects.filter(user=citizen).exists()


def test_another_citys_clerk_cannot_be_made_an_admin_here(cz_admin):
    jm_clerk = StaffPostFactory(department=dept("440700", "江门市民政局"), post=Post.CLERK).user
    with pytest.raises(Refusal) as refused:
        posts.grant(cz_admin, jm_clerk, dept("445100", "潮州市政务服务中心"), Post.HALL_ADMIN)
    assert codes(refused) == {"account_out_of_region"}
    assert "江门市" in refused.value.message


def test_departments_outside_the_admins_region_or_the_accounts_are_refused(cz_admin, jm_admin):
    clerk = staff_account(UserFactory(), "445100")
    with pytest.raises(Refusal) as refused:
        posts.grant(cz_admin, clerk, dept("440700", "江门市民政局"), Post.CLERK)
    assert "out_of_region" in codes(refused)
    county = staff_account(UserFactory(), "440703")
    with pytest.raises(Refusal) as refused:
        posts.grant(jm_admin, county, dept("440700", "江门市民政局"), Post.CLERK)
    assert codes(refused) == {"outside_account_region"}


def test_a_clerk_post_is_granted_at_once_and_revocation_is_audited(cz_admin):
    clerk = staff_account(UserFactory(), "445100")
    post = posts.grant(cz_admin, clerk, dept("445100", "潮州市民政局"), Post.CLERK)
    assert (post.is_active, post.awaiting_confirmation, post.granted_by) == (True, False, cz_admin)
    created = AuditEntry.objects.filter(object_type="regions.staffpost", object_id=str(post.pk))
    assert [(e.action, e.actor_id, e.reason) for e in created] == [
        ("create", cz_admin.pk, "授予岗位")
    ]
    posts.revoke(cz_admin, post, reason="调岗")
    post.refresh_from_db()
    assert (post.is_active, post.revoked_by) == (False, cz_admin)
    last = created.order_by("-sequence").first()
    assert (last.action, last.actor_id, last.reason) == ("update", cz_admin.pk, "撤销岗位：调岗")
    with pytest.raises(Refusal) as again:
        posts.revoke(cz_admin, post)
    assert codes(again) == {"already_revoked"}


def test_an_admin_post_waits_for_a_second_admin_of_the_region(cz_admin, jm_admin):
    newcomer = staff_account(UserFactory(), "445100")
    post = posts.grant(cz_admin, newcomer, dept("445100", "潮州市政务服务中心"), Post.HALL_ADMIN)
    assert (post.is_active, post.awaiting_confirmation) == (False, True)
    newcomer.refresh_from_db()
    assert not newcomer.is_staff
    with pytest.raises(Refusal) as own:
        posts.confirm(cz_admin, post)
    assert codes(own) == {"second_admin_required"}
    with pytest.raises(Refusal) as holder:
        posts.confirm(newcomer, post)
    assert codes(holder) == {"permission_denied"}
    with pytest.raises(Refusal) as outsider:
        posts.confirm(jm_admin, post)
    assert codes(outsider) == {"permission_denied"}
    second = hall_admin("cz_admin_two", "445100", "潮州市政务服务中心")
    confirmed = posts.confirm(second, post)
    assert (confirmed.is_active, confirmed.confirmed_by) == (True, second)
    newcomer.refresh_from_db()
    assert newcomer.is_staff


def test_only_a_superuser_registers_staff_accounts(cz_admin):
    user = UserFactory()
    with pytest.raises(Refusal):
        posts.register_account(cz_admin, user, Region.objects.get(code="445100"))
    root = UserFactory(is_superuser=True, is_staff=True)
    account = posts.register_account(root, user, Region.objects.get(code="445100"))
    assert StaffAccount.objects.get(user=user) == account
    assert AuditEntry.objects.filter(object_type="regions.staffaccount").exists()


def test_the_admin_screen_refuses_what_the_probe_did(cz_admin):
    """A Chaozhou hall administrator, through the admin: himself an approver, a citizen a
    clerk, a Jiangmen clerk a Chaozhou hall admin — all refused with Chinese messages."""
    client = Client()
    client.force_login(cz_admin)
    url = "/admin/regions/staffpost/add/"
    citizen = PersonFactory().user
    jm_clerk = StaffPostFactory(department=dept("440700", "江门市民政局"), post=Post.CLERK).user
    civil, centre = dept("445100", "潮州市民政局"), dept("445100", "潮州市政务服务中心")
    cases = [
        (cz_admin.username, civil, "approver", "不能给自己授予岗位"),
        (citizen.username, civil, "clerk", "不是工作人员账号"),
        (jm_clerk.username, centre, "hall_admin", "不在您管理的区划内"),
    ]
    before = StaffPost.objects.count()
    for username, department, post, message in cases:
        response = client.post(url, {"user": username, "department": department.pk, "post": post})
        assert response.status_code == 200
        assert message in str(response.context["adminform"].form.errors["user"])
    assert StaffPost.objects.count() == before


def test_the_user_admin_inline_cannot_add_posts(admin_client):
    user = UserFactory()
    response = admin_client.get(f"/admin/accounts/user/{user.pk}/change/")
    assert response.status_code == 200
    inline = next(f for f in response.context["inline_admin_formsets"])
    assert not inline.has_add_permission and not inline.has_change_permission


def test_staff_accounts_are_registered_in_the_admin_by_a_superuser_only(
    admin_client, admin_user, cz_admin
):
    user = UserFactory(username="cz_new_clerk")
    assert admin_client.get("/admin/regions/staffaccount/").status_code == 200
    added = admin_client.post(
        "/admin/regions/staffaccount/add/", {"user": user.pk, "region": "445100"}
    )
    assert added.status_code == 302, added.content[:500]
    account = StaffAccount.objects.get(user=user)
    assert (account.region_id, account.registered_by) == ("445100", admin_user)
    hall = Client()
    hall.force_login(cz_admin)
    listing = hall.get("/admin/regions/staffaccount/")
    assert listing.status_code == 200
    assert all(a.region_id.startswith("4451") for a in listing.context["cl"].result_list)
    assert hall.get("/admin/regions/staffaccount/add/").status_code == 403
