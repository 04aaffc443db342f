"""Registering exchange clients (对接系统登记): branch halls, vertical and department
systems that push process records.

Each client is an OAuth2 client of the hall's provider (django-oauth-toolkit) with the
client-credentials grant and the one scope ``exchange``. The secret is generated here and
returned once, to be shown once; the toolkit stores only its hash, so a lost secret is
replaced with ``rotate_secret``. Who may see and manage a client follows the staff scope:
superusers everywhere, hall administrators (manage) and supervisors (see) whose region
reach covers every region of the client.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from oauth2_provider.generators import generate_client_id, generate_client_secret
from oauth2_provider.models import get_application_model

from govhall.accounts.models import ClientProfile
from govhall.core import context
from govhall.core.models import AuditEntry
from govhall.core.services import audit
from govhall.regions.models import PREFIX_LENGTH, Department, Level, Post, Region
from govhall.regions.services.scope import StaffScope, scope_of

from ..models import ExchangeClient

Application = get_application_model()
SCOPE = "exchange"
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,59}$")
ITEM_CODE_RE = re.compile(r"^[0-9A-Za-z]{1,32}$")
MAX_RATE = 6000


def _codes(values: Iterable[str] | str) -> list[str]:
    if isinstance(values, str):
        values = re.split(r"[\s,，、;；]+", values)
    out: list[str] = []
    for value in values:
        value = (value or "").strip()
        if value and value not in out:
            out.append(value)
    return out


def _acting(by, reason: str):
    """The audit context: the staff user acting, unless a request already set one."""
    ctx = context.current()
    if by is not None and ctx.user_id is None:
        return context.acting(user_id=by.pk, label=by.get_username(), reason=reason)
    return context.acting(reason=reason)


# --- who may see and manage ---------------------------------------------------------------


def _covers_all(prefixes: Iterable[str], codes: Iterable[str]) -> bool:
    prefixes = tuple(prefixes)
    codes = list(codes)
    return bool(codes) and bool(prefixes) and all(c.startswith(prefixes) for c in codes)


def admin_prefixes(scope: StaffScope) -> tuple[str, ...]:
    return tuple(sorted(scope.prefixes_of(Post.HALL_ADMIN)))


def can_register(user) -> bool:
    scope = scope_of(user)
    return scope.is_superuser or bool(admin_prefixes(scope))


def _region_codes(client: ExchangeClient) -> list[str]:
    cached = getattr(client, "_region_codes", None)
    if cached is None:
        cached = [r.code for r in client.regions.all()]
        client._region_codes = cached
    return cached


def can_view(user, client: ExchangeClient) -> bool:
    scope = scope_of(user)
    return scope.is_superuser or _covers_all(scope.region_prefixes, _region_codes(client))


def can_manage(user, client: ExchangeClient) -> bool:
    scope = scope_of(user)
    return scope.is_superuser or _covers_all(admin_prefixes(scope), _region_codes(client))


def visible_clients(user) -> list[ExchangeClient]:
    """The clients this staff user may see (each with its regions loaded)."""
    scope = scope_of(user)
    if not (scope.is_superuser or scope.region_prefixes):
        return []
    rows = ExchangeClient.objects.prefetch_related("regions").order_by("code")
    out = []
    for client in rows:
        client._region_codes = [r.code for r in client.regions.all()]
        if scope.is_superuser or _covers_all(scope.region_prefixes, client._region_codes):
            out.append(client)
    return out


def regions_for(user) -> QuerySet[Region]:
    """Regions a hall administrator may register clients for."""
    scope = scope_of(user)
    if scope.is_superuser:
        return Region.objects.all()
    prefixes = admin_prefixes(scope)
    if not prefixes:
        return Region.objects.none()
    rows = Region.objects.none()
    for prefix in prefixes:
        rows = rows | Region.objects.filter(code__startswith=prefix)
    return rows


# --- registering ----------------------------------------------------------------------------


def _clean(
    name: str,
    code: str,
    kind: str,
    region_codes,
    department_codes,
    own_item_codes,
    rate_per_minute,
    by,
) -> tuple[str, str, list[Region], list[Department], list[str], int]:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["请填写系统名称。"]
    elif len(name) > 150:
        errors["name"] = ["系统名称不能超过150个字符。"]
    code = (code or "").strip().lower()
    if not CODE_RE.match(code):
        errors["code"] = ["客户端代码须为2至60位小写字母、数字或连字符，以字母或数字开头。"]
    elif code == "local" or ExchangeClient.objects.filter(code=code).exists():
        errors["code"] = [f"客户端代码“{code}”已被使用。"]
    if kind not in ExchangeClient.Kind.values:
        errors["kind"] = ["请选择系统类型：网上办事分厅、垂直业务系统或部门自建业务系统。"]

    wanted = _codes(region_codes)
    regions = list(Region.objects.filter(code__in=wanted))
    missing = sorted(set(wanted) - {r.code for r in regions})
    if not wanted:
        errors["region_codes"] = ["请至少填写一个可报送的行政区划代码。"]
    elif missing:
        errors["region_codes"] = [f"行政区划代码不存在：{'、'.join(missing)}。"]
    elif by is not None and not scope_of(by).is_superuser:
        prefixes = admin_prefixes(scope_of(by))
        outside = [r.code for r in regions if not r.code.startswith(prefixes or ("-",))]
        if outside:
            errors["region_codes"] = [
                f"只能为您管理的区划登记客户端，以下区划不在范围内：{'、'.join(outside)}。"
            ]

    wanted_departments = _codes(department_codes)
    departments = list(
        Department.objects.filter(credit_code__in=wanted_departments).select_related("region")
    )
    missing = sorted(set(wanted_departments) - {d.credit_code for d in departments})
    if missing:
        errors["department_codes"] = [f"部门库中没有这些统一社会信用代码：{'、'.join(missing)}。"]
    elif departments and regions:
        prefixes = tuple(r.code[: PREFIX_LENGTH[Level(r.level)]] for r in regions)
        outside = [d.name for d in departments if not d.region_id.startswith(prefixes)]
        if outside:
            errors["department_codes"] = [f"以下部门不在可报送区划内：{'、'.join(outside)}。"]

    items = _codes(own_item_codes)
    bad = [c for c in items if not ITEM_CODE_RE.match(c)]
    if bad:
        errors["own_item_codes"] = [f"实施编码格式不正确：{'、'.join(bad[:5])}。"]
    try:
        rate = int(rate_per_minute)
    except (TypeError, ValueError):
        rate = 0
    if not 1 <= rate <= MAX_RATE:
        errors["rate_per_minute"] = [f"每分钟调用上限须为1至{MAX_RATE}的整数。"]
    if errors:
        raise ValidationError(errors)
    return name, code, regions, departments, items, rate


def register(
    name: str,
    code: str,
    kind: str,
    region_codes,
    department_codes=(),
    own_item_codes=(),
    rate_per_minute: int = 120,
    by=None,
    *,
    contact: str = "",
) -> tuple[ExchangeClient, str]:
    """Register a system; returns the client and its secret in clear (show it once).

    ``by``: the staff user registering it; a hall administrator only for regions in
    their own reach. ``None`` (a management command) is not checked.
    """
    name, code, regions, departments, items, rate = _clean(
        name, code, kind, region_codes, department_codes, own_item_codes, rate_per_minute, by
    )
    secret = generate_client_secret()
    with transaction.atomic(), _acting(by, "登记数据交换客户端"):
        application = Application.objects.create(
            name=f"数据交换：{name}"[:255],
            client_id=generate_client_id(),
            client_secret=secret,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
            redirect_uris="",
            post_logout_redirect_uris="",
            skip_authorization=True,
        )
        # The hall's scope policy: this client may ask for the exchange scope only.
        ClientProfile.objects.create(
            application=application, allowed_scopes=SCOPE, contact=contact[:100]
        )
        client = ExchangeClient.objects.create(
            code=code,
            name=name,
            kind=kind,
            application=application,
            own_item_codes=items,
            rate_per_minute=rate,
            contact=contact[:150],
            created_by=by if getattr(by, "pk", None) else None,
        )
        client.regions.set(regions)
        client.departments.set(departments)
        audit.record(
            AuditEntry.Action.CREATE,
            instance=client,
            after={
                "code": code,
                "name": name,
                "kind": kind,
                "client_id": application.client_id,
                "regions": [r.code for r in regions],
                "departments": [d.credit_code for d in departments],
                "own_item_codes": items,
                "rate_per_minute": rate,
            },
        )
    return client, secret


def rotate_secret(client: ExchangeClient, by=None) -> str:
    """A new secret (shown once); the old one stops working at once, and so do the tokens
    issued with it."""
    secret = generate_client_secret()
    with transaction.atomic(), _acting(by, "更换数据交换客户端密钥"):
        application = Application.objects.select_for_update().get(pk=client.application_id)
        application.client_secret = secret
        application.save(update_fields=["client_secret"])
        revoked = _revoke_tokens(application)
        audit.record(
            AuditEntry.Action.OTHER,
            instance=client,
            after={"client_id": application.client_id, "tokens_revoked": revoked},
            reason="更换数据交换客户端密钥",
        )
    return secret


def _revoke_tokens(application) -> int:
    from oauth2_provider.models import get_access_token_model

    tokens = get_access_token_model().objects.filter(application=application)
    count = tokens.count()
    tokens.delete()
    return count


def deactivate(client: ExchangeClient, by=None, reason: str = "") -> ExchangeClient:
    """Stop a client: its calls are refused (403) until it is activated again."""
    return _set_active(client, False, by, reason or "停用数据交换客户端")


def activate(client: ExchangeClient, by=None, reason: str = "") -> ExchangeClient:
    return _set_active(client, True, by, reason or "启用数据交换客户端")


def _set_active(client: ExchangeClient, active: bool, by, reason: str) -> ExchangeClient:
    with transaction.atomic(), _acting(by, reason):
        client = ExchangeClient.objects.select_for_update().get(pk=client.pk)
        if client.is_active == active:
            return client
        client.is_active = active
        client.save(update_fields=["is_active"])
        audit.record(
            AuditEntry.Action.UPDATE,
            instance=client,
            before={"is_active": not active},
            after={"is_active": active},
            reason=reason,
        )
    return client
