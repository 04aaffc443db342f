"""Admin screens of §1 and their region scope for hall administrators."""

import pytest
from django.contrib.auth.models import Group

from govhall.core.models import AuditEntry
from govhall.regions.models import Department, Hall, Post, Region, StaffPost
from govhall.regions.services import admin_access
from govhall.regions.services.loading import credit_code_for
from tests.factories import StaffPostFactory, UserFactory, staff_account

pytestmark = pytest.mark.django_db

JIANGMEN_CENTRE = ("440700", "江门市行政服务中心")


def department(region: str, name: str) -> Department:
    return Department.objects.get(region_id=region, name=name)


def department_form(dept: Department, **changes) -> dict:
    data = {
        "region": dept.region_id,
        "name": dept.name,
        "short_name": dept.short_name,
        "credit_code": dept.credit_code,
        "kind": dept.kind,
        "phone": dept.phone,
        "sort_order": dept.sort_order,
        "is_active": "on" if dept.is_active else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def last_entry() -> AuditEntry:
    return AuditEntry.objects.order_by("-sequence").first()


@pytest.fixture
def hall_admin():
    """Jiangmen's hall administrator, set up the way load_demo does it."""
    post = StaffPostFactory(
        user=UserFactory(username="jm_admin_test"),
        department=department(*JIANGMEN_CENTRE),
        post=Post.HALL_ADMIN,
    )
    admin_access.grant_hall_admin_access(post.user)
    return post.user


@pytest.fixture
def admin_client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def jm(admin_client_for, hall_admin):
    return admin_client_for(hall_admin)


# --- the group and the grant ----------------------------------------------------------


def test_hall_admin_group_is_created_once_with_exactly_the_listed_permissions():
    group = admin_access.ensure_hall_admin_group()
    assert group.name == "大厅管理员"
    perms = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
    assert perms == {f"{a}.{c}" for a, c in admin_access.HALL_ADMIN_PERMISSIONS}
    assert {
        "core.add_calendaryear",
        "core.change_calendaryear",
        "core.view_calendaryear",
        "core.view_calendarday",
    } <= perms
    entries = AuditEntry.objects.count()
    again = admin_access.ensure_hall_admin_group()
    assert again.pk == group.pk
    assert Group.objects.filter(name="大厅管理员").count() == 1
    assert AuditEntry.objects.count() == entries


def test_grant_sets_is_staff_and_group_and_is_audited_once():
    user = UserFactory()
    assert admin_access.grant_hall_admin_access(user) is True
    user.refresh_from_db()
    assert user.is_staff
    assert user.groups.filter(name="大厅管理员").exists()
    assert user.has_perm("regions.change_department")
    assert user.has_perm("core.add_calendaryear")
    assert not user.has_perm("regions.delete_department")
    entry = last_entry()
    assert (entry.action, entry.object_id, entry.after) == (
        "update",
        str(user.pk),
        {"groups_added": ["大厅管理员"]},
    )
    entries = AuditEntry.objects.count()
    assert admin_access.grant_hall_admin_access(user) is False
    assert AuditEntry.objects.count() == entries


def test_saving_an_active_hall_admin_post_anywhere_grants_access():
    """The user admin's inline (accounts) saves posts too: the rule lives in a signal."""
    holder = UserFactory()
    StaffPost.objects.create(
        user=holder, department=department("440781", "台山市政务服务中心"), post=Post.REVIEWER
    )
    inactive = StaffPost.objects.create(
        user=holder,
        department=department("440781", "台山市政务服务中心"),
        post=Post.HALL_ADMIN,
        is_active=False,
    )
    holder.refresh_from_db()
    assert not holder.is_staff and not holder.groups.exists()
    inactive.is_active = True
    inactive.save()
    holder.refresh_from_db()
    assert holder.is_staff
    assert list(holder.groups.values_list("name", flat=True)) == ["大厅管理员"]


# --- who gets in ------------------------------------------------------------------------


def test_hall_admin_index_lists_the_scoped_screens_and_the_calendar(jm):
    response = jm.get("/admin/")
    assert response.status_code == 200
    models = {
        model["object_name"] for app in response.context["app_list"] for model in app["models"]
    }
    assert {"Region", "Hall", "Department", "StaffPost", "CalendarYear"} <= models
    assert "User" not in models and "AuditEntry" not in models


def test_group_without_an_active_post_shows_nothing(admin_client_for):
    post = StaffPostFactory(department=department(*JIANGMEN_CENTRE), post=Post.HALL_ADMIN)
    admin_access.grant_hall_admin_access(post.user)
    post.is_active = False
    post.save()
    client = admin_client_for(post.user)
    assert client.get("/admin/regions/department/").status_code == 403
    index = client.get("/admin/")
    names = {m["object_name"] for app in index.context["app_list"] for m in app["models"]}
    assert not names & {"Region", "Hall", "Department", "StaffPost"}


def test_other_posts_do_not_open_the_regions_admin(admin_client_for):
    post = StaffPostFactory(department=department("440700", "江门市监察局"), post=Post.SUPERVISOR)
    admin_access.grant_hall_admin_access(post.user)  # even with the group
    client = admin_client_for(post.user)
    assert client.get("/admin/regions/department/").status_code == 403


# --- lists and objects within scope -------------------------------------------------------


def test_department_list_shows_only_the_subtree(jm):
    response = jm.get("/admin/regions/department/")
    assert response.status_code == 200
    expected = Department.objects.filter(region__code__startswith="4407").count()
    assert response.context["cl"].result_count == expected
    assert response.context["cl"].full_result_count == expected
    searched = jm.get("/admin/regions/department/", {"q": "潮州"})
    assert searched.context["cl"].result_count == 0


def test_city_filter_offers_only_the_own_city(jm):
    response = jm.get("/admin/regions/department/", {"city": "440700"})
    spec = next(
        s for s in response.context["cl"].filter_specs if getattr(s, "parameter_name", "") == "city"
    )
    assert spec.lookup_choices == [("440700", "江门市")]
    taishan = jm.get("/admin/regions/department/", {"q": "440781"})  # the county and its towns
    assert (
        taishan.context["cl"].result_count
        == Department.objects.filter(region__code__startswith="440781").count()
    )


def test_department_outside_scope_cannot_be_opened_or_changed(jm):
    chaozhou = department("445100", "潮州市民政局")
    url = f"/admin/regions/department/{chaozhou.pk}/change/"
    assert jm.get(url).status_code == 302  # "does not exist" for this user
    response = jm.post(url, department_form(chaozhou, phone="0768-0000000"))
    assert response.status_code == 302
    chaozhou.refresh_from_db()
    assert chaozhou.phone == ""


def test_admin_edit_of_a_department_is_audited_with_before_after_and_actor(jm, hall_admin):
    dept = department("440700", "江门市民政局")
    response = jm.post(
        f"/admin/regions/department/{dept.pk}/change/",
        department_form(dept, phone="0750-3500000", short_name="民政局"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    dept.refresh_from_db()
    assert dept.phone == "0750-3500000"
    entry = AuditEntry.objects.filter(
        object_type="regions.department", object_id=str(dept.pk), action="update"
    ).latest("sequence")
    assert entry.before == {"phone": "", "short_name": "市民政局"}
    assert entry.after == {"phone": "0750-3500000", "short_name": "民政局"}
    assert entry.actor_id == hall_admin.pk
    assert entry.actor_label == "jm_admin_test"


def test_department_cannot_be_moved_out_of_scope(jm):
    dept = department("440700", "江门市民政局")
    response = jm.post(
        f"/admin/regions/department/{dept.pk}/change/", department_form(dept, region="445100")
    )
    assert response.status_code == 200
    assert "region" in response.context["adminform"].form.errors
    dept.refresh_from_db()
    assert dept.region_id == "440700"


def test_department_add_checks_the_credit_code_in_chinese(jm):
    count = Department.objects.count()
    entries = AuditEntry.objects.count()
    data = {
        "region": "440781",
        "name": "台山市数据局",
        "short_name": "数据局",
        "credit_code": "11440781ABCDEFGH00",
        "kind": "government",
        "sort_order": 50,
        "is_active": "on",
    }
    response = jm.post("/admin/regions/department/add/", data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["credit_code"]
    assert any("统一社会信用代码" in e or "校验" in e for e in errors), errors
    assert Department.objects.count() == count
    assert AuditEntry.objects.count() == entries

    data["credit_code"] = credit_code_for(Region.objects.get(code="440781"), "台山市数据局")
    assert jm.post("/admin/regions/department/add/", data).status_code == 302
    created = Department.objects.get(region_id="440781", name="台山市数据局")
    assert last_entry().object_id == str(created.pk)


def test_department_add_outside_scope_is_refused(jm):
    data = {
        "region": "445100",
        "name": "潮州市数据局",
        "credit_code": credit_code_for(Region.objects.get(code="445100"), "潮州市数据局"),
        "kind": "government",
        "sort_order": 50,
    }
    response = jm.post("/admin/regions/department/add/", data)
    assert response.status_code == 200
    assert "region" in response.context["adminform"].form.errors
    assert not Department.objects.filter(name="潮州市数据局").exists()


def test_autocomplete_offers_only_regions_in_scope(jm):
    params = {"app_label": "regions", "model_name": "department", "field_name": "region"}
    inside = jm.get("/admin/autocomplete/", {**params, "term": "台山"}).json()
    assert {"id": "440781", "text": "台山市（440781）"} in inside["results"]
    outside = jm.get("/admin/autocomplete/", {**params, "term": "潮州"}).json()
    assert outside["results"] == []


def test_regions_are_read_only_for_hall_admins(jm):
    response = jm.get("/admin/regions/region/")
    assert (
        response.context["cl"].result_count
        == Region.objects.filter(code__startswith="4407").count()
    )
    assert jm.get("/admin/regions/region/add/").status_code == 403
    view = jm.get("/admin/regions/region/440781/change/")
    assert view.status_code == 200
    assert not view.context["has_change_permission"]
    assert jm.get("/admin/regions/region/445100/change/").status_code == 302


def test_hall_details_are_editable_but_not_its_region(jm):
    hall = Hall.objects.get(region_id="440781")
    url = f"/admin/regions/hall/{hall.pk}/change/"
    page = jm.get(url)
    assert page.status_code == 200
    assert "region" not in page.context["adminform"].form.fields
    data = {
        "name": hall.name,
        "is_active": "on",
        "address": "台山市台城环市东路1号",
        "hotline": "0750-5500000",
        "opening_hours": "周一至周五 8:30–17:30",
        "region": "445100",  # ignored: read-only
    }
    assert jm.post(url, data).status_code == 302
    hall.refresh_from_db()
    assert (hall.region_id, hall.hotline) == ("440781", "0750-5500000")
    assert jm.get("/admin/regions/hall/add/").status_code == 403
    chaozhou = Hall.objects.get(region_id="445100")
    assert jm.get(f"/admin/regions/hall/{chaozhou.pk}/change/").status_code == 302


# --- staff posts --------------------------------------------------------------------------


def test_staff_post_is_assigned_by_username_within_scope(jm, hall_admin):
    newcomer = UserFactory(username="ts_clerk")
    staff_account(newcomer, "440781")
    taishan = department("440781", "台山市政务服务中心")
    url = "/admin/regions/staffpost/add/"
    form = jm.get(url).context["adminform"].form
    assert form.fields["user"].label == "工作人员用户名"

    unknown = jm.post(url, {"user": "nobody", "department": taishan.pk, "post": "clerk"})
    assert unknown.context["adminform"].form.errors["user"] == [
        "没有用户名为“nobody”的在用工作人员账号。"
    ]
    outside = jm.post(
        url,
        {
            "user": "ts_clerk",
            "department": department("445100", "潮州市民政局").pk,
            "post": "clerk",
        },
    )
    assert "department" in outside.context["adminform"].form.errors
    assert not StaffPost.objects.filter(user=newcomer).exists()

    ok = jm.post(
        url, {"user": "ts_clerk", "department": taishan.pk, "post": "clerk", "is_active": "on"}
    )
    assert ok.status_code == 302
    post = StaffPost.objects.get(user=newcomer)
    assert (post.department, post.post, post.is_active) == (taishan, "clerk", True)
    entry = last_entry()
    assert (entry.action, entry.object_type, entry.actor_id) == (
        "create",
        "regions.staffpost",
        hall_admin.pk,
    )

    duplicate = jm.post(url, {"user": "ts_clerk", "department": taishan.pk, "post": "clerk"})
    assert duplicate.status_code == 200
    assert (
        "该工作人员在这个部门已有此岗位。" in duplicate.context["adminform"].form.non_field_errors()
    )


def test_hall_admin_cannot_hand_a_post_to_a_superuser(jm):
    UserFactory(username="root2", is_superuser=True, is_staff=True)
    response = jm.post(
        "/admin/regions/staffpost/add/",
        {"user": "root2", "department": department("440781", "台山市民政局").pk, "post": "clerk"},
    )
    assert "user" in response.context["adminform"].form.errors


def test_appointing_a_county_hall_admin_waits_for_a_second_admin_then_opens_the_admin(
    jm, hall_admin, admin_client_for
):
    county_admin = UserFactory(username="ts_admin")
    staff_account(county_admin, "440781")
    response = jm.post(
        "/admin/regions/staffpost/add/",
        {
            "user": "ts_admin",
            "department": department("440781", "台山市政务服务中心").pk,
            "post": "hall_admin",
        },
    )
    assert response.status_code == 302
    post = StaffPost.objects.get(user=county_admin)
    assert (post.is_active, post.awaiting_confirmation, post.granted_by) == (
        False,
        True,
        hall_admin,
    )
    county_admin.refresh_from_db()
    assert not county_admin.is_staff

    # the granting administrator cannot confirm it himself
    changelist = "/admin/regions/staffpost/"
    action = {"action": "confirm_posts", "_selected_action": [post.pk]}
    jm.post(changelist, action)
    post.refresh_from_db()
    assert post.awaiting_confirmation

    second = StaffPostFactory(
        user=UserFactory(username="jm_admin_two"),
        department=department(*JIANGMEN_CENTRE),
        post=Post.HALL_ADMIN,
    ).user
    admin_access.grant_hall_admin_access(second)
    admin_client_for(second).post(changelist, action)
    post.refresh_from_db()
    assert (post.is_active, post.awaiting_confirmation, post.confirmed_by) == (True, False, second)
    county_admin.refresh_from_db()
    assert county_admin.is_staff
    assert county_admin.groups.filter(name="大厅管理员").exists()
    entry = AuditEntry.objects.filter(object_type="regions.staffpost", object_id=str(post.pk))
    assert [e.reason for e in entry.order_by("sequence")] == [
        "授予岗位（待第二名管理员确认）",
        "确认授予大厅管理员岗位",
    ]


def test_existing_post_can_only_be_deactivated(jm):
    post = StaffPostFactory(department=department("440700", "江门市民政局"), post=Post.REVIEWER)
    url = f"/admin/regions/staffpost/{post.pk}/change/"
    fields = jm.get(url).context["adminform"].form.fields
    assert set(fields) == {"is_active"}
    assert jm.post(url, {"department": department("440703", "蓬江区民政局").pk}).status_code == 302
    post.refresh_from_db()
    assert (post.is_active, post.department.name) == (False, "江门市民政局")
    entry = AuditEntry.objects.filter(object_type="regions.staffpost").order_by("-sequence")[0]
    assert (entry.before["is_active"], entry.after["is_active"]) == (True, False)
    assert entry.after["revoked_by_id"] == StaffPost.objects.get(pk=post.pk).revoked_by_id
    assert entry.reason == "撤销岗位：后台停用"


def test_staff_post_list_is_scoped_and_linked_from_departments(jm):
    inside = StaffPostFactory(department=department("440700", "江门市民政局"), post=Post.CLERK)
    StaffPostFactory(department=department("445100", "潮州市民政局"), post=Post.CLERK)
    response = jm.get("/admin/regions/staffpost/")
    visible = set(response.context["cl"].result_list)
    assert inside in visible
    assert all(p.department.region_id.startswith("4407") for p in visible)
    filtered = jm.get("/admin/regions/staffpost/", {"department": inside.department_id})
    assert list(filtered.context["cl"].result_list) == [inside]
    listing = jm.get("/admin/regions/department/", {"q": "江门市民政局"})
    assert f"/admin/regions/staffpost/?department={inside.department_id}" in listing.text


def test_hall_admin_may_open_the_holiday_calendar(jm):
    assert jm.get("/admin/core/calendaryear/").status_code == 200
    assert jm.get("/admin/core/calendaryear/add/").status_code == 200
    assert jm.get("/admin/core/calendaryear/2026/change/").status_code == 200


def test_superuser_sees_every_row(admin_client):
    response = admin_client.get("/admin/regions/department/")
    assert response.context["cl"].result_count == Department.objects.count()
    cities = admin_client.get("/admin/regions/department/", {"city": "445100"})
    assert (
        cities.context["cl"].result_count
        == Department.objects.filter(region__code__startswith="4451").count()
    )
    assert admin_client.get("/admin/regions/staffpost/add/").status_code == 200
    assert admin_client.get("/admin/regions/region/add/").status_code == 200


@pytest.mark.parametrize("model", ["region", "hall", "department", "staffpost"])
def test_every_screen_renders_for_a_superuser(admin_client, model):
    post = StaffPostFactory(department=department("440700", "江门市民政局"), post=Post.CLERK)
    pk = {
        "region": "440781",
        "hall": Hall.objects.get(region_id="440781").pk,
        "department": post.department_id,
        "staffpost": post.pk,
    }[model]
    base = f"/admin/regions/{model}/"
    assert admin_client.get(base).status_code == 200
    assert admin_client.get(base, {"q": "江门"}).status_code == 200
    assert admin_client.get(base, {"city": "440700"}).status_code == 200
    assert admin_client.get(f"{base}{pk}/change/").status_code == 200
    assert admin_client.get(f"{base}add/").status_code == 200


def test_superuser_adds_a_region_and_its_hall_opens(admin_client):
    data = {"code": "440703999", "name": "测试街道", "level": "town", "parent": "440703"}
    bad = admin_client.post("/admin/regions/region/add/", {**data, "code": "440704999"})
    assert bad.status_code == 200
    assert bad.context["adminform"].form.errors["code"] == [
        "区划代码必须以上级区划代码的前6位“440703”开头。"
    ]
    assert admin_client.post("/admin/regions/region/add/", data).status_code == 302
    hall = Hall.objects.get(region_id="440703999")
    assert (hall.kind, hall.name) == ("station", "测试街道网上办事站")
    assert admin_client.get("/halls/440703999/").status_code == 200
    types = list(
        AuditEntry.objects.filter(object_id__in=["440703999", str(hall.pk)])
        .order_by("sequence")
        .values_list("object_type", "action")
    )
    assert types == [("regions.region", "create"), ("regions.hall", "create")]
