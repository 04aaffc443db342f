"""The 用户服务协议 and 个人信息保护说明: published in versions, linked from the registration
tick, the accepted versions recorded per person, and asked again when a new one is out."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from govhall.accounts.models import LegalAcceptance, LegalDocument, Person
from govhall.accounts.services import legal
from govhall.core.identifiers import make_id_number
from govhall.core.models import AuditEntry
from tests.factories import UserFactory

from .factories import PersonFactory
from .helpers import last_code

pytestmark = pytest.mark.django_db
PASSWORD = "Guangdong#2026hall"


def in_force(kind: str) -> LegalDocument:
    return legal.current()[kind]


def publish_new(kind: str, summary: str = "新增人脸核验的说明") -> LegalDocument:
    root = UserFactory(is_superuser=True, is_staff=True)
    old = in_force(kind)
    draft = legal.new_version(
        kind, title=old.title, body=old.body + "\n\n# 新增\n人脸核验。", summary_of_changes=summary
    )
    return legal.publish(root, draft)


def test_both_documents_are_published_and_public():
    client = Client()
    for kind, title in (("terms", "用户服务协议"), ("privacy", "个人信息保护说明")):
        page = client.get(f"/account/legal/{kind}/")
        assert page.status_code == 200
        text = page.content.decode()
        assert f"<h1>{title}</h1>" in text and "第1版" in text
        assert client.get(f"/account/legal/{kind}/1/").status_code == 200
    assert "个人信息保护法" in client.get("/account/legal/privacy/").content.decode()
    assert client.get("/account/legal/cookies/").status_code == 404
    draft = legal.new_version("terms", title="用户服务协议", body="草稿")
    assert client.get(f"/account/legal/terms/{draft.version}/").status_code == 404


def test_the_registration_tick_links_both_and_the_accepted_versions_are_recorded(
    client, sms_outbox
):
    page = client.get(reverse("accounts:register")).content.decode()
    assert 'href="/account/legal/terms/"' in page and 'href="/account/legal/privacy/"' in page
    assert "《用户服务协议》" in page and "《个人信息保护说明》" in page
    number = make_id_number("440703", datetime.date(1991, 2, 3), 456)
    client.post(
        reverse("accounts:register"),
        {
            "id_number": number,
            "name": "周丽",
            "mobile": "13712349876",
            "password": PASSWORD,
            "password_again": PASSWORD,
            "agree": "on",
        },
    )
    client.post(reverse("accounts:register-verify"), {"code": last_code("13712349876")})
    person = Person.objects.get(user__mobile="13712349876")
    accepted = LegalAcceptance.objects.filter(user=person.user)
    assert {(a.document.kind, a.document.version, a.how) for a in accepted} == {
        ("terms", 1, "registration"),
        ("privacy", 1, "registration"),
    }


def test_a_new_version_is_asked_for_at_the_next_sign_in_and_recorded():
    person = PersonFactory()
    client = Client()
    client.force_login(person.user)
    assert client.get("/account/").status_code == 200  # v1 accepted at registration

    new = publish_new("privacy")
    assert new.version == 2 and in_force("privacy") == new
    fresh = Client()
    fresh.force_login(person.user)
    asked = fresh.get("/my/cases/")
    assert asked.status_code == 302
    assert asked.url == "/account/legal/accept/?next=%2Fmy%2Fcases%2F"
    page = fresh.get(asked.url)
    text = page.content.decode()
    assert "《个人信息保护说明》（第2版）" in text and "新增人脸核验的说明" in text
    assert "用户服务协议" not in text.split("<ul>")[1].split("</ul>")[0]  # only what changed
    # the documents, sign-out and the API stay reachable
    assert fresh.get("/account/legal/privacy/").status_code == 200
    assert fresh.get("/api/v1/my/cases/").status_code == 200

    refused = fresh.post("/account/legal/accept/", {"next": "/my/cases/"})
    assert refused.status_code == 400 and "请阅读并同意" in refused.content.decode()
    agreed = fresh.post("/account/legal/accept/", {"next": "/my/cases/", "agree": "on"})
    assert agreed.status_code == 302 and agreed.url == "/my/cases/"
    row = LegalAcceptance.objects.get(user=person.user, document=new)
    assert row.how == "sign_in"
    assert fresh.get("/account/").status_code == 200
    assert AuditEntry.objects.filter(
        object_type="accounts.legalacceptance", object_id=str(row.pk)
    ).exists()


def test_someone_who_never_accepted_is_asked_and_staff_accounts_are_not():
    counter_person = PersonFactory(accepted_legal=False)
    client = Client()
    client.force_login(counter_person.user)
    response = client.get("/account/")
    assert response.status_code == 302 and response.url.startswith("/account/legal/accept/")
    staff = Client()
    staff.force_login(UserFactory())
    assert staff.get("/account/legal/accept/").status_code == 302  # nothing to accept


def test_a_published_version_is_frozen_and_admins_publish_new_ones(admin_client, admin_user):
    terms = in_force("terms")
    change = admin_client.get(f"/admin/accounts/legaldocument/{terms.pk}/change/")
    assert change.status_code == 200
    assert "body" not in change.context["adminform"].form.fields
    added = admin_client.post(
        "/admin/accounts/legaldocument/add/",
        {
            "kind": "terms",
            "title": "用户服务协议",
            "body": "# 一\n新条款",
            "summary_of_changes": "改",
        },
    )
    assert added.status_code == 302
    draft = LegalDocument.objects.get(kind="terms", version=2)
    assert not draft.is_published and in_force("terms") == terms
    edit = admin_client.get(f"/admin/accounts/legaldocument/{draft.pk}/change/")
    assert "body" in edit.context["adminform"].form.fields
    admin_client.post(
        "/admin/accounts/legaldocument/",
        {"action": "publish_documents", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.is_published and draft.published_by == admin_user
    assert in_force("terms") == draft
    assert Client().get("/account/legal/terms/").content.decode().count("第2版") >= 1
    assert "此版本已被新版本取代" in Client().get("/account/legal/terms/1/").content.decode()
