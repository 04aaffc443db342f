"""Operations endpoints and the hall administrators' operations page.

``/metrics`` (Prometheus text), ``/readyz`` (readiness: database, shared cache, the
scheduler's heartbeat; ``/healthz`` stays the liveness check it was) and
``/workbench/operations/`` (jobs, their runs, the figures and alerts).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from prometheus_client import CONTENT_TYPE_LATEST

from . import access, metrics, registry
from .models import JobRun
from .services import figures, scheduler

RUNS_PAGE = 50


@never_cache
@require_safe
def metrics_view(request):
    if not access.metrics_allowed(request):
        return HttpResponse(
            "metrics: a bearer token (GOVHALL_METRICS_TOKEN) or an allowed address is required\n",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    return HttpResponse(metrics.render(), content_type=CONTENT_TYPE_LATEST)


@never_cache
@require_safe
def readyz(request):
    """Ready to take traffic: the database answers, the shared cache (when configured)
    answers, and a scheduler has beaten recently. 503 names the failing part."""
    body, ok = {"status": "ok"}, True
    database = figures.database()
    body["database"] = "ok" if database.up else "error"
    ok &= database.up
    cache = figures.cache_status()
    body["cache"] = {None: "local", 1: "ok", 0: "error"}[cache]
    ok &= cache != 0
    stale = settings.GOVHALL_SCHEDULER_STALE_SECONDS
    if stale:
        age = scheduler.heartbeat_age() if database.up else None
        if age is None:
            body["scheduler"] = "error: no scheduler running"
            ok = False
        elif age > stale:
            body["scheduler"] = f"error: last heartbeat {int(age)} s ago"
            ok = False
        else:
            body["scheduler"] = "ok"
    if not ok:
        body["status"] = "error"
    return JsonResponse(body, status=200 if ok else 503)


_gate = access.operators_only(gettext_lazy("只有大厅管理员可以查看运行维护页面。"))


@never_cache
@_gate
def overview(request):
    snap = figures.snapshot()
    runs = JobRun.objects.order_by("-started_at", "-pk")
    job = request.GET.get("job", "")
    if job in registry.jobs():
        runs = runs.filter(job=job)
    else:
        job = ""
    failed_only = request.GET.get("failed") == "1"
    if failed_only:
        runs = runs.exclude(outcome="ok")
    page = Paginator(runs, RUNS_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "operations/overview.html",
        {
            "snap": snap,
            "alerts": figures.alerts(snap),
            "page": page,
            "job": job,
            "failed_only": failed_only,
            "job_names": list(registry.jobs()),
            "redis": bool(settings.REDIS_URL),
            "nav": "operations",
        },
    )


@require_POST
@_gate
def run_now(request, name: str):
    if registry.get(name) is None:
        raise Http404
    if scheduler.request_run(name, request.user):
        messages.success(
            request, _("已安排立即运行“%(name)s”，调度进程将在几秒内执行。") % {"name": name}
        )
    else:
        messages.warning(request, _("“%(name)s”正在运行，结束后再试。") % {"name": name})
    return redirect("operations:overview")
