"""The restore drill: cases, licences, stored files and audit entries; back up; restore
into an empty database, an empty media root and a var directory without keys — as on a
new machine; then every row count matches, the audit chain verifies, every licence
verifies and every stored file downloads, through a server running on the restored copy.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import io
import json
import sqlite3

import psycopg
import pytest
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connections

from govhall.cases.models import StoredFile
from govhall.cases.tests import factories as cf
from govhall.core.models import AuditEntry
from govhall.licences.models import LicenceVersion
from govhall.licences.tests import factories as lf
from govhall.operations.services import backup

from .processes import Process, environment, free_port, gunicorn, http_ok, manage, wait_for
from .test_two_app_processes import Browser

DATA_KEY = "drill-data-key-3f9a1c"
KEYS_KEY = "drill-keys-key-77b2e0"
PASSWORD = "Restore-drill-2026"


def _table_counts() -> dict[str, int]:
    conn = connections["default"]
    with conn.cursor() as cursor:
        tables = conn.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {conn.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def _target_database(tmp_path):
    """An empty database for the restore, and a way to count its rows afterwards."""
    conn = connections["default"]
    if conn.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"

        def count(table):
            with contextlib.closing(sqlite3.connect(path)) as db:
                return db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]

        return f"sqlite:///{path}", count, lambda: None
    s = conn.settings_dict
    name = f"{s['NAME']}_restore"[:63]
    base = f"host={s['HOST'] or '127.0.0.1'} port={s['PORT'] or 5432} user={s['USER']}"
    with psycopg.connect(f"{base} dbname=postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')

    def count(table):
        with psycopg.connect(f"{base} dbname={name}") as db:
            return db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]

    def drop():
        with psycopg.connect(f"{base} dbname=postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    url = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"
    return url, count, drop


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_an_empty_installation(
    transactional_reference_data, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GOVHALL_BACKUP_KEY = DATA_KEY
    settings.GOVHALL_BACKUP_KEYS_KEY = KEYS_KEY
    owner = cf.applicant()
    owner.user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    owner.user.save(update_fields=["password"])
    department = cf.department("江门市民政局")
    lf.licence_type(issuers=[department])
    lf.concluded_case(department, identity=owner)
    cf.submitted(identity=owner)
    cf.submitted()
    versions = list(LicenceVersion.objects.values_list("identifier", flat=True))
    files = {f.public_id: f.sha256 for f in StoredFile.objects.filter(owner=owner.user)}
    assert versions and len(files) >= 2 and AuditEntry.objects.count() > 20
    expected = _table_counts()

    bundle = tmp_path / "drill.tar"
    out = io.StringIO()
    call_command("backup", output=str(bundle), stdout=out)
    assert "密钥文件已单独加密放入备份" in out.getvalue()
    manifest = backup.read_manifest(bundle)
    assert manifest.tables == expected
    assert manifest.data["keys"]["included"]
    assert b"id_number" not in bundle.read_bytes()  # sealed, not in clear

    url, count, drop = _target_database(tmp_path)
    restored_var = tmp_path / "new-machine"  # no keys, no media, nothing
    restored_var.mkdir()
    env = environment(
        type("Target", (), {"url": url})(),
        GOVHALL_VAR_DIR=str(restored_var),
        GOVHALL_BACKUP_KEY=DATA_KEY,
        GOVHALL_BACKUP_KEYS_KEY=KEYS_KEY,
    )
    try:
        restoring = Process(manage("restore", str(bundle)), env, tmp_path / "restore.log")
        assert restoring.popen.wait(300) == 0, restoring.output()[-4000:]
        report = restoring.output()
        restoring.stop()
        assert "恢复核对全部通过" in report, report[-3000:]
        for line in (
            "✓ 行数",
            "✓ 审计链",
            "✓ 电子证照签名",
            "✓ 文件",
            "✓ 加密的个人信息",
            "✓ 密钥",
        ):
            assert line in report, report[-3000:]
        assert {table: count(table) for table in expected} == expected

        port = free_port()
        server = Process(
            gunicorn(port),
            env,
            tmp_path / "server.log",
        )
        try:
            wait_for(lambda: http_ok(port), 90, "the restored server", [server])
            browser = Browser(port, "127.0.0.1")
            for identifier in versions:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                connection.request(
                    "POST",
                    "/api/v1/licences/verify",
                    body=json.dumps({"identifier": identifier}),
                    headers={"Content-Type": "application/json"},
                )
                answer = json.loads(connection.getresponse().read())
                connection.close()
                assert answer["signature_valid"] is True, answer
            browser.login(owner.user.username, PASSWORD)
            for public_id, sha256 in files.items():
                status, body, _headers = browser.request(
                    "GET", f"/my/materials/{public_id}/", raw=True
                )
                assert status == 200, (status, public_id)
                assert hashlib.sha256(body).hexdigest() == sha256
        finally:
            server.stop()
    finally:
        drop()


def test_a_bundle_opened_with_the_wrong_key_or_altered_is_refused(tmp_path):
    from govhall.operations.services.encryption import (
        BundleError,
        DecryptingReader,
        EncryptingWriter,
    )

    plain = bytes(range(256)) * 9000  # more than two chunks
    sealed = io.BytesIO()
    writer = EncryptingWriter(sealed, "right key")
    writer.write(plain)
    writer.close()
    data = sealed.getvalue()
    assert DecryptingReader(io.BytesIO(data), "right key").read() == plain
    with pytest.raises(BundleError, match="wrong key"):
        DecryptingReader(io.BytesIO(data), "wrong key").read()
    tampered = bytearray(data)
    tampered[100] ^= 1
    with pytest.raises(BundleError):
        DecryptingReader(io.BytesIO(bytes(tampered)), "right key").read()
    last_length = int.from_bytes(data[-(4 + 16 + len(plain) % (1024 * 1024)) :][:4], "big")
    assert last_length == 16 + len(plain) % (1024 * 1024)
    truncated = data[: -(4 + last_length)]  # the last chunk cut off
    with pytest.raises(BundleError, match="truncated"):
        DecryptingReader(io.BytesIO(truncated), "right key").read()
