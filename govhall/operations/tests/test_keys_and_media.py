"""Keys and media (§13): the hall refuses to start when the data already encrypted
cannot be opened with the configured keys (naming the setting), and a stored file whose
bytes are gone answers a Chinese 410 page and alerts operations instead of a 500."""

import pytest
from cryptography.fernet import Fernet
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client
from django.urls import reverse

from govhall.cases.models import StoredFile
from govhall.cases.services import applications
from govhall.operations.checks import encrypted_data_keys
from govhall.operations.services import figures
from tests.common import applicant, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


def test_the_right_keys_pass():
    applicant()
    assert encrypted_data_keys(None) == []


def test_a_lost_field_key_stops_start_up_naming_the_setting(settings):
    applicant()  # an ID number encrypted under the configured key
    configured = list(settings.GOVHALL_FIELD_KEYS)
    settings.GOVHALL_FIELD_KEYS = [Fernet.generate_key().decode()]  # "regenerated" key
    (error,) = encrypted_data_keys(None)
    assert error.id == "govhall.E010"
    assert "GOVHALL_FIELD_KEY" in error.msg and "accounts.Person.id_number" in error.msg
    assert "var/field.key" in error.hint
    with pytest.raises(SystemCheckError, match="GOVHALL_FIELD_KEY"):
        call_command("check")
    # The old key kept for decryption after rotation is enough.
    settings.GOVHALL_FIELD_KEYS = [settings.GOVHALL_FIELD_KEYS[0], *configured]
    assert encrypted_data_keys(None) == []


def test_a_changed_blind_index_key_stops_start_up(settings):
    applicant()
    settings.GOVHALL_BLIND_INDEX_KEY = "not-the-key-the-index-was-made-with"
    (error,) = encrypted_data_keys(None)
    assert error.id == "govhall.E011" and "GOVHALL_BLIND_INDEX_KEY" in error.msg


def test_an_empty_database_needs_no_keys_check(settings):
    settings.GOVHALL_FIELD_KEYS = [Fernet.generate_key().decode()]
    from govhall.accounts.models import Person

    assert not Person.objects.exists()
    assert encrypted_data_keys(None) == []


def test_a_missing_file_is_a_410_page_and_an_operations_alert(settings):
    settings.ADMINS = [("运维", "ops@example.gov.cn")]
    identity = applicant()
    stored = applications.store_file(identity.user, pdf("身份证"), title="身份证复印件")
    client = Client()
    client.force_login(identity.user)
    url = reverse("cases:locker-file", args=[stored.public_id])

    ok = client.get(url)
    assert ok.status_code == 200
    assert ok["Content-Disposition"].startswith("attachment")
    assert ok["Content-Security-Policy"].startswith("sandbox")
    assert ok["X-Content-Type-Options"] == "nosniff"
    b"".join(ok.streaming_content)

    stored.content.storage.delete(stored.content.name)
    assert StoredFile.objects.filter(pk=stored.pk).exists()
    gone = client.get(url)
    assert gone.status_code == 410
    page = gone.content.decode()
    assert "文件无法提供" in page and "身份证" in page and "运行维护人员" in page
    # Operations hear of it: mail to the admins (once an hour per file) and the alert list.
    assert len(mail.outbox) == 1 and "文件缺失" in mail.outbox[0].subject
    assert client.get(url).status_code == 410
    assert len(mail.outbox) == 1
    snap = figures.snapshot()
    messages = [a.message for a in figures.alerts(snap)]
    assert any("存储文件缺失" in m and stored.content.name in m for m in messages)
