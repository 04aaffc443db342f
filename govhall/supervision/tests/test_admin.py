"""Editing a rule in the admin adds a version instead of changing the old one."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from ..models import Rule

pytestmark = pytest.mark.django_db


def test_admin_change_adds_a_version(settings):
    settings.GOVHALL_STAFF_TOTP_REQUIRED = False
    admin = get_user_model().objects.create_superuser("sv-admin", password="x-Secret-2026!")
    client = Client()
    client.force_login(admin)
    rule = Rule.objects.get(code="SX02", region_code="")
    url = f"/admin/supervision/rule/{rule.pk}/change/"
    assert client.get(url).status_code == 200
    data = {
        "code": rule.code,
        "region_code": "440700",
        "name": rule.name,
        "card": rule.card,
        "threshold_days": 2,
        "threshold_hours": 0,
        "verifier": rule.verifier,
        "response_days": rule.response_days,
        "basis": rule.basis,
        "is_active": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    rule.refresh_from_db()
    assert rule.threshold_days == 1 and rule.region_code == ""
    new = Rule.objects.get(code="SX02", region_code="440700")
    assert (new.version, new.threshold_days, new.created_by) == (1, 2, "sv-admin")
