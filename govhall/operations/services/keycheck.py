"""Do the configured keys open the data already encrypted in the database?

One stored value per encrypted column is decrypted with ``GOVHALL_FIELD_KEYS``; a
person's decrypted ID number must give the stored blind index under
``GOVHALL_BLIND_INDEX_KEY``. Each failure is a system-check error naming the setting,
so the hall refuses to start rather than answering 500 on every page that shows
personal data.
"""

from __future__ import annotations

from django.apps import apps
from django.core.checks import Error
from django.db import connection

from govhall.accounts import crypto
from govhall.accounts.fields import EncryptedTextField

FIELD_KEY_HINT = (
    "恢复加密这些数据时使用的密钥：生产环境设置 GOVHALL_FIELD_KEY（轮换后的旧密钥放在 "
    "GOVHALL_FIELD_OLD_KEYS）；开发环境把原来的 var/field.key 放回原处（不要让系统生成新密钥）。"
)
INDEX_KEY_HINT = (
    "恢复原来的 GOVHALL_BLIND_INDEX_KEY（开发环境为 var/blind_index.key）；"
    "索引密钥不能更换，否则按身份证号码查找账号和证照都会失败。"
)


def _sample(table: str, column: str) -> str | None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(column)} FROM {quote(table)} "  # names from the models
            f"WHERE {quote(column)} IS NOT NULL AND {quote(column)} <> '' LIMIT 1"
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _encrypted_columns():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                yield model, field


def problems() -> list[Error]:
    found = []
    tables = set(connection.introspection.table_names())
    for model, field in _encrypted_columns():
        if model._meta.db_table not in tables:
            continue
        token = _sample(model._meta.db_table, field.column)
        if token is None:
            continue
        try:
            crypto.decrypt(token)
        except crypto.DecryptionError:
            found.append(
                Error(
                    f"数据库中已有加密数据（{model._meta.label}.{field.name}），但配置的字段密钥 "
                    "GOVHALL_FIELD_KEY 无法解密：密钥缺失、被重新生成或不是加密时所用的密钥。"
                    "在恢复密钥之前拒绝启动。",
                    hint=FIELD_KEY_HINT,
                    id="govhall.E010",
                )
            )
            return found  # one is enough: the same key encrypts every column
    found.extend(_index_problems(tables))
    return found


def _index_problems(tables: set[str]) -> list[Error]:
    from govhall.accounts.models import Person

    if Person._meta.db_table not in tables:
        return []
    person = Person.objects.order_by("pk").first()
    if person is None or not person.id_number:
        return []
    if Person.index_for(person.id_number) == person.id_number_index:
        return []
    return [
        Error(
            "身份证号码的盲索引与配置的 GOVHALL_BLIND_INDEX_KEY 不符：索引密钥缺失或被重新生成。"
            "在恢复密钥之前拒绝启动。",
            hint=INDEX_KEY_HINT,
            id="govhall.E011",
        )
    ]
