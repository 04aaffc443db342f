"""`manage.py load_demo` gives `make run` its staff accounts, and running it twice is harmless."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db.models import Sum

from govhall.core.models import AuditEntry
from govhall.demo.regions import DEMO_STAFF
from govhall.exchange.models import ExchangeClient, QualityIssue
from govhall.monitoring.models import MonthlyRollup
from govhall.records.models import ProcessRecord
from govhall.regions.models import Department, Hall, Post, Region, StaffPost

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def snapshot() -> dict[str, int]:
    User = get_user_model()
    return {
        "regions": Region.objects.count(),
        "halls": Hall.objects.count(),
        "departments": Department.objects.count(),
        "users": User.objects.count(),
        "staff_users": User.objects.filter(is_staff=True).count(),
        "posts": StaffPost.objects.count(),
        "groups": Group.objects.count(),
        "audit": AuditEntry.objects.count(),
        "records": ProcessRecord.objects.count(),
        "rolled_up": MonthlyRollup.objects.aggregate(total=Sum("volume"))["total"] or 0,
        "exchange_clients": ExchangeClient.objects.count(),
    }


def test_load_demo_twice_gives_the_same_data(settings, capsys):
    settings.DEBUG = True
    call_command("load_demo")
    first = snapshot()
    out = capsys.readouterr().out
    assert f"新建{len(DEMO_STAFF) + 1}个" in out
    # the branch hall's first pushes (3 whole cases, a late and an inconsistent record)
    assert "首批报送接收17条过程信息" in out
    assert QualityIssue.objects.filter(client__code="pengjiang-hall").count() >= 2
    assert first["rolled_up"] > 0 and first["exchange_clients"] == 1
    assert "两页：推送规则新建4条" in out  # the spaces loader (govhall/demo/spaces.py)
    from govhall.spaces.models import Push

    renewal = Push.objects.get(user__username="demo_citizen", kind="renewal")
    assert renewal.reason.startswith("因为您的食品经营许可证将于")

    call_command("load_demo")
    assert snapshot() == first
    assert "新建0个，新设岗位0个" in capsys.readouterr().out


def test_demo_staff_hold_their_posts(settings):
    settings.DEBUG = True
    call_command("load_demo")
    User = get_user_model()
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("govhall-demo-2026")
    for username, display, (region, name), post in DEMO_STAFF:
        user = User.objects.get(username=username)
        assert user.display_name == display
        assert StaffPost.objects.filter(
            user=user, department__region_id=region, department__name=name, post=post
        ).exists()
        is_hall_admin = post == Post.HALL_ADMIN
        assert user.is_staff is is_hall_admin, username
        assert user.groups.filter(name="大厅管理员").exists() is is_hall_admin
        assert not user.is_superuser


def test_demo_hall_admin_can_use_the_scoped_admin(settings, client):
    settings.DEBUG = True
    call_command("load_demo")
    assert client.login(username="jm_hall_admin", password="govhall-demo-2026")
    response = client.get("/admin/regions/department/")
    assert response.status_code == 200
    assert (
        response.context["cl"].result_count
        == Department.objects.filter(region__code__startswith="4407").count()
    )


def test_password_from_the_environment(settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.setenv("GOVHALL_DEMO_PASSWORD", "env-demo-password-42")
    call_command("load_demo")
    user = get_user_model().objects.get(username="jm_clerk")
    assert user.check_password("env-demo-password-42")


def test_production_refuses_the_built_in_password(settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.delenv("GOVHALL_DEMO_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="GOVHALL_DEMO_PASSWORD"):
        call_command("load_demo")
    assert not get_user_model().objects.filter(username="jm_clerk").exists()
