"""The staff workbench shell: sign-in and its audit, sign-out, and the home page."""

from datetime import date

import pytest
from django.urls import reverse

from govhall.core.models import AuditEntry
from govhall.regions.models import Department, Post
from govhall.workbench import views
from tests.factories import DEFAULT_PASSWORD, StaffPostFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/workbench/login/"


def department(region: str, name: str) -> Department:
    return Department.objects.get(region_id=region, name=name)


@pytest.fixture
def clerk():
    return StaffPostFactory(
        user=UserFactory(username="wb_clerk", display_name="窗口·陈敏"),
        department=department("440700", "江门市行政服务中心"),
        post=Post.CLERK,
    ).user


def test_anonymous_user_is_sent_to_the_login_page(client):
    response = client.get("/workbench/")
    assert response.status_code == 302
    assert response["Location"] == "/workbench/login/?next=/workbench/"


def test_login_page_is_accessible_markup(client):
    html = client.get(LOGIN).content.decode()
    assert '<label for="id_username">用户名</label>' in html
    assert '<label for="id_password">密码</label>' in html
    assert 'autocomplete="current-password"' in html
    assert "error-summary" not in html


def test_login_success_goes_to_the_workbench_and_is_audited(client, clerk):
    response = client.post(
        LOGIN, {"username": "wb_clerk", "password": DEFAULT_PASSWORD, "next": "/workbench/"}
    )
    assert (response.status_code, response["Location"]) == (302, "/workbench/")
    entry = AuditEntry.objects.filter(action="login").latest("sequence")
    assert (entry.actor_id, entry.object_id) == (clerk.pk, str(clerk.pk))
    assert client.get("/workbench/").status_code == 200


def test_external_next_after_login_is_ignored(client, clerk):
    response = client.post(
        LOGIN,
        {"username": "wb_clerk", "password": DEFAULT_PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/workbench/"


def test_wrong_password_shows_a_chinese_error_summary_and_is_audited(client, clerk):
    before = AuditEntry.objects.filter(action="login_failed").count()
    response = client.post(LOGIN, {"username": "wb_clerk", "password": "wrong-password-1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html and "登录未成功" in html
    # The identity subsystem's login form: staff see the tries left before lockout.
    assert "账号或密码不正确，还可尝试4次" in html
    assert 'href="#id_username"' in html
    assert 'aria-invalid="true"' in html
    assert "<title>错误：工作人员登录" in html
    assert "_auth_user_id" not in client.session
    failed = AuditEntry.objects.filter(action="login_failed").order_by("-sequence")
    assert failed.count() == before + 1
    assert failed[0].actor_id is None


def test_empty_form_names_both_fields(client):
    html = client.post(LOGIN, {"username": "", "password": ""}).content.decode()
    assert "用户名：该字段是必填项。" in html
    assert "密码：该字段是必填项。" in html
    assert 'href="#id_password"' in html


def test_logout_is_post_only_and_audited(client, clerk):
    client.force_login(clerk)
    assert client.get("/workbench/logout/").status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post("/workbench/logout/")
    assert (response.status_code, response["Location"]) == (302, "/")
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.filter(action="logout").latest("sequence")
    assert entry.object_id == str(clerk.pk)
    assert client.get("/workbench/").status_code == 302


def test_home_shows_the_clerks_post_and_reach(client, clerk):
    client.force_login(clerk)
    response = client.get("/workbench/")
    html = response.content.decode()
    assert "<h1>工作台</h1>" in html
    assert "江门市行政服务中心" in html and "窗口受理人员" in html and "本部门" in html
    assert "您可查看 1 个部门的业务。" in html
    # Only the desks a clerk can open: no catalogue (403 for a clerk), no exchange or
    # operations (hall administrators).
    for panel in ("inbox", "counter", "licences", "monitoring", "supervision"):
        assert f'id="panel-{panel}"' in html
    for panel in ("catalogue", "exchange", "operations"):
        assert f'id="panel-{panel}"' not in html
    assert f'<a href="{reverse("catalog:desk")}">事项管理</a>' not in html
    # 效能监督: every post answers its own department's warnings.
    assert f'<a href="{reverse("supervision:warnings")}">效能监督</a>' in html
    assert 'action="/workbench/logout/"' in html
    assert "管理后台" not in html  # a clerk is not an admin user


def test_home_shows_a_supervisors_region_wide_reach(client):
    supervisor = StaffPostFactory(
        department=department("440700", "江门市监察局"), post=Post.SUPERVISOR
    ).user
    StaffPostFactory(
        user=supervisor, department=department("445100", "潮州市民政局"), post=Post.REVIEWER
    )
    client.force_login(supervisor)
    html = client.get("/workbench/").content.decode()
    assert "江门市及下辖全部区划" in html
    assert "潮州市民政局" in html and "审核人员" in html
    jiangmen = Department.objects.filter(region__code__startswith="4407").count()
    assert f"您可查看 {jiangmen + 1} 个部门的业务。" in html


def test_inactive_posts_are_not_shown(client, clerk):
    StaffPostFactory(
        user=clerk,
        department=department("440700", "江门市民政局"),
        post=Post.REVIEWER,
        is_active=False,
    )
    client.force_login(clerk)
    html = client.get("/workbench/").content.decode()
    assert "江门市民政局" not in html


def test_user_without_posts_is_told_to_ask_the_hall_admin(client):
    client.force_login(UserFactory())
    html = client.get("/workbench/").content.decode()
    assert "您尚未被分配岗位，请联系本级大厅管理员。" in html


def test_superuser_is_pointed_to_the_admin(admin_client):
    html = admin_client.get("/workbench/").content.decode()
    assert "系统管理员：可查看全部部门与区划。" in html
    assert 'href="/admin/"' in html


def test_signed_in_user_skips_the_login_page(client, clerk):
    client.force_login(clerk)
    response = client.get(LOGIN)
    assert (response.status_code, response["Location"]) == (302, "/workbench/")


def test_login_page_title_names_the_site_not_the_host(client):
    html = client.get(LOGIN).content.decode()
    assert "<title>工作人员登录 - 广东政务服务网</title>" in html


def test_every_card_shown_opens_without_a_403(client):
    """Each post sees only cards whose desk opens for it."""
    for post, name in [
        (Post.CLERK, "江门市行政服务中心"),
        (Post.CATALOGUE_EDITOR, "江门市民政局"),
        (Post.SUPERVISOR, "江门市监察局"),
        (Post.HALL_ADMIN, "江门市行政服务中心"),
    ]:
        user = StaffPostFactory(department=department("440700", name), post=post).user
        client.force_login(user)
        html = client.get("/workbench/").content.decode()
        shown = [p for p in views.PANELS if f'id="panel-{p.key}"' in html]
        assert shown, post
        for panel in shown:
            assert client.get(panel.url, follow=True).status_code == 200, (post, panel.key)
        if post == Post.CATALOGUE_EDITOR:
            assert [p.key for p in shown] == ["catalogue", "monitoring", "knowledge"]


def test_inbox_card_counts_pending_and_overdue_tasks(client):
    from govhall.cases.models import CaseStep
    from govhall.cases.tests import factories as f

    owner = f.department("江门市民政局")
    item = f.item(owner)
    clerk = f.staff(Post.CLERK, owner)
    cases = [f.submitted(item) for _ in range(3)]
    CaseStep.objects.filter(case=cases[0]).update(due_date=date(2020, 1, 2))
    client.force_login(clerk)
    html = client.get("/workbench/").content.decode()
    assert '<strong class="count-figure">3</strong> 件待办' in html
    assert '<strong class="count-figure">1</strong> 件已超期' in html
    assert 'href="/workbench/cases/?filter=overdue"' in html


def test_cards_show_the_figures_their_apps_registered(client):
    """The shell imports no desk: cases and supervision register their cards' figures."""
    assert {"inbox", "supervision"} <= set(views.FIGURES)
    supervisor = StaffPostFactory(
        department=department("440700", "江门市监察局"), post=Post.SUPERVISOR
    ).user
    client.force_login(supervisor)
    html = client.get("/workbench/").content.decode()
    assert 'id="supervision-counts"' in html and "未办结黄牌 0 张、红牌 0 张" in html
    assert "件待办" not in html  # no handling post: no inbox card, no inbox figures
