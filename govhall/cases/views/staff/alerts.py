"""The workbench's new-task badge (新待办提醒): a small JSON answer polled by
``workbench/tasks.js``; it delivers the user's new-task site messages first."""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from govhall.core.sessions import leaves_session_alone
from govhall.workbench.gate import staff_only

from ...services import task_alerts


@leaves_session_alone
@never_cache
@staff_only
def task_badge(request):
    return JsonResponse(task_alerts.poll(request.user).as_json())
