"""Backups that restore: one bundle holding the database, the media files and —
sealed separately — the key files, and a restore that checks what it restored.

Bundle (``govhall-backup-<time>.tar``, mode 0600) — a plain tar of three members:

* ``manifest.json`` — clear text, no secrets: the database engine, every table's row
  count at the moment of the dump, the media totals, each member's SHA-256, and the
  fingerprints (not the values) of the keys the data needs;
* ``data.enc`` — the database dump and ``media/``, a gzip'd tar sealed with
  ``GOVHALL_BACKUP_KEY`` (``encryption``): PostgreSQL as ``pg_dump`` custom format,
  taken in the same exported snapshot as the row counts; SQLite through its online
  backup API (counted in the copy itself);
* ``keys.enc`` — only with ``GOVHALL_BACKUP_KEYS_KEY``: the key files under the var
  directory (development and single-machine installs) and any keys the environment
  supplies, sealed with that second key, so a copy of the data alone never carries
  the keys to read it. Without that key the bundle carries fingerprints only and the
  keys are held elsewhere (production: the secret store behind the environment file).

The database dump is taken first and the media copied after it, so every file the dump
refers to is in the bundle (stored files are never changed in place).
"""

from __future__ import annotations

import contextlib
import datetime
import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from govhall.accounts import keys as key_files

from .encryption import BundleError, DecryptingReader, EncryptingWriter

FORMAT = "govhall-backup/1"
KEY_FILES = (key_files.FIELD_KEY_FILE, key_files.INDEX_KEY_FILE, key_files.OIDC_KEY_FILE)
KEY_ENVIRONMENT = (
    "GOVHALL_FIELD_KEY",
    "GOVHALL_FIELD_OLD_KEYS",
    "GOVHALL_BLIND_INDEX_KEY",
    "GOVHALL_OIDC_RSA_PRIVATE_KEY",
)
RESTORED_ENV_FILE = "restored-keys.env"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in Chinese."""


@dataclass
class Manifest:
    data: dict = field(default_factory=dict)

    @property
    def tables(self) -> dict[str, int]:
        return self.data["tables"]


def _fingerprint(value: str) -> str:
    return hashlib.sha256(value.strip().encode()).hexdigest()[:16]


def key_fingerprints() -> dict:
    """Fingerprints of the keys this process runs with (what restored data needs)."""
    return {
        "field": [_fingerprint(k) for k in settings.GOVHALL_FIELD_KEYS],
        "blind_index": _fingerprint(settings.GOVHALL_BLIND_INDEX_KEY),
        "oidc": _fingerprint(settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"]),
    }


def _pg_arguments(settings_dict: dict) -> tuple[list[str], dict]:
    args = ["-h", settings_dict["HOST"] or "127.0.0.1", "-p", str(settings_dict["PORT"] or 5432)]
    if settings_dict.get("USER"):
        args += ["-U", settings_dict["USER"]]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"找不到 {name}：请安装 PostgreSQL 客户端"
            "（Debian: apt-get install postgresql-client）。"
        )
    return found


def _pg(tool: str, settings_dict: dict, *arguments: str) -> None:
    """Run ``pg_dump``/``pg_restore`` against the configured server; raise on failure."""
    args, env = _pg_arguments(settings_dict)
    done = subprocess.run(
        [_tool(tool), *args, *arguments], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{tool} 失败：{done.stderr.strip()[-500:]}")


def _count(cursor, table: str, quote) -> int:
    cursor.execute(f"SELECT count(*) FROM {quote(table)}")
    return cursor.fetchone()[0]


def _dump_database(directory: Path) -> tuple[str, str, dict[str, int]]:
    conn = connections["default"]
    quote = conn.ops.quote_name
    if conn.vendor == "sqlite":
        conn.ensure_connection()
        target_path = directory / "database.sqlite3"
        with contextlib.closing(sqlite3.connect(target_path)) as target:
            conn.connection.backup(target)
            tables = [
                row[0]
                for row in target.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' "
                    "AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            ]
            counts = {
                t: target.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables
            }
        return "sqlite", target_path.name, counts
    if conn.vendor != "postgresql":
        raise BackupError(f"不支持的数据库：{conn.vendor}")
    target_path = directory / "database.dump"
    with transaction.atomic(), conn.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = {
            t: _count(cursor, t, quote) for t in sorted(conn.introspection.table_names(cursor))
        }
        _pg(
            "pg_dump",
            conn.settings_dict,
            "-Fc",
            "--no-owner",
            "--no-privileges",
            f"--snapshot={snapshot}",
            "-f",
            str(target_path),
            conn.settings_dict["NAME"],
        )
    return "postgresql", target_path.name, counts


def _media_files() -> list[tuple[Path, str]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            found.append((path, path.relative_to(root).as_posix()))
    return found


class _Hashing(io.RawIOBase):
    def __init__(self, sink) -> None:
        self.sink, self.sha256, self.size = sink, hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.sink.write(data)
        self.sha256.update(data)
        self.size += len(data)
        return len(data)


def _sealed_tar(path: Path, secret: str, entries: list[tuple[Path | bytes, str]]) -> dict:
    with open(path, "wb") as raw:
        hashing = _Hashing(raw)
        writer = EncryptingWriter(hashing, secret)
        # Level 3: the dump and most uploads (PDF, JPEG) are compressed already.
        packed = gzip.GzipFile(fileobj=writer, mode="wb", compresslevel=3, mtime=0)
        with tarfile.open(fileobj=packed, mode="w|") as tar:
            for source, name in entries:
                if isinstance(source, bytes):
                    info = tarfile.TarInfo(name)
                    info.size, info.mode, info.mtime = (
                        len(source),
                        0o600,
                        int(timezone.now().timestamp()),
                    )
                    tar.addfile(info, io.BytesIO(source))
                else:
                    tar.add(source, arcname=name, recursive=False)
        packed.close()
        writer.close()
    return {"sha256": hashing.sha256.hexdigest(), "bytes": hashing.size}


def _key_entries() -> list[tuple[Path | bytes, str]]:
    var_dir = Path(settings.VAR_DIR)
    entries: list[tuple[Path | bytes, str]] = [
        (var_dir / name, f"keys/{name}") for name in KEY_FILES if (var_dir / name).is_file()
    ]
    environment = [f"{name}={os.environ[name]}" for name in KEY_ENVIRONMENT if os.environ.get(name)]
    key_file = os.environ.get("GOVHALL_OIDC_RSA_PRIVATE_KEY_FILE", "")
    if key_file and not os.environ.get("GOVHALL_OIDC_RSA_PRIVATE_KEY") and Path(key_file).is_file():
        pem = Path(key_file).read_text(encoding="ascii").strip().replace("\n", "\\n")
        environment.append(f"GOVHALL_OIDC_RSA_PRIVATE_KEY={pem}")
    if environment:
        entries.append((("\n".join(environment) + "\n").encode(), "keys/keys.env"))
    return entries


def backup(output: Path | None = None) -> tuple[Path, Manifest]:
    """Write a bundle; returns its path and manifest."""
    data_key = settings.GOVHALL_BACKUP_KEY
    if not data_key:
        raise BackupError("未设置 GOVHALL_BACKUP_KEY：备份必须加密（见 docs/deployment.md）。")
    keys_key = settings.GOVHALL_BACKUP_KEYS_KEY
    if keys_key and keys_key == data_key:
        raise BackupError("GOVHALL_BACKUP_KEYS_KEY 必须与 GOVHALL_BACKUP_KEY 不同。")
    created = timezone.now()
    if output is None:
        directory = Path(settings.GOVHALL_BACKUP_DIR)
        output = directory / f"govhall-backup-{timezone.localtime(created):%Y%m%d-%H%M%S}.tar"
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".backup-") as scratch:
        work = Path(scratch)
        vendor, dump_name, tables = _dump_database(work)
        media = _media_files()
        members = {
            "data.enc": _sealed_tar(
                work / "data.enc",
                data_key,
                [(work / dump_name, dump_name)] + [(p, f"media/{rel}") for p, rel in media],
            )
        }
        key_entries = _key_entries() if keys_key else []
        if key_entries:
            members["keys.enc"] = _sealed_tar(work / "keys.enc", keys_key, key_entries)
        manifest = Manifest(
            {
                "format": FORMAT,
                "created_at": created.isoformat(),
                "database": {"vendor": vendor, "file": dump_name},
                "tables": tables,
                "media": {"files": len(media), "bytes": sum(p.stat().st_size for p, _ in media)},
                "members": members,
                "keys": {
                    "included": bool(key_entries),
                    "files": [name.split("/", 1)[1] for _, name in key_entries],
                    "fingerprints": key_fingerprints(),
                },
            }
        )
        manifest_bytes = json.dumps(manifest.data, ensure_ascii=False, indent=2).encode()
        partial = work / "bundle.tar"
        with tarfile.open(partial, "w") as tar:
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mode = len(manifest_bytes), 0o600
            tar.addfile(info, io.BytesIO(manifest_bytes))
            for name in members:
                tar.add(work / name, arcname=name)
        os.chmod(partial, 0o600)
        os.replace(partial, output)
    return output, manifest


# --- restore ---------------------------------------------------------------------------


def read_manifest(bundle: Path) -> Manifest:
    try:
        with tarfile.open(bundle) as outer:
            data = json.load(outer.extractfile("manifest.json"))
    except (OSError, KeyError, tarfile.TarError, ValueError) as exc:
        raise BackupError(f"{bundle} 不是 govhall 备份：{exc}") from exc
    if data.get("format") != FORMAT:
        raise BackupError(f"不认识的备份格式：{data.get('format')!r}")
    return Manifest(data)


def _database_is_empty() -> bool:
    conn = connections["default"]
    with conn.cursor() as cursor:
        return not conn.introspection.table_names(cursor)


def _check_media_root_empty() -> Path:
    root = Path(settings.MEDIA_ROOT)
    if root.exists() and any(root.iterdir()):
        raise BackupError(f"媒体目录 {root} 不是空的：请恢复到空目录（或先移走其中的文件）。")
    return root


def _open_sealed(outer: tarfile.TarFile, manifest: Manifest, name: str, secret: str, scratch: Path):
    member = outer.extractfile(name)
    if member is None:
        raise BackupError(f"备份中缺少 {name}")
    copy = scratch / name
    digest = hashlib.sha256()
    with open(copy, "wb") as out:
        while block := member.read(1024 * 1024):
            digest.update(block)
            out.write(block)
    if digest.hexdigest() != manifest.data["members"][name]["sha256"]:
        raise BackupError(f"{name} 的校验值与清单不符：备份已损坏。")
    return open(copy, "rb")


def _extract(sealed, secret: str, into: Path) -> None:
    try:
        reader = io.BufferedReader(DecryptingReader(sealed, secret), buffer_size=1024 * 1024)
        with tarfile.open(fileobj=reader, mode="r|gz") as tar:
            _safe_extract(tar, into)
    except BundleError as exc:
        raise BackupError(f"无法解密备份（密钥不对或备份被改动）：{exc}") from exc


def _safe_extract(tar: tarfile.TarFile, into: Path) -> None:
    """Regular files and directories only, every one inside ``into`` (Python's own
    ``filter="data"`` is missing from Debian 12's Python 3.11.2)."""
    root = into.resolve()
    root.mkdir(parents=True, exist_ok=True)
    for member in tar:
        target = (root / member.name).resolve()
        if not target.is_relative_to(root) or target == root:
            raise BackupError(f"备份中有不安全的路径：{member.name!r}")
        if member.isdir():
            target.mkdir(parents=True, exist_ok=True)
        elif member.isfile():
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            with open(target, "wb") as out:
                shutil.copyfileobj(source, out, 1024 * 1024)
            os.chmod(target, 0o600 if member.name.startswith("keys/") else 0o640)
        else:
            raise BackupError(f"备份中有不支持的条目（链接或设备）：{member.name!r}")


def _restore_database(manifest: Manifest, dump: Path) -> None:
    conn = connections["default"]
    expected = manifest.data["database"]["vendor"]
    if conn.vendor != expected:
        raise BackupError(f"备份来自 {expected}，当前数据库是 {conn.vendor}。")
    if conn.vendor == "sqlite":
        name = conn.settings_dict["NAME"]
        conn.close()
        with (
            contextlib.closing(sqlite3.connect(dump)) as source,
            contextlib.closing(sqlite3.connect(name)) as target,
        ):
            source.backup(target)
            target.execute("PRAGMA journal_mode=WAL")
        return
    conn.close()
    _pg(
        "pg_restore",
        conn.settings_dict,
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        "-d",
        conn.settings_dict["NAME"],
        str(dump),
    )


def _restore_keys(staging: Path) -> list[str]:
    """Put the bundle's key files in the var directory. The database was empty, so the
    keys this process may have generated at start-up protect nothing yet."""
    var_dir = Path(settings.VAR_DIR)
    restored = []
    for name in KEY_FILES:
        source = staging / "keys" / name
        if source.is_file():
            target = var_dir / name
            shutil.copyfile(source, target)
            os.chmod(target, 0o600)
            restored.append(name)
    environment = staging / "keys" / "keys.env"
    if environment.is_file():
        target = var_dir / RESTORED_ENV_FILE
        shutil.copyfile(environment, target)
        os.chmod(target, 0o600)
        restored.append(RESTORED_ENV_FILE)
    return restored


def restore(bundle: Path) -> tuple[Manifest, list[str]]:
    """Restore a bundle into an empty database and an empty media root; returns the
    manifest and the key files written. ``verify`` then checks the result (in a fresh
    process, so that it reads the restored keys)."""
    manifest = read_manifest(bundle)
    if not _database_is_empty():
        raise BackupError("数据库不是空的：只能恢复到空数据库（新建一个，或先删除所有表）。")
    media_root = _check_media_root_empty()
    keys_key = settings.GOVHALL_BACKUP_KEYS_KEY
    restored_keys: list[str] = []
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=Path(settings.VAR_DIR)) as scratch:
        work = Path(scratch)
        staging = work / "staging"
        with tarfile.open(bundle) as outer:
            with _open_sealed(outer, manifest, "data.enc", settings.GOVHALL_BACKUP_KEY, work) as s:
                _extract(s, settings.GOVHALL_BACKUP_KEY, staging)
            if manifest.data["keys"]["included"]:
                if not keys_key:
                    raise BackupError(
                        "备份中的密钥文件用 GOVHALL_BACKUP_KEYS_KEY 单独加密：请设置它"
                        "（或从密钥管理处取得密钥后设置 GOVHALL_FIELD_KEY 等）。"
                    )
                with _open_sealed(outer, manifest, "keys.enc", keys_key, work) as s:
                    _extract(s, keys_key, staging)
        _restore_database(manifest, staging / manifest.data["database"]["file"])
        media_root.mkdir(mode=0o750, parents=True, exist_ok=True)
        if (staging / "media").is_dir():
            for entry in (staging / "media").iterdir():
                shutil.move(str(entry), media_root / entry.name)
        restored_keys = _restore_keys(staging)
    return manifest, restored_keys


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def verify(manifest: Manifest) -> list[Check]:
    """After a restore: row counts, the audit chain, every licence signature, every
    stored file, every encrypted value, the keys' fingerprints."""
    from django.apps import apps
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from govhall.accounts import crypto
    from govhall.accounts.crypto import DecryptionError
    from govhall.accounts.fields import EncryptedTextField
    from govhall.licences.models import LicenceVersion
    from govhall.licences.services import verification

    checks: list[Check] = []
    conn = connections["default"]
    with conn.cursor() as cursor:
        present = set(conn.introspection.table_names(cursor))
        wrong = []
        for table, expected in manifest.tables.items():
            actual = _count(cursor, table, conn.ops.quote_name) if table in present else None
            if actual != expected:
                wrong.append(f"{table}: {actual} ≠ {expected}")
    checks.append(
        Check(
            "行数",
            not wrong,
            "；".join(wrong[:10]) or f"{len(manifest.tables)}张表的行数与备份时一致",
        )
    )

    fingerprints = key_fingerprints()
    expected_keys = manifest.data["keys"]["fingerprints"]
    key_ok = (
        fingerprints["field"][0] in expected_keys["field"]
        and fingerprints["blind_index"] == expected_keys["blind_index"]
    )
    checks.append(
        Check(
            "密钥",
            key_ok,
            "个人信息加密密钥和盲索引密钥与备份时一致"
            if key_ok
            else "当前的 GOVHALL_FIELD_KEY / GOVHALL_BLIND_INDEX_KEY 不是备份时的密钥",
        )
    )

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
        checks.append(Check("审计链", True, out.getvalue().strip()))
    except CommandError as exc:
        checks.append(Check("审计链", False, f"{exc} {err.getvalue().strip()[:500]}"))

    bad = []
    versions = LicenceVersion.objects.values_list("identifier", flat=True)
    for identifier in versions.iterator():
        answer = verification.verify(identifier)
        if not answer.get("signature_valid"):
            bad.append(identifier)
    checks.append(
        Check(
            "电子证照签名",
            not bad,
            "、".join(bad[:10]) or f"{versions.count()}个证照版本签名全部有效",
        )
    )

    missing, files = [], 0
    for model in apps.get_models():
        for model_field in model._meta.get_fields():
            if not isinstance(getattr(model_field, "attname", None), str):
                continue
            if model_field.get_internal_type() != "FileField":
                continue
            for obj in model._default_manager.exclude(**{model_field.name: ""}).iterator():
                files += 1
                stored = getattr(obj, model_field.name)
                problem = _file_problem(stored, obj)
                if problem:
                    missing.append(f"{model._meta.label} {obj.pk}: {problem}")
    checks.append(
        Check("文件", not missing, "；".join(missing[:10]) or f"{files}个文件全部可读且校验一致")
    )

    undecryptable, values = [], 0
    with conn.cursor() as cursor:
        for model in apps.get_models():
            quote = conn.ops.quote_name
            for column in (
                f.column for f in model._meta.fields if isinstance(f, EncryptedTextField)
            ):
                pk = quote(model._meta.pk.column)
                cursor.execute(
                    f"SELECT {pk}, {quote(column)} FROM {quote(model._meta.db_table)} "
                    f"WHERE {quote(column)} IS NOT NULL AND {quote(column)} <> ''"
                )
                for key, token in cursor.fetchall():
                    values += 1
                    try:
                        crypto.decrypt(token)
                    except DecryptionError:
                        undecryptable.append(f"{model._meta.label} {key}")
    checks.append(
        Check(
            "加密的个人信息",
            not undecryptable,
            "、".join(undecryptable[:10]) or f"{values}个加密值全部可以解密",
        )
    )
    return checks


def _file_problem(stored, obj) -> str:
    try:
        with stored.open("rb") as handle:
            digest, size = hashlib.sha256(), 0
            while block := handle.read(1024 * 1024):
                digest.update(block)
                size += len(block)
    except (OSError, ValueError) as exc:
        return f"无法读取 {stored.name}（{exc.__class__.__name__}）"
    expected_size = getattr(obj, "size", None)
    if isinstance(expected_size, int) and expected_size != size:
        return f"{stored.name} 大小 {size} ≠ {expected_size}"
    expected_hash = getattr(obj, "sha256", None)
    if (
        isinstance(expected_hash, str)
        and len(expected_hash) == 64
        and expected_hash != digest.hexdigest()
    ):
        return f"{stored.name} 的 SHA-256 不一致"
    return ""


def prune(keep_days: int, directory: Path | None = None) -> list[Path]:
    """Delete bundles older than ``keep_days`` in the backup directory (retention)."""
    directory = Path(directory or settings.GOVHALL_BACKUP_DIR)
    cutoff = timezone.now() - datetime.timedelta(days=keep_days)
    removed = []
    for path in sorted(directory.glob("govhall-backup-*.tar")):
        modified = datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC)
        if modified < cutoff:
            path.unlink()
            removed.append(path)
    return removed
