"""The applicant's own things: the site inbox (消息) and the materials locker (材料库)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from govhall.core import files

from ..forms import UploadForm, apply_errors
from ..models import Notification
from ..services import applications, notifications
from .common import applicant_login

PAGE_SIZE = 20


@applicant_login
@require_GET
def message_list(request):
    rows = Notification.objects.filter(user=request.user).order_by(
        F("read_at").asc(nulls_first=True), "-created_at", "-pk"
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    unread = Notification.objects.filter(user=request.user, read_at__isnull=True).count()
    return render(request, "cases/portal/messages.html", {"page": page, "unread": unread})


@applicant_login
@require_POST
def message_read(request):
    """Mark one message (``pk``) or all as read; with ``open``, then go to the message's page."""
    pk = request.POST.get("pk", "")
    if not pk:
        notifications.mark_read(request.user)
        messages.success(request, _("已将全部消息标为已读。"))
        return redirect("cases:messages")
    note = Notification.objects.filter(user=request.user, pk=pk if pk.isdigit() else 0).first()
    if note is None:
        raise Http404(_("没有找到这条消息。"))
    notifications.mark_read(request.user, note.pk)
    if request.POST.get("open") and url_has_allowed_host_and_scheme(note.link, allowed_hosts=None):
        return redirect(note.link)
    return redirect("cases:messages")


@applicant_login
@require_http_methods(["GET", "POST"])
def locker(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            stored = applications.store_file(
                request.user,
                form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                company=request.identity.company,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已存入材料库：%(title)s") % {"title": stored.title})
            return redirect("cases:locker")
    files = applications.locker_of(request.identity)
    page = Paginator(files, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/portal/locker.html",
        {"form": form, "page": page},
        status=400 if form.errors else 200,
    )


@applicant_login
@require_GET
def locker_file(request, public_id):
    """A file of one's own locker (anyone else's is not found)."""
    stored = applications.locker_of(request.identity).filter(public_id=public_id).first()
    if stored is None:
        raise Http404(_("没有找到这个文件。"))
    return files.serve(
        request, stored.content, filename=stored.name, content_type=stored.content_type
    )
