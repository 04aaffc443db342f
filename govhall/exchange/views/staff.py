"""Staff pages of the exchange (/workbench/exchange/): the registered clients with their
data-quality feedback — the page per client where a sender's hall sees what went wrong —
and, for hall administrators, registering a client and replacing its secret.

Who sees what (``services.clients``): superusers everything; hall administrators and
supervisors the clients whose regions all lie in their reach; only hall administrators
(and superusers) register clients and manage them. A client out of reach is a 404.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from govhall.exchange.models import (
    DeliveryAlert,
    ExchangeCall,
    ExchangeClient,
    QualityCheck,
    QualityDay,
)
from govhall.exchange.services import clients, outbox, quality
from govhall.workbench.gate import forbidden, staff_gate

PAGE_SIZE = 50
RECENT_CALLS = 20


staff_only = staff_gate(lambda: _("只有在岗的工作人员可以查看数据交换客户端。"))


def _client(user, code: str) -> ExchangeClient:
    client = (
        ExchangeClient.objects.select_related("application", "created_by")
        .prefetch_related("regions", "departments")
        .filter(code=code)
        .first()
    )
    if client is None or not clients.can_view(user, client):
        raise Http404
    return client


def _secret_page(request, client: ExchangeClient, secret: str, *, new: bool):
    response = render(
        request,
        "exchange/staff/secret.html",
        {
            "client": client,
            "secret": secret,
            "new": new,
            "token_url": request.build_absolute_uri("/o/token/"),
            "push_url": request.build_absolute_uri("/api/v1/exchange/process-records"),
            "nav": "exchange",
        },
    )
    response["Cache-Control"] = "no-store"
    return response


# --- the list ---------------------------------------------------------------------------


@staff_only
def client_list(request):
    visible = clients.visible_clients(request.user)
    today = timezone.localdate()
    ids = [c.pk for c in visible]
    days = {d.client_id: d for d in QualityDay.objects.filter(client_id__in=ids, day=today)}
    last = ExchangeCall.objects.filter(client=OuterRef("pk")).order_by("-at", "-pk")
    calls = {
        row["pk"]: row
        for row in ExchangeClient.objects.filter(pk__in=ids)
        .annotate(
            last_at=Subquery(last.values("at")[:1]),
            last_status=Subquery(last.values("status_code")[:1]),
        )
        .values("pk", "last_at", "last_status")
    }
    rows = [
        {
            "client": c,
            "regions": c.regions.all(),
            "today": days.get(c.pk),
            "last_at": calls.get(c.pk, {}).get("last_at"),
            "last_status": calls.get(c.pk, {}).get("last_status"),
        }
        for c in visible
    ]
    return render(
        request,
        "exchange/staff/clients.html",
        {
            "rows": rows,
            "today": today,
            "can_register": clients.can_register(request.user),
            "outbox": outbox.outbox_status(recent=5)
            if clients.can_register(request.user)
            else None,
            "nav": "exchange",
        },
    )


@require_POST
@staff_only
def resolve_alert(request, pk: int):
    """Close an outbound-delivery alert (hall administrators and superusers)."""
    if not clients.can_register(request.user):
        return forbidden(request, _("只有大厅管理员可以处理报送告警。"))
    alert = DeliveryAlert.objects.filter(pk=pk).first()
    if alert is None:
        raise Http404
    outbox.resolve_alert(alert, note=request.POST.get("note", "")[:200])
    return redirect("exchange:clients")


# --- one client: the quality feedback page ----------------------------------------------

RECENT_REJECTED = 100


def _day(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@staff_only
def client_page(request, code: str):
    client = _client(request.user, code)
    rule = request.GET.get("rule", "")
    rule = rule if rule in QualityCheck.values else ""
    day = _day(request.GET.get("day", "").strip())
    issues = Paginator(quality.issues_of(client, day=day, rule=rule), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    kept = {k: v for k, v in {"rule": rule, "day": day.isoformat() if day else ""}.items() if v}
    days = quality.recent_days(client)
    rejected = quality.rejected_of(client, day=day)
    return render(
        request,
        "exchange/staff/client.html",
        {
            "client": client,
            "today": quality.day_of(client),
            "days": days,
            "issues": issues,
            "page": issues,
            "params": f"{urlencode(kept)}&" if kept else "",
            "rules": QualityCheck.choices,
            "rule": rule,
            "day": day,
            "rejected": list(rejected[:RECENT_REJECTED]),
            "rejected_count": rejected.count(),
            "calls": client.calls.order_by("-at", "-pk")[:RECENT_CALLS],
            "can_manage": clients.can_manage(request.user, client),
            "nav": "exchange",
        },
    )


@require_POST
@staff_only
@never_cache
def rotate_secret(request, code: str):
    client = _client(request.user, code)
    if not clients.can_manage(request.user, client):
        return forbidden(request, _("只有管理该区划的大厅管理员可以更换客户端密钥。"))
    secret = clients.rotate_secret(client, by=request.user)
    return _secret_page(request, client, secret, new=False)


@require_POST
@staff_only
def set_active(request, code: str):
    client = _client(request.user, code)
    if not clients.can_manage(request.user, client):
        return forbidden(request, _("只有管理该区划的大厅管理员可以停用或启用客户端。"))
    if request.POST.get("active") == "1":
        clients.activate(client, by=request.user)
    else:
        clients.deactivate(client, by=request.user)
    return redirect("exchange:client", code=client.code)


# --- registering -----------------------------------------------------------------------------


class RegisterForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("系统名称"), max_length=150)
    code = forms.CharField(
        label=gettext_lazy("客户端代码"),
        max_length=60,
        help_text=gettext_lazy(
            "小写字母、数字或连字符，如 pengjiang-hall；入库记录的来源即此代码。"
        ),
    )
    kind = forms.ChoiceField(label=gettext_lazy("系统类型"), choices=ExchangeClient.Kind.choices)
    region_codes = forms.CharField(
        label=gettext_lazy("可报送区划代码"),
        max_length=2000,
        help_text=gettext_lazy(
            "以空格或逗号分隔，如 440703；登记市、县级区划即包括其下辖全部区划。"
        ),
    )
    department_codes = forms.CharField(
        label=gettext_lazy("可报送部门（统一社会信用代码，可不填）"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("不填则可报送上述区划内全部部门的办件。"),
    )
    own_item_codes = forms.CharField(
        label=gettext_lazy("在本系统办理的事项实施编码（可不填）"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    rate_per_minute = forms.IntegerField(
        label=gettext_lazy("每分钟调用上限"), min_value=1, max_value=clients.MAX_RATE, initial=120
    )
    contact = forms.CharField(label=gettext_lazy("联系人及电话"), max_length=150, required=False)


@staff_only
@never_cache
def register(request):
    if not clients.can_register(request.user):
        return forbidden(request, _("只有大厅管理员可以登记数据交换客户端。"))
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            client, secret = clients.register(
                data["name"],
                data["code"],
                data["kind"],
                data["region_codes"],
                data["department_codes"],
                data["own_item_codes"],
                data["rate_per_minute"],
                by=request.user,
                contact=data["contact"],
            )
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                form.add_error(key if key in form.fields else None, messages)
        else:
            return _secret_page(request, client, secret, new=True)
    return render(
        request,
        "exchange/staff/register.html",
        {
            "form": form,
            "regions": clients.regions_for(request.user)
            .filter(level__in=("province", "city", "county"))
            .order_by("code")[:200],
            "nav": "exchange",
        },
    )
