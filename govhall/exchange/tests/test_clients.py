"""Registering exchange clients: the OAuth2 application, secrets shown once, rotation,
deactivation, the management command, the staff pages and who may use them."""

import io
import re

import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_application_model

from govhall.accounts.models import ClientProfile
from govhall.accounts.tests.factories import UserFactory
from govhall.core.models import AuditEntry
from govhall.regions.models import Department, Post
from tests import common as f
from tests.common import user_client as signed_in

from ..models import ExchangeCall, ExchangeClient
from ..services import clients
from .conftest import PENGJIANG, push, token_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

Application = get_application_model()


@pytest.fixture
def jiangmen_admin():
    return f.staff(Post.HALL_ADMIN, f.department("江门市民政局"))


@pytest.fixture
def chaozhou_admin():
    return f.staff(Post.HALL_ADMIN, f.department("潮州市民政局", f.CHAOZHOU))


def test_register_creates_a_client_credentials_application(county, civil_affairs):
    client, secret = county
    app = client.application
    assert app.client_type == Application.CLIENT_CONFIDENTIAL
    assert app.authorization_grant_type == Application.GRANT_CLIENT_CREDENTIALS
    assert app.client_secret != secret and check_password(secret, app.client_secret)
    assert ClientProfile.objects.get(application=app).allowed_scopes == "exchange"
    assert [r.code for r in client.regions.all()] == [PENGJIANG]
    assert (client.kind, client.rate_per_minute, client.is_active) == ("branch_hall", 120, True)
    entry = AuditEntry.objects.get(
        object_type="exchange.exchangeclient", object_id=str(client.pk), action="create"
    )
    assert entry.after["client_id"] == app.client_id and secret not in str(entry.after)
    assert not AuditEntry.objects.filter(after__icontains=secret).exists()
    answer = token_for(app.client_id, secret)
    assert answer["status"] == 200 and answer["scope"] == "exchange"
    assert answer["token_type"] == "Bearer"
    assert token_for(app.client_id, "wrong")["status"] == 401


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": " "}, "name", "请填写系统名称。"),
        ({"code": "Bad Code"}, "code", "客户端代码须为2至60位"),
        ({"code": "local"}, "code", "已被使用"),
        ({"kind": "robot"}, "kind", "请选择系统类型"),
        ({"region_codes": []}, "region_codes", "请至少填写一个"),
        ({"region_codes": ["449999"]}, "region_codes", "行政区划代码不存在：449999"),
        ({"department_codes": ["11440703MB0000000X"]}, "department_codes", "部门库中没有"),
        ({"rate_per_minute": 0}, "rate_per_minute", "每分钟调用上限须为1至6000"),
        ({"own_item_codes": "ABC-1"}, "own_item_codes", "实施编码格式不正确"),
    ],
)
def test_registration_is_validated(changes, field, message):
    values = {
        "name": "蓬江区网上办事分厅",
        "code": "pengjiang-hall",
        "kind": "branch_hall",
        "region_codes": [PENGJIANG],
        **changes,
    }
    with pytest.raises(ValidationError) as refused:
        clients.register(**values)
    assert message in refused.value.message_dict[field][0]
    assert not ExchangeClient.objects.exists()


def test_departments_must_lie_in_the_clients_regions():
    chaozhou = f.department("潮州市民政局", f.CHAOZHOU)
    with pytest.raises(ValidationError, match="不在可报送区划内"):
        clients.register(
            "蓬江区民政业务系统", "pj-civil", "department", [PENGJIANG], [chaozhou.credit_code]
        )
    client, _ = clients.register(
        "蓬江区民政业务系统",
        "pj-civil",
        "department",
        "440703",
        f" {Department.objects.get(region_id=PENGJIANG, name='蓬江区民政局').credit_code}，",
        own_item_codes="A1 B2，B2",
    )
    assert client.departments.count() == 1 and client.own_item_codes == ["A1", "B2"]


def test_a_hall_administrator_registers_only_inside_their_reach(jiangmen_admin):
    client, _ = clients.register(
        "蓬江区网上办事分厅", "pengjiang-hall", "branch_hall", [PENGJIANG], by=jiangmen_admin
    )
    assert client.created_by == jiangmen_admin
    entry = AuditEntry.objects.get(object_type="exchange.exchangeclient", action="create")
    assert entry.actor_id == jiangmen_admin.pk
    with pytest.raises(ValidationError, match="445100"):
        clients.register("潮州分厅", "chaozhou-hall", "branch_hall", ["445100"], by=jiangmen_admin)


def test_rotating_the_secret_stops_the_old_one_and_its_tokens(county, county_token, story):
    client, old = county
    record = story(1).submit(timezone.now())
    new = clients.rotate_secret(client)
    assert new != old
    assert token_for(client.application.client_id, old)["status"] == 401
    assert push(county_token, {"records": [record]}).status_code == 401
    fresh = token_for(client.application.client_id, new)["access_token"]
    assert push(fresh, {"records": [record]}).status_code == 200
    assert AuditEntry.objects.filter(
        object_type="exchange.exchangeclient", reason="更换数据交换客户端密钥"
    ).exists()


def test_deactivating_and_activating(county, county_token, story):
    client, _ = county
    clients.deactivate(client)
    record = story(1).submit(timezone.now())
    assert push(county_token, {"records": [record]}).status_code == 403
    clients.activate(client)
    assert push(county_token, {"records": [record]}).status_code == 200
    changes = AuditEntry.objects.filter(object_type="exchange.exchangeclient", action="update")
    assert [e.after for e in changes.order_by("sequence")] == [
        {"is_active": False},
        {"is_active": True},
    ]


def test_the_command_prints_the_secret_once():
    out = io.StringIO()
    call_command(
        "register_exchange_client",
        "蓬江区网上办事分厅",
        "--code",
        "pengjiang-hall",
        "--kind",
        "branch_hall",
        "--region",
        PENGJIANG,
        "--rate",
        "60",
        stdout=out,
    )
    text = out.getvalue()
    client_id = re.search(r"client_id: (\S+)", text).group(1)
    secret = re.search(r"client_secret: (\S+)", text).group(1)
    assert "只显示这一次" in text
    assert ExchangeClient.objects.get(code="pengjiang-hall").rate_per_minute == 60
    assert token_for(client_id, secret)["status"] == 200
    with pytest.raises(Exception, match="已被使用"):
        call_command(
            "register_exchange_client",
            "重复",
            "--code",
            "pengjiang-hall",
            "--kind",
            "vertical",
            "--region",
            PENGJIANG,
            stdout=io.StringIO(),
        )


# --- the staff pages -----------------------------------------------------------------------


def test_a_hall_administrator_registers_a_client_on_the_page(jiangmen_admin):
    browser = signed_in(jiangmen_admin)
    form = browser.get("/workbench/exchange/register/")
    assert form.status_code == 200 and "登记数据交换客户端" in form.content.decode()
    refused = browser.post(
        "/workbench/exchange/register/",
        {
            "name": "潮州分厅",
            "code": "cz",
            "kind": "branch_hall",
            "region_codes": "445100",
            "rate_per_minute": 120,
        },
    )
    assert refused.status_code == 200 and "不在范围内" in refused.content.decode()
    response = browser.post(
        "/workbench/exchange/register/",
        {
            "name": "蓬江区网上办事分厅",
            "code": "pengjiang-hall",
            "kind": "branch_hall",
            "region_codes": "440703",
            "rate_per_minute": 120,
            "contact": "张工 0750-1234567",
        },
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    secret = re.search(r'id="client-secret">([^<]+)<', html).group(1)
    client = ExchangeClient.objects.get(code="pengjiang-hall")
    assert client.created_by == jiangmen_admin
    assert token_for(client.application.client_id, secret)["status"] == 200
    # the secret is not shown again anywhere
    page = browser.get("/workbench/exchange/pengjiang-hall/").content.decode()
    assert secret not in page and client.application.client_id in page


def test_rotating_on_the_page_shows_the_new_secret_once(county, jiangmen_admin):
    client, old = county
    browser = signed_in(jiangmen_admin)
    response = browser.post("/workbench/exchange/pengjiang-hall/rotate-secret/")
    assert response.status_code == 200
    new = re.search(r'id="client-secret">([^<]+)<', response.content.decode()).group(1)
    assert new != old
    assert token_for(client.application.client_id, new)["status"] == 200
    assert browser.get("/workbench/exchange/pengjiang-hall/rotate-secret/").status_code == 405
    off = browser.post("/workbench/exchange/pengjiang-hall/active/", {"active": "0"})
    assert off.status_code == 302
    client.refresh_from_db()
    assert not client.is_active


def test_who_sees_which_client(county, jiangmen_admin, chaozhou_admin):
    client, _ = county
    ExchangeCall.objects.create(client=client, method="POST", path="/x", status_code=200)
    # the city's hall administrator: the list, the page, the management buttons
    listing = signed_in(jiangmen_admin).get("/workbench/exchange/").content.decode()
    assert "蓬江区网上办事分厅" in listing and "登记客户端" in listing and "（200）" in listing
    assert 'href="/workbench/exchange/" aria-current="page">数据交换</a>' in listing
    page = signed_in(jiangmen_admin).get("/workbench/exchange/pengjiang-hall/").content.decode()
    assert "更换客户端密钥" in page
    # another city's administrator: nothing
    other = signed_in(chaozhou_admin)
    assert "蓬江区网上办事分厅" not in other.get("/workbench/exchange/").content.decode()
    assert other.get("/workbench/exchange/pengjiang-hall/").status_code == 404
    assert other.post("/workbench/exchange/pengjiang-hall/rotate-secret/").status_code == 404
    # a supervisor of the city sees the feedback but cannot manage
    supervisor = signed_in(f.staff(Post.SUPERVISOR, f.department("江门市民政局")))
    seen = supervisor.get("/workbench/exchange/pengjiang-hall/").content.decode()
    assert "数据质量问题" in seen and "更换客户端密钥" not in seen
    assert supervisor.post("/workbench/exchange/pengjiang-hall/rotate-secret/").status_code == 403
    assert supervisor.get("/workbench/exchange/register/").status_code == 403
    # a clerk has no region-wide post; someone without a post gets a 403; anonymous → login
    clerk = signed_in(f.staff(Post.CLERK, f.department("江门市民政局")))
    assert "蓬江区网上办事分厅" not in clerk.get("/workbench/exchange/").content.decode()
    assert clerk.get("/workbench/exchange/pengjiang-hall/").status_code == 404
    assert signed_in(UserFactory()).get("/workbench/exchange/").status_code == 403
    assert Client().get("/workbench/exchange/").status_code == 302
    # a superuser sees everything
    root = signed_in(UserFactory(is_superuser=True, is_staff=True))
    assert root.get("/workbench/exchange/pengjiang-hall/").status_code == 200


def test_the_workbench_home_links_to_the_exchange(jiangmen_admin):
    html = signed_in(jiangmen_admin).get("/workbench/").content.decode()
    assert 'id="panel-exchange"' in html and 'href="/workbench/exchange/"' in html


def test_admin_lists_the_clients_and_read_only_logs(county):
    client, _ = county
    ExchangeCall.objects.create(client=client, method="POST", path="/x", status_code=200)
    root = signed_in(UserFactory(is_superuser=True, is_staff=True))
    for model in (
        "exchangeclient",
        "exchangecall",
        "qualityissue",
        "qualityday",
        "deliveryattempt",
        "deliveryalert",
    ):
        assert root.get(f"/admin/exchange/{model}/").status_code == 200, model
    assert root.get("/admin/exchange/exchangeclient/add/").status_code == 403
    assert root.get("/admin/exchange/exchangecall/add/").status_code == 403
    change = root.get(f"/admin/exchange/exchangeclient/{client.pk}/change/")
    assert change.status_code == 200
    call = ExchangeCall.objects.get()
    view = root.get(f"/admin/exchange/exchangecall/{call.pk}/change/")
    assert view.status_code == 200 and 'name="_save"' not in view.content.decode()


def test_tokens_of_a_deleted_secret_are_gone(county, county_token):
    client, _ = county
    assert get_access_token_model().objects.filter(application=client.application).count() == 1
    clients.rotate_secret(client)
    assert not get_access_token_model().objects.filter(application=client.application).exists()
