"""The periodic probe (定期检测): is each registered mobile entry reachable, and does each
phone-enabled item's application form render and validate?

Every entry is requested over HTTP at the hall's public address
(``GOVHALL_PROBE_BASE_URL``, else ``GOVHALL_PUBLIC_URL``) — what a phone reaches, not
what a view function returns in-process — without following redirects, so a page
behind sign-in is "reachable" when it answers with its expected redirect. For an item's
form entry the probe also fetches the item's published guide (``guide.json``), builds the
application form the apply page builds from it, and checks that every question renders
and that an empty submission is refused on each required question (the form validates).

Each result is kept (availability and response time by day, ``daily``); an entry that
fails twice in a row opens an ``EntryAlert`` (logged at ERROR and shown on the operations
page), closed by its next success.
"""

from __future__ import annotations

import datetime
import logging
import time
from dataclasses import dataclass
from urllib.parse import urljoin

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import Avg, Count, Max, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from govhall.cases.forms import ANSWER_PREFIX, ApplicationForm
from govhall.catalog.services import forms as catalog_forms

from ..models import EntryAlert, EntryKind, MobileEntry, ProbeResult
from . import entries

logger = logging.getLogger("govhall.mobile.probe")

FAILURES_FOR_ALERT = 2
USER_AGENT = "govhall-entry-probe/1 (Mobile)"


@dataclass
class Outcome:
    ok: bool
    status_code: int | None
    elapsed_ms: int
    error: str = ""


def base_url() -> str:
    return (getattr(settings, "GOVHALL_PROBE_BASE_URL", "") or settings.GOVHALL_PUBLIC_URL).rstrip(
        "/"
    )


def timeout() -> float:
    return float(getattr(settings, "GOVHALL_PROBE_TIMEOUT", 10))


def address(entry: MobileEntry, base: str) -> str:
    return entry.path if entry.path.startswith(("http://", "https://")) else base + entry.path


def _get(session: requests.Session, url: str) -> requests.Response:
    return session.get(url, allow_redirects=False, timeout=timeout())


def form_problems(specs: list[dict]) -> list[str]:
    """Why the form an applicant would get from ``specs`` is broken ([] when it is fine):
    a question that does not render, or a required question an empty submission passes."""
    problems = []
    form = ApplicationForm({}, fields=specs, deliveries=[])
    html = form.as_div()
    for spec in specs:
        if f'name="{ANSWER_PREFIX}{spec["name"]}"' not in html:
            problems.append(f"表单项“{spec.get('label', spec['name'])}”未能显示")
    form.is_valid()
    _answers, refused = catalog_forms.clean_answers(specs, {}, partial=False)
    refused_fields = {p.field for p in refused}
    for spec in specs:
        name = f"{ANSWER_PREFIX}{spec['name']}"
        if spec.get("required") and not spec.get("show_if") and name not in refused_fields:
            problems.append(f"必填项“{spec.get('label', spec['name'])}”为空时未被拒绝")
    return problems


def check(entry: MobileEntry, session: requests.Session, base: str) -> Outcome:
    started = time.perf_counter()

    def done(ok, status, error=""):
        elapsed = int((time.perf_counter() - started) * 1000)
        return Outcome(ok, status, elapsed, error[:500])

    url = address(entry, base)
    try:
        response = _get(session, url)
    except requests.RequestException as exc:
        return done(False, None, f"无法访问：{type(exc).__name__}")
    status = response.status_code
    if status not in entry.statuses:
        return done(False, status, f"状态码{status}，期望{entry.expected_status}")
    if entry.kind != EntryKind.ITEM_FORM:
        return done(True, status)
    try:
        guide = _get(session, urljoin(url, "guide.json"))
        if guide.status_code != 200:
            return done(False, status, f"办事指南数据状态码{guide.status_code}")
        specs = guide.json().get("form_fields") or []
        apply = _get(session, urljoin(url, "apply/"))
        if apply.status_code not in (200, 302):
            return done(False, status, f"申请入口状态码{apply.status_code}")
    except (requests.RequestException, ValueError) as exc:
        return done(False, status, f"申请表单无法获取：{type(exc).__name__}")
    try:
        problems = form_problems(specs)
    except Exception as exc:  # a broken form definition is exactly what the probe reports
        return done(False, status, f"申请表单无法生成：{type(exc).__name__}")
    if problems:
        return done(False, status, "；".join(problems))
    return done(True, status)


@transaction.atomic
def record(entry: MobileEntry, outcome: Outcome, at: datetime.datetime) -> EntryAlert | None:
    """Keep the result; open an alert on the second failure in a row, close it on success."""
    ProbeResult.objects.create(
        entry=entry,
        checked_at=at,
        ok=outcome.ok,
        status_code=outcome.status_code,
        elapsed_ms=outcome.elapsed_ms,
        error=outcome.error,
    )
    open_alert = EntryAlert.objects.select_for_update().filter(entry=entry, closed_at=None).first()
    if outcome.ok:
        if open_alert is not None:
            open_alert.closed_at = at
            open_alert.save(update_fields=["closed_at"])
            logger.warning("mobile entry %s recovered", entry.code)
        return None
    recent = list(entry.results.order_by("-checked_at", "-pk")[:FAILURES_FOR_ALERT])
    failed_twice = len(recent) == FAILURES_FOR_ALERT and not any(r.ok for r in recent)
    if not failed_twice or open_alert is not None:
        return None
    alert = EntryAlert.objects.create(
        entry=entry,
        opened_at=at,
        message=f"移动端入口“{entry.name}”连续{FAILURES_FOR_ALERT}次检测失败：{outcome.error}"[
            :500
        ],
    )
    logger.error("mobile entry %s failed %d times in a row: %s", entry.code, 2, outcome.error)
    return alert


@dataclass
class RunSummary:
    checked: int = 0
    failed: int = 0
    alerts: int = 0
    seconds: float = 0.0


def run(base: str | None = None, codes=None) -> RunSummary:
    """Probe every active entry once (after registering new phone-enabled items), or only
    the entries with ``codes``."""
    started = time.perf_counter()
    entries.sync()
    base = (base or base_url()).rstrip("/")
    summary = RunSummary()
    rows = MobileEntry.objects.filter(is_active=True).order_by("kind", "code")
    if codes is not None:
        rows = rows.filter(code__in=codes)
    with requests.Session() as session:
        session.headers["User-Agent"] = USER_AGENT
        for entry in rows:
            outcome = check(entry, session, base)
            summary.checked += 1
            summary.failed += not outcome.ok
            summary.alerts += record(entry, outcome, timezone.now()) is not None
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


# --- reading ---------------------------------------------------------------------------


def daily(entry_ids=None, days: int = 14) -> dict[int, list[dict]]:
    """Per entry, per local day: probes, availability (%), mean and worst response time."""
    since = timezone.now() - datetime.timedelta(days=days)
    rows = ProbeResult.objects.filter(checked_at__gte=since)
    if entry_ids is not None:
        rows = rows.filter(entry_id__in=entry_ids)
    rows = (
        rows.annotate(day=TruncDate("checked_at", tzinfo=timezone.get_current_timezone()))
        .values("entry_id", "day")
        .annotate(
            probes=Count("pk"),
            ok=Count("pk", filter=Q(ok=True)),
            mean_ms=Avg("elapsed_ms"),
            max_ms=Max("elapsed_ms"),
        )
        .order_by("entry_id", "-day")
    )
    out: dict[int, list[dict]] = {}
    for row in rows:
        row["availability"] = round(100 * row["ok"] / row["probes"], 1)
        row["mean_ms"] = round(row["mean_ms"] or 0)
        out.setdefault(row["entry_id"], []).append(row)
    return out


def alerts() -> list[str]:
    """Open entry alerts, for the operations page's list of what needs a person."""
    return list(
        EntryAlert.objects.filter(closed_at=None)
        .order_by("opened_at")
        .values_list("message", flat=True)
    )
