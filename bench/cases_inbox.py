"""The department inbox: the workbench's first page against a naive join, same rows.

* workbench: what ``govhall/cases/views/staff/inbox.py`` does for a clerk — the user's
  posts (``scope_of``), ``access.inbox(user)`` ordered by the task's due date, the first
  page of 50 through Django's ``Paginator`` (an exact count plus the page) and the working
  days left for the page's due dates;
* naive baseline: the same open acceptance/handling tasks found from the case side —
  ``Case`` filtered on department and open state, joined to its open clerk task, ordered
  by the case's due date (an expression no index serves), the same count and page.
"""

from __future__ import annotations

import copy

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, F
from django.db.models.functions import Coalesce
from django.utils import timezone

from govhall.cases.models import OPEN_STATES, Case, CaseState, CaseStep, StepState
from govhall.cases.services import access
from govhall.core.services import calendar
from govhall.regions.models import Department, Post, StaffPost

PAGE_SIZE = 50  # govhall/cases/views/staff/inbox.py
PAUSED = (CaseState.SUSPENDED, CaseState.AWAITING_CORRECTION)


def biggest_department() -> tuple[Department, int]:
    """The department with the most open clerk tasks (the generator's skew puts it first)."""
    row = (
        CaseStep.objects.filter(state=StepState.OPEN, post=Post.CLERK)
        .values("department")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    return Department.objects.get(pk=row["department"]), row["n"]


def clerk_of(department: Department):
    user, _ = get_user_model().objects.get_or_create(
        username=f"bench-clerk-{department.pk}", defaults={"display_name": "基准测试窗口人员"}
    )
    StaffPost.objects.get_or_create(user=user, department=department, post=Post.CLERK)
    return user


def workbench_tasks(user):
    """The inbox query of the workbench page (all filters off), as that view builds it."""
    tasks = access.inbox(user).select_related("department")
    return tasks.order_by(F("due_date").asc(nulls_last=True), "pk")


def workbench_page(user) -> tuple[int, list]:
    fresh = copy.copy(user)  # a new request: the staff scope is read again
    fresh.__dict__.pop("_staff_scope", None)
    page = Paginator(workbench_tasks(fresh), PAGE_SIZE).get_page(1)
    steps = list(page.object_list)
    today = timezone.localdate()
    calendar.remaining_for_dates(today, (s.due_date for s in steps if s.case_state not in PAUSED))
    return page.paginator.count, [s.case_number for s in steps]


def naive_rows(department: Department):
    cases = Case.objects.filter(
        department=department,
        state__in=OPEN_STATES,
        steps__state=StepState.OPEN,
        steps__post=Post.CLERK,
    )
    return (
        cases.annotate(due=Coalesce("promised_due", "statutory_due", "acceptance_due"))
        .order_by("due", "pk")
        .values("number", "state", "item_name", "applicant_name", "steps__name", "due")
    )


def naive_page(department: Department) -> tuple[int, list]:
    page = Paginator(naive_rows(department), PAGE_SIZE).get_page(1)
    return page.paginator.count, [r["number"] for r in page.object_list]


def explain(user, department: Department) -> list[str]:
    """EXPLAIN ANALYZE of the row and count queries of both pages (PostgreSQL)."""
    queries = [
        ("workbench page", workbench_tasks(user)[:PAGE_SIZE], False),
        ("workbench count", workbench_tasks(user).order_by(), True),
        ("naive page", naive_rows(department)[:PAGE_SIZE], False),
        ("naive count", naive_rows(department).order_by(), True),
    ]
    lines = []
    with connection.cursor() as cursor:
        for label, queryset, counted in queries:
            sql, params = queryset.query.sql_with_params()
            if counted:
                sql = f"SELECT count(*) FROM ({sql}) counted"
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            lines.append(f"-- {label}")
            lines += [row[0] for row in cursor.fetchall()]
    return lines


def signed_in(user, **defaults):
    """A test client signed in as ``user`` and past the staff's second factor as a real
    sign-in leaves it: a confirmed authenticator, its id in the session (the OTP
    middleware reads it on every request; production requires it of staff)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="基准测试", confirmed=True)
    browser = Client(**defaults)
    browser.force_login(user)
    session = browser.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return browser


def sessions(user, count: int) -> list[str]:
    """``count`` signed-in sessions of ``user`` (session keys, see ``signed_in``): the
    server must share this process's SECRET_KEY to accept them."""
    return [signed_in(user).session.session_key for _ in range(count)]


def http_client(port: int, keys: list[str]):
    """Per thread: ``GET`` the workbench inbox page from a running server, each thread
    with its own session (the server writes it on every request)."""
    from django.conf import settings
    from django.urls import reverse

    from .cases_apply import _Connection

    path = reverse("workbench:cases-inbox")

    def client(index: int):
        headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={keys[index % len(keys)]}"}
        connection = _Connection(port)

        def get() -> int:
            connection.request("GET", path, None, headers, expect=200)
            return 1

        get.close = connection.close
        return get

    return client
