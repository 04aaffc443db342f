"""Opening a push: recorded (打开时间), then on to what it recommends."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govhall.cases.views.common import applicant_login

from ..services import push


@applicant_login
@require_POST
def open_push(request, pk: int):
    opened = push.mark_opened(request.user, pk)
    if opened is None:
        raise Http404(_("没有找到这条推送。"))
    if opened.link and url_has_allowed_host_and_scheme(opened.link, allowed_hosts=None):
        return redirect(opened.link)
    return redirect("spaces:home")
