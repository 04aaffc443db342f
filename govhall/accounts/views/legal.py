"""The 用户服务协议 and 个人信息保护说明 pages (public), and asking again at sign-in."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ..models import LegalDocument
from ..services import legal
from .common import safe_next


def document(request, kind: str, version: int | None = None):
    """The version in force (or an earlier one, by number), for anyone to read."""
    if kind not in legal.KINDS:
        raise Http404
    if version is None:
        shown = legal.current().get(kind)
    else:
        shown = LegalDocument.objects.filter(
            kind=kind, version=version, published_at__isnull=False
        ).first()
    if shown is None:
        raise Http404
    versions = LegalDocument.objects.filter(kind=kind, published_at__isnull=False).order_by(
        "-version"
    )
    in_force = legal.current().get(kind)
    return render(
        request,
        "accounts/legal_document.html",
        {
            "document": shown,
            "versions": versions,
            "is_current": in_force is not None and in_force.pk == shown.pk,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def accept(request):
    """A newer version was published since this person last agreed: show it, ask again."""
    pending = legal.outstanding(request.user)
    next_url = safe_next(request, "accounts:home")
    if not pending:
        return redirect(next_url)
    error = ""
    if request.method == "POST":
        if request.POST.get("agree") == "on":
            legal.accept(request.user, [d.pk for d in pending], how="sign_in")
            return redirect(next_url)
        error = "请阅读并同意更新后的用户服务协议和个人信息保护说明，或退出登录。"
    return render(
        request,
        "accounts/legal_accept.html",
        {"pending": pending, "next": next_url, "error": error},
        status=400 if error else 200,
    )
