"""Helpers for the portal page tests: a private media folder and the apply flow by pages."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from ..models import Application
from . import factories as f

GOOD_FORM = {
    "form.household_size": "3",
    "form.married": "false",
    "contact_name": "张三",
    "contact_phone": "13800138000",
    "delivery": "electronic",
    "action": "continue",
}


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Uploaded test files go to a temporary folder, not the project's var/media."""
    settings.MEDIA_ROOT = tmp_path


def signed_in(client, identity):
    client.force_login(identity.user)
    return client


def start(client, item) -> Application:
    response = client.post(reverse("cases:item-apply", args=[item.implementation_code]))
    assert response.status_code == 302, response.content.decode()[:500]
    application = Application.objects.filter(item=item).latest("pk")
    assert response["Location"] == reverse("cases:application", args=[application.public_id])
    return application


def upload_all(client, application) -> None:
    """Upload a PDF for every material the applicant must bring, through the page."""
    url = reverse("cases:materials", args=[application.public_id])
    for need in f.applications.material_needs(application):
        if need.source == "applicant":
            response = client.post(
                url, {"key": need.key, "action": "upload", "file": f.pdf(need.name)}
            )
            assert response.status_code == 302, response.content.decode()[:500]


def idempotency_key(response) -> str:
    match = re.search(r'name="idempotency_key" value="([0-9a-f-]{36})"', response.content.decode())
    assert match, "the check page carries an idempotency key"
    return match.group(1)


def apply_through_pages(client, item, form=None) -> Application:
    """Start, fill in, upload, check and submit; returns the submitted application."""
    application = start(client, item)
    response = client.post(
        reverse("cases:application", args=[application.public_id]), form or GOOD_FORM
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    upload_all(client, application)
    check = reverse("cases:check", args=[application.public_id])
    key = idempotency_key(client.get(check))
    response = client.post(check, {"idempotency_key": key})
    assert response.status_code == 302
    application.refresh_from_db()
    return application
