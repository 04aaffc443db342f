"""My account, my data, session keep-alive, admin registration of department systems,
production security settings and the demo identities."""

import json
import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.urls import reverse
from oauth2_provider.models import get_application_model

from govhall.accounts.models import ClientProfile, Company, Person
from govhall.core.models import AuditEntry
from govhall.demo import accounts as demo

from .factories import DEFAULT_PASSWORD, AgentGrantFactory, PersonFactory


@pytest.mark.django_db
def test_my_data_download_needs_the_password_and_holds_everything(client):
    grant = AgentGrantFactory()
    person = grant.agent
    client.post(
        reverse("accounts:login"), {"username": person.user.username, "password": DEFAULT_PASSWORD}
    )
    wrong = client.post(reverse("accounts:my-data"), {"password": "not-it"})
    assert wrong.status_code == 200 and "密码不正确" in wrong.content.decode()
    response = client.post(reverse("accounts:my-data"), {"password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["person"]["id_number"] == person.id_number  # it is theirs, in full
    assert data["person"]["name"] == person.name
    assert data["account"]["mobile"] == person.user.mobile
    assert data["agent_grants"][0]["credit_code"] == grant.company.credit_code
    assert data["login_events"][0]["channel"] == "web"
    assert any(e["action"] == "login" for e in data["audit_trail"])
    assert AuditEntry.objects.filter(
        reason="下载本人个人数据", object_id=str(person.user.pk)
    ).exists()


@pytest.mark.django_db
def test_account_page_masks_and_explains(client):
    person = PersonFactory(verified=True)
    client.force_login(person.user)
    body = client.get(reverse("accounts:home")).content.decode()
    assert person.masked_id_number in body and person.id_number not in body
    assert person.user.mobile not in body and person.user.masked_mobile in body
    assert 'aria-current="true"' in body and "二级：在线核验" in body
    assert reverse("accounts:my-data") in body


@pytest.mark.django_db
def test_session_keepalive_and_expiry_warning(client):
    assert client.post(reverse("accounts:keepalive")).status_code == 401
    person = PersonFactory()
    client.force_login(person.user)
    response = client.post(reverse("accounts:keepalive"))
    assert response.json() == {"expires_in": django_settings.SESSION_COOKIE_AGE}
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = person.user
    html = render_to_string(
        "accounts/_session_timeout.html", {"user": person.user}, request=request
    )
    assert f'data-age="{django_settings.SESSION_COOKIE_AGE}"' in html and 'data-warn="180"' in html
    client.logout()
    expired = client.get(reverse("accounts:login") + "?expired=1")
    assert "长时间无操作" in expired.content.decode()


@pytest.mark.django_db
def test_admin_registers_a_department_system_and_shows_the_secret_once(admin_client):
    from govhall.regions.models import Department

    department = Department.objects.get(region_id="440700", name="江门市民政局")
    bad = admin_client.post(
        reverse("admin:accounts_clientprofile_add"),
        {"name": "坏系统", "redirect_uris": "ftp://x/cb", "scopes": ["openid"], "channel": "web"},
    )
    assert bad.status_code == 200 and "地址须以 https:// 开头" in bad.content.decode()
    assert not ClientProfile.objects.exists()
    response = admin_client.post(
        reverse("admin:accounts_clientprofile_add"),
        {
            "name": "江门市社会救助系统",
            "department": department.pk,
            "redirect_uris": "https://jzxt.example.gov.cn/oidc/callback",
            "post_logout_redirect_uris": "",
            "scopes": ["openid", "profile", "id_number"],
            "channel": "web",
            "contact": "李工 0750-1234567",
            "confidential": "on",
        },
    )
    assert response.status_code == 200
    profile = ClientProfile.objects.get(application__name="江门市社会救助系统")
    secret = response.context["client_secret"]
    assert len(secret) > 30 and secret in response.content.decode()
    application = profile.application
    assert application.client_secret != secret  # stored hashed only
    assert application.algorithm == "RS256" and profile.allowed_scopes == "openid profile id_number"
    page = admin_client.get(reverse("admin:accounts_clientprofile_change", args=[profile.pk]))
    assert secret not in page.content.decode()
    entry = AuditEntry.objects.filter(object_type="oauth2_provider.application").first()
    assert entry is not None and secret not in json.dumps(entry.after, ensure_ascii=False)


@pytest.mark.django_db
def test_identity_demo_is_idempotent():
    first = demo.load_identity_demo("demo-Password-2026")
    counts = (
        Person.objects.count(),
        Company.objects.count(),
        get_application_model().objects.count(),
    )
    second = demo.load_identity_demo("demo-Password-2026")
    assert counts == (
        Person.objects.count(),
        Company.objects.count(),
        get_application_model().objects.count(),
    )
    assert first["client_secret"] and not second["client_secret"]
    company = Company.objects.get(credit_code=first["company"])
    agent = Person.objects.get(user__username="demo_agent")
    from govhall.accounts.services import companies

    assert companies.can_act(agent, company, "apply")
    assert (
        ClientProfile.objects.get(application__client_id=demo.DEMO_CLIENT_ID).department.name
        == "江门市民政局"
    )


def _settings_in_subprocess(env: dict, code: str) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("GOVHALL_", "DEBUG"))}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-c", f"import govhall.settings as s; {code}"],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_settings_secure_cookies_and_require_keys(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    env = {
        "DEBUG": "0",
        "SECRET_KEY": "x" * 50,
        "GOVHALL_VAR_DIR": str(tmp_path),
        "GOVHALL_FIELD_KEY": Fernet.generate_key().decode(),
        "GOVHALL_BLIND_INDEX_KEY": "index-key",
        "GOVHALL_OIDC_RSA_PRIVATE_KEY": pem,
    }
    ok = _settings_in_subprocess(
        env,
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        " s.GOVHALL_STAFF_TOTP_REQUIRED, s.OAUTH2_PROVIDER['ALLOWED_SCHEMES'])",
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == "True True True True ['https']"
    missing = _settings_in_subprocess({**env, "GOVHALL_FIELD_KEY": ""}, "pass")
    assert missing.returncode != 0 and "GOVHALL_FIELD_KEY" in missing.stderr
    assert not list(tmp_path.glob("*.key")) and not list(tmp_path.glob("*.pem"))


@pytest.mark.django_db
def test_anonymous_citizens_are_sent_to_the_hall_login(client):
    for name in (
        "accounts:home",
        "accounts:acting",
        "accounts:my-data",
        "accounts:company-register",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login") + "?next=")


@pytest.mark.django_db
def test_header_include_for_halls(client):
    from django.template.loader import render_to_string

    from govhall.regions.models import Hall

    hall = Hall.objects.get(region_id="440700")
    anonymous = client.get("/halls/440700/")
    html = render_to_string(
        "accounts/_account_links.html", {"hall": hall}, request=anonymous.wsgi_request
    )
    assert "/account/login/?next=/halls/440700/&amp;hall=440700" in html
    assert "/account/register/" in html
    grant = AgentGrantFactory()
    client.force_login(grant.agent.user)
    client.post(reverse("accounts:acting"), {"company": grant.company.pk})
    signed_in = client.get("/halls/440700/")
    html = render_to_string("accounts/_account_links.html", {}, request=signed_in.wsgi_request)
    assert grant.agent.user.display_name in html or str(grant.agent.user) in html
    assert f"（代{grant.company.name}）" in html and reverse("accounts:logout") in html
    assert "工作台" not in html


def test_development_keys_are_created_once_and_shared(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from govhall.accounts import keys

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: keys.field_keys(tmp_path, True)[0], range(16)))
    assert len(set(results)) == 1
    Fernet(results[0].encode())  # a valid Fernet key
    pem = keys.oidc_private_key(tmp_path, True)
    assert pem.startswith("-----BEGIN PRIVATE KEY-----") and pem == keys.oidc_private_key(
        tmp_path, True
    )
    assert oct((tmp_path / keys.OIDC_KEY_FILE).stat().st_mode & 0o777) == "0o600"
    assert sorted(p.name for p in tmp_path.iterdir()) == [keys.FIELD_KEY_FILE, keys.OIDC_KEY_FILE]


@pytest.mark.django_db
def test_admin_screens_render_and_search_by_id_number(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from govhall.accounts.models import LegacyImport

    from .factories import id_number_for

    grant = AgentGrantFactory()
    for model in (
        "person",
        "company",
        "agentgrant",
        "clientprofile",
        "legacyimport",
        "loginevent",
        "loginthrottle",
        "user",
    ):
        response = admin_client.get(reverse(f"admin:accounts_{model}_changelist"))
        assert response.status_code == 200, model
    by_name = admin_client.get(reverse("admin:accounts_person_changelist"), {"q": grant.agent.name})
    assert grant.agent.masked_id_number in by_name.content.decode()
    found = admin_client.post(
        reverse("admin:accounts_person_lookup"), {"id_number": grant.agent.id_number.lower()}
    )
    assert found.url == reverse("admin:accounts_person_change", args=[grant.agent.pk])
    detail = admin_client.get(reverse("admin:accounts_person_change", args=[grant.agent.pk]))
    assert grant.agent.masked_id_number in detail.content.decode()
    assert grant.agent.id_number not in detail.content.decode()

    csv = f"id_number,name,mobile,password_hash\n{id_number_for(4242, '440785')},甲,,\n".encode()
    url = reverse("admin:accounts_legacyimport_import")
    assert admin_client.get(url).status_code == 200
    dry = admin_client.post(
        url, {"source_system": "旧系统", "file": SimpleUploadedFile("a.csv", csv), "dry_run": "on"}
    )
    assert dry.status_code == 200 and dry.context["report"].created == 1
    assert not LegacyImport.objects.exists()
    real = admin_client.post(
        url, {"source_system": "旧系统", "file": SimpleUploadedFile("a.csv", csv)}
    )
    assert real.status_code == 200 and LegacyImport.objects.count() == 1
    batch = LegacyImport.objects.get()
    page = admin_client.get(reverse("admin:accounts_legacyimport_change", args=[batch.pk]))
    assert page.status_code == 200
