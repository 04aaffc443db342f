"""Appending to and verifying the hash-chained audit log.

``record()`` is the one way in. Models registered with ``register()`` are audited on
every save and delete through signals (so admin screens, services and the shell are
all covered); services add a ``reason`` with ``context.acting(reason=...)`` or call
``record()`` directly for actions that are not row changes (login, import, verify).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import validate_ipv46_address
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from .. import context
from ..identifiers import mask_id_number
from ..models.audit import GENESIS_HASH, AuditChainHead, AuditEntry

Action = AuditEntry.Action

# Field names whose values never enter the audit log in clear.
SECRET_FIELDS = {"password", "client_secret", "secret", "private_key", "totp_secret"}
MASKED_FIELDS = {"id_number"}
# Marks a secret or masked field whose hidden value changed although its shown form did not.
CHANGED_MARK = "（已更改）"

_registry: set[type[models.Model]] = set()


# --- canonical content and hashing ---------------------------------------------------


def _jsonable(value: Any) -> Any:
    """Round-trip through JSON so what we hash is exactly what the database keeps."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def _utc_iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def entry_content(entry: AuditEntry) -> dict[str, Any]:
    return {
        "sequence": entry.sequence,
        "occurred_at": _utc_iso(entry.occurred_at),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "before": entry.before,
        "after": entry.after,
        "reason": entry.reason,
        "request_id": entry.request_id,
        "remote_addr": entry.remote_addr,
        "previous_hash": entry.previous_hash,
    }


def compute_hash(entry: AuditEntry) -> str:
    canonical = json.dumps(
        entry_content(entry), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- snapshots -------------------------------------------------------------------------


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The concrete field values of a row, with secrets dropped and ID numbers masked."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        value = field.value_from_object(instance)
        if field.name in SECRET_FIELDS:
            value = "***" if value else ""
        elif field.name in MASKED_FIELDS and value:
            value = mask_id_number(str(value))
        elif isinstance(value, bytes | memoryview):
            value = f"<{len(bytes(value))} bytes>"
        data[field.attname] = value
    return _jsonable(data)


def hidden_values(instance: models.Model) -> dict[str, Any]:
    """The raw values of the fields ``snapshot`` hides, kept in memory only to spot changes."""
    return {
        field.attname: field.value_from_object(instance)
        for field in instance._meta.concrete_fields
        if field.name in SECRET_FIELDS or field.name in MASKED_FIELDS
    }


def changed_fields(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """Keep only the fields that differ, so an update entry reads as its change."""
    if before is None or after is None:
        return before, after
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def scrub(data: Any) -> Any:
    """Hide secrets and mask ID numbers by key anywhere in a before/after structure.

    ``snapshot`` already does this for rows; this catches what services pass to
    ``record()`` by hand. Values hidden once (they contain ``*``) are left as they are.
    """
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            if key in SECRET_FIELDS and not (isinstance(value, str) and value.startswith("***")):
                value = "***" if value else ""
            elif key in MASKED_FIELDS and value and not (isinstance(value, str) and "*" in value):
                value = mask_id_number(str(value))
            else:
                value = scrub(value)
            out[key] = value
        return out
    if isinstance(data, list | tuple):
        return [scrub(item) for item in data]
    return data


def _clean_ip(value: str | None) -> str | None:
    """The address as the database will return it (IPv6 compressed), or None if invalid.

    Hashing the raw header value would make PostgreSQL's normalised ``inet`` fail
    verification later, and an invalid value would make the insert fail.
    """
    if not value:
        return None
    try:
        validate_ipv46_address(value)
    except ValidationError:
        return None
    return AuditEntry._meta.get_field("remote_addr").to_python(value)


def _fit(value: str, field_name: str) -> str:
    """Cut a value to its column's length, so PostgreSQL stores what SQLite would."""
    return (value or "")[: AuditEntry._meta.get_field(field_name).max_length]


def label_of(model: type[models.Model]) -> str:
    return model._meta.label_lower


# --- appending -------------------------------------------------------------------------


def record(
    action: str,
    *,
    instance: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
) -> AuditEntry:
    """Append one entry to the chain, inside the caller's transaction.

    Inside ``deferred()`` the entry is chained when that block ends (still inside the
    transaction); until then it has no sequence or hash.
    """
    ctx = context.current()
    if instance is not None:
        object_type = object_type or label_of(type(instance))
        object_id = object_id or str(instance.pk)
        object_repr = object_repr or str(instance)
    entry = AuditEntry(
        occurred_at=timezone.now(),
        actor_id=ctx.user_id,
        actor_label=_fit(ctx.label or "system", "actor_label"),
        action=action,
        object_type=_fit(object_type, "object_type"),
        object_id=_fit(object_id, "object_id"),
        object_repr=_fit(object_repr, "object_repr"),
        before=scrub(_jsonable(before)) if before is not None else None,
        after=scrub(_jsonable(after)) if after is not None else None,
        reason=reason or ctx.reason,
        request_id=_fit(ctx.request_id, "request_id"),
        remote_addr=_clean_ip(ctx.remote_addr),
    )
    pending = getattr(_deferral, "entries", None)
    if pending is not None:
        pending.append(entry)
    else:
        _chain([entry])
    return entry


def _chain(entries: list[AuditEntry]) -> None:
    """Lock the chain head, link ``entries`` after it and write them in one statement."""
    # No savepoint: the entries live or die with the caller's transaction anyway.
    with transaction.atomic(savepoint=False):
        connection = transaction.get_connection()
        with connection.cursor() as cursor:
            sequence, entry_hash = _locked_head(connection, cursor)
            for entry in entries:
                entry.sequence = sequence + 1
                entry.previous_hash = entry_hash
                entry.entry_hash = compute_hash(entry)
                sequence, entry_hash = entry.sequence, entry.entry_hash
            if len(entries) == 1:
                entries[0].save(force_insert=True)
            else:
                AuditEntry.objects.bulk_create(entries)
            cursor.execute(_head_sql(connection, "update"), [sequence, entry_hash])


def _locked_head(connection, cursor) -> tuple[int, str]:
    """The head's sequence and hash, its row locked until the commit (SQLite: the
    transaction's write lock, ``IMMEDIATE``, serialises appends instead)."""
    cursor.execute(_head_sql(connection, "lock"))
    row = cursor.fetchone()
    if row is None:
        # The migration creates the row; it is missing only after a flush (tests). Two
        # first writers must not race to create it: insert-if-absent, then lock.
        AuditChainHead.objects.bulk_create([AuditChainHead(pk=1)], ignore_conflicts=True)
        cursor.execute(_head_sql(connection, "lock"))
        row = cursor.fetchone()
    return row[0], row[1]


def _head_sql(connection, which: str) -> str:
    """The head's two statements as plain SQL: the ORM compiled the same text for every
    append (and built the head as a model to read two columns)."""
    quote = connection.ops.quote_name
    table = quote(AuditChainHead._meta.db_table)
    sequence, entry_hash = quote("sequence"), quote("entry_hash")
    if which == "update":
        return f"UPDATE {table} SET {sequence} = %s, {entry_hash} = %s WHERE {quote('id')} = 1"
    lock = (
        f" {connection.ops.for_update_sql()}" if connection.features.has_select_for_update else ""
    )
    return f"SELECT {sequence}, {entry_hash} FROM {table} WHERE {quote('id')} = 1{lock}"


_deferral = threading.local()


@contextmanager
def deferred() -> Iterator[None]:
    """Chain the entries recorded inside at the end of the block, in one batch.

    The chain head is one row every audited transaction locks until it commits, so the
    lock should be taken as late as possible: a service wraps its whole change in this
    (inside its ``transaction.atomic()``), and the head is held only for the final
    insert and the commit instead of for the rest of the change. Nested blocks chain
    with the outermost; on an exception nothing is chained (the transaction rolls back).
    Only for code that does not recover from a failed savepoint inside the block: the
    entries recorded in a rolled-back savepoint would still be chained.
    """
    if getattr(_deferral, "entries", None) is not None:
        yield
        return
    _deferral.entries = []
    try:
        yield
        entries = _deferral.entries
    finally:
        _deferral.entries = None
    if entries:
        _chain(entries)


# --- automatic auditing of registered models ----------------------------------------


def register(*model_classes: type[models.Model]) -> None:
    """Audit every save and delete of these models."""
    for model in model_classes:
        if model in _registry:
            continue
        _registry.add(model)
        uid = label_of(model)
        pre_save.connect(_remember_before, sender=model, dispatch_uid=f"audit-pre-{uid}")
        post_save.connect(_after_save, sender=model, dispatch_uid=f"audit-post-{uid}")
        post_delete.connect(_after_delete, sender=model, dispatch_uid=f"audit-del-{uid}")


def is_registered(model: type[models.Model]) -> bool:
    return model in _registry


def _remember_before(sender, instance, raw=False, **kwargs):
    instance._audit_before, instance._audit_hidden_before = None, {}
    if raw or instance._state.adding or instance.pk is None:
        return
    previous = sender._default_manager.filter(pk=instance.pk).first()
    if previous is not None:
        instance._audit_before = snapshot(previous)
        instance._audit_hidden_before = hidden_values(previous)


def _after_save(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    full_after = snapshot(instance)
    if created:
        record(Action.CREATE, instance=instance, after=full_after)
        return
    full_before = getattr(instance, "_audit_before", None)
    before, after = changed_fields(full_before, full_after)
    if before is not None and after is not None:
        # A new password shows as "***" like the old one: say that it changed, not to what.
        hidden_before = getattr(instance, "_audit_hidden_before", {})
        for attname, value in hidden_values(instance).items():
            if attname in after or attname not in hidden_before:
                continue
            if hidden_before[attname] != value:
                before[attname] = full_before.get(attname)
                after[attname] = f"{full_after[attname]}{CHANGED_MARK}"
    if after is not None and set(after) <= _touch_fields(sender):
        return  # a save that changed nothing but its own timestamps is not a state change
    record(Action.UPDATE, instance=instance, before=before, after=after)


def _touch_fields(model: type[models.Model]) -> set[str]:
    """Columns a save sets by itself (``auto_now``): they change on every save."""
    return {f.attname for f in model._meta.concrete_fields if getattr(f, "auto_now", False)}


def _after_delete(sender, instance, **kwargs):
    record(Action.DELETE, instance=instance, before=snapshot(instance))


# --- verification ----------------------------------------------------------------------


@dataclass(frozen=True)
class ChainProblem:
    sequence: int
    entry_id: int | None
    message: str


def verify_chain(chunk_size: int = 2000) -> Iterator[ChainProblem]:
    """Yield every break in the chain: edited rows, missing rows, a cut-off tail, a
    missing head row, and — against the signed checkpoints kept outside the database
    (``checkpoints``) — truncation and re-chaining that left the chain consistent."""
    from . import checkpoints as signed

    points, unreadable = signed.read()
    wanted = {point.sequence for point in points}
    seen: dict[int, str] = {}
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    entries = AuditEntry.objects.order_by("sequence").iterator(chunk_size=chunk_size)
    for entry in entries:
        if entry.sequence in wanted:
            seen[entry.sequence] = entry.entry_hash
        if entry.sequence != expected_sequence:
            yield ChainProblem(
                expected_sequence,
                None,
                f"审计日志第{expected_sequence}至{entry.sequence - 1}条缺失（已被删除）。",
            )
        elif entry.previous_hash != expected_previous:
            yield ChainProblem(
                entry.sequence, entry.pk, f"审计日志第{entry.sequence}条的前序哈希与上一条不符。"
            )
        if compute_hash(entry) != entry.entry_hash:
            yield ChainProblem(
                entry.sequence,
                entry.pk,
                f"审计日志第{entry.sequence}条（id={entry.pk}，{entry.object_type} "
                f"{entry.object_id}）内容已被篡改：哈希不符。",
            )
        expected_previous = entry.entry_hash
        expected_sequence = entry.sequence + 1
    last = expected_sequence - 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None:
        if last > 0 or points:
            yield ChainProblem(last, None, f"审计链头记录缺失（日志有{last}条，链头行被删除）。")
    elif head.sequence != last or head.entry_hash != expected_previous:
        yield ChainProblem(
            head.sequence,
            None,
            f"审计链头记录到第{head.sequence}条，但日志只连续到第{last}条"
            "（末尾条目被删除或链头被改动）。",
        )
    for message in [*unreadable, *signed.problems(points, seen, last)]:
        yield ChainProblem(last, None, message)
