"""Which mobile entries exist: the built-in pages, APIs and channel endpoints, and one
application-form entry per published phone-enabled item (``Item.channel_mobile``).

``sync`` runs before every probe, so an item switched to 移动端办理 is watched from its
next probe and one switched off (or withdrawn) stops being probed. Entries an
administrator registered (``builtin=False``) are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from govhall.catalog.models import Item

from ..models import EntryKind, MobileEntry


@dataclass(frozen=True)
class Builtin:
    code: str
    name: str
    kind: str
    path: str
    expected: str = "200"
    channel: str = ""


# The phone's way through the hall (查、办、亮证) and what third-party channels call.
BUILTINS = (
    Builtin("home", "首页", EntryKind.PAGE, "/"),
    Builtin("search", "事项搜索", EntryKind.PAGE, "/search/?q=%E5%8A%9E%E7%90%86"),
    Builtin("themes", "主题服务", EntryKind.PAGE, "/themes/"),
    Builtin("progress", "办件进度查询", EntryKind.PAGE, "/progress/"),
    Builtin("login", "登录", EntryKind.PAGE, "/account/login/"),
    Builtin("my-space", "个人网页", EntryKind.PAGE, "/my/space/", "200,302"),
    Builtin("my-cases", "我的办件", EntryKind.PAGE, "/my/cases/", "200,302"),
    Builtin("my-licences", "我的证照", EntryKind.PAGE, "/my/licences/", "200,302"),
    Builtin("licence-verify", "电子证照核验", EntryKind.PAGE, "/licences/verify/"),
    Builtin("manifest", "应用清单（安装到主屏幕）", EntryKind.PAGE, "/manifest.webmanifest"),
    Builtin("api-items", "事项接口", EntryKind.API, "/api/v1/items/"),
    Builtin("api-issuers", "证照签发密钥接口", EntryKind.API, "/api/v1/licences/issuers"),
    Builtin("healthz", "健康检查", EntryKind.API, "/healthz"),
    Builtin(
        "oidc-discovery",
        "统一身份认证发现文档",
        EntryKind.CHANNEL,
        "/.well-known/openid-configuration",
        channel="第三方渠道（OIDC）",
    ),
    Builtin(
        "oidc-jwks",
        "统一身份认证公钥",
        EntryKind.CHANNEL,
        "/o/.well-known/jwks.json",
        channel="第三方渠道（OIDC）",
    ),
)


def item_code(item: Item) -> str:
    return f"item-{item.implementation_code}".lower()[:120]


def phone_items():
    return Item.objects.published().filter(current__channel_mobile=True)


@transaction.atomic
def sync() -> dict:
    """Register the built-in entries and the phone-enabled items' forms; retire the forms
    of items no longer phone-enabled. Returns counts."""
    created = 0
    for b in BUILTINS:
        _, new = MobileEntry.objects.update_or_create(
            code=b.code,
            defaults={
                "name": b.name,
                "kind": b.kind,
                "path": b.path,
                "expected_status": b.expected,
                "channel": b.channel,
                "builtin": True,
            },
        )
        created += new
    wanted = set()
    for item in phone_items().select_related("current"):
        code = item_code(item)
        wanted.add(code)
        entry, new = MobileEntry.objects.get_or_create(
            code=code,
            defaults={
                "name": f"{item.current.name}（申请表单）",
                "kind": EntryKind.ITEM_FORM,
                "path": f"/items/{item.implementation_code}/",
                "item": item,
                "builtin": True,
            },
        )
        created += new
        if not entry.is_active:
            entry.is_active = True
            entry.save(update_fields=["is_active"])
    retired = (
        MobileEntry.objects.filter(kind=EntryKind.ITEM_FORM, builtin=True, is_active=True)
        .exclude(code__in=wanted)
        .update(is_active=False)
    )
    return {"created": created, "retired": retired, "items": len(wanted)}
