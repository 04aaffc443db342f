"""移动端入口监测 for hall administrators: every registered entry with its state and
availability by day, registering a channel's own entry, and running the probe now."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from govhall.operations import access

from .models import EntryAlert, EntryKind, MobileEntry, ProbeResult
from .services import probe


class EntryForm(forms.ModelForm):
    class Meta:
        model = MobileEntry
        fields = ["code", "name", "kind", "path", "expected_status", "channel"]

    def clean_path(self):
        value = self.cleaned_data["path"].strip()
        if not value.startswith(("/", "https://", "http://")):
            raise forms.ValidationError(_("“地址”须以 / 或 https:// 开头。"))
        return value

    def clean_expected_status(self):
        value = self.cleaned_data["expected_status"].replace("，", ",")
        try:
            codes = [int(s) for s in value.split(",") if s.strip()]
        except ValueError:
            codes = []
        if not codes or not all(100 <= c <= 599 for c in codes):
            raise forms.ValidationError(_("“期望状态码”须为逗号分隔的HTTP状态码，例如 200,302。"))
        return ",".join(str(c) for c in codes)


EntryForm.base_fields["kind"].choices = [
    (k, v) for k, v in EntryKind.choices if k != EntryKind.ITEM_FORM
]
EntryForm.base_fields["channel"].help_text = gettext_lazy("例如：支付宝城市服务、某银行App。")


_gate = access.operators_only(gettext_lazy("只有大厅管理员可以查看移动端入口监测。"))


def _rows():
    entries = list(MobileEntry.objects.select_related("item").order_by("kind", "code"))
    days = probe.daily([e.pk for e in entries], days=7)
    last = {}
    for result in ProbeResult.objects.filter(entry__in=entries).order_by("entry_id", "-checked_at"):
        last.setdefault(result.entry_id, result)
    open_alerts = set(EntryAlert.objects.filter(closed_at=None).values_list("entry_id", flat=True))
    rows = []
    for entry in entries:
        series = days.get(entry.pk, [])
        probes = sum(d["probes"] for d in series)
        ok = sum(d["ok"] for d in series)
        rows.append(
            {
                "entry": entry,
                "last": last.get(entry.pk),
                "alert": entry.pk in open_alerts,
                "availability": round(100 * ok / probes, 1) if probes else None,
                "mean_ms": round(sum(d["mean_ms"] * d["probes"] for d in series) / probes)
                if probes
                else None,
            }
        )
    return rows


@never_cache
@_gate
def overview(request):
    form = EntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        entry = form.save()
        messages.success(
            request, _("已登记入口“%(name)s”，下次检测起纳入。") % {"name": entry.name}
        )
        return redirect("mobile:entries")
    return render(
        request,
        "mobile/entries.html",
        {
            "rows": _rows(),
            "alerts": EntryAlert.objects.filter(closed_at=None).select_related("entry"),
            "form": form,
            "nav": "operations",
        },
        status=400 if form.errors else 200,
    )


@never_cache
@_gate
def entry_detail(request, code: str):
    entry = MobileEntry.objects.filter(code=code).first()
    if entry is None:
        raise Http404
    return render(
        request,
        "mobile/entry.html",
        {
            "entry": entry,
            "days": probe.daily([entry.pk], days=30).get(entry.pk, []),
            "results": entry.results.order_by("-checked_at", "-pk")[:50],
            "alerts": entry.alerts.order_by("-opened_at")[:20],
            "nav": "operations",
        },
    )


@require_POST
@_gate
def run_now(request):
    summary = probe.run()
    messages.success(
        request,
        _("已检测%(n)d个入口，%(f)d个失败，新告警%(a)d条，用时%(s)s秒。")
        % {"n": summary.checked, "f": summary.failed, "a": summary.alerts, "s": summary.seconds},
    )
    return redirect("mobile:entries")


urlpatterns = [
    path("workbench/mobile/entries/", overview, name="entries"),
    path("workbench/mobile/entries/run/", run_now, name="run"),
    path("workbench/mobile/entries/<slug:code>/", entry_detail, name="entry"),
]
