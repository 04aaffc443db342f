"""The public portal shell: one home page per hall, navigation sections, elder mode."""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from govhall.regions.models import Hall

from . import services
from .context_processors import ELDER_COOKIE

ELDER_COOKIE_AGE = 365 * 24 * 3600


def _hall_not_found(request, code: str):
    """A 404 in Chinese with a way back, also when DEBUG shows Django's own pages."""
    message = _("没有区划代码为“%(code)s”的办事大厅。") % {"code": code[:20]}
    return render(request, "404.html", {"message": message}, status=404)


@require_GET
def home(request):
    """The main hall (主厅): the province's home page."""
    try:
        hall = services.main_hall()
    except Hall.DoesNotExist:
        return render(request, "portal/not_loaded.html", status=503)
    return _render_hall(request, hall)


@require_GET
def hall(request, code: str):
    """A branch hall, station or point: its own home page under /halls/<region code>/."""
    try:
        hall = services.hall_for(code)
    except Hall.DoesNotExist:
        return _hall_not_found(request, code)
    if hall.kind == Hall.Kind.MAIN:
        return HttpResponseRedirect(hall.get_absolute_url())
    return _render_hall(request, hall)


@require_GET
def hall_switch(request):
    """The "go to hall" form (works without JavaScript): ``?code=`` → that hall's page."""
    code = request.GET.get("code", "").strip()
    if not code:
        return HttpResponseRedirect(reverse("portal:home"))
    try:
        hall = services.hall_for(code)
    except Hall.DoesNotExist:
        return _hall_not_found(request, code)
    return HttpResponseRedirect(hall.get_absolute_url())


def _render_hall(request, hall):
    page = services.hall_page(hall)
    return render(
        request,
        "portal/hall.html",
        {
            "page": page,
            "hall": hall,
            "sections": services.SECTIONS,
            "nav_items": services.navigation(hall),
            "city_halls": services.city_halls(),
            "search_url": services.search_url(),
        },
    )


@require_GET
def section(request, code: str, slug: str):
    """A navigation section of a hall; later subsystems replace these with real pages."""
    try:
        hall = services.hall_for(code)
    except Hall.DoesNotExist:
        return _hall_not_found(request, code)
    current = services.section(slug)
    if current is None:
        message = _("“%(hall)s”没有这个栏目。") % {"hall": hall.name}
        return render(request, "404.html", {"message": message, "hall": hall}, status=404)
    page = services.hall_page(hall)
    return render(
        request,
        "portal/section.html",
        {
            "hall": hall,
            "page": page,
            "section": current,
            "nav_items": services.navigation(hall, current=slug),
        },
    )


@require_POST
def toggle_elder_mode(request):
    """Switch elder mode (长者模式) on or off; works without JavaScript.

    ``next`` must be a path on this site: anything else (another host, a scheme-relative
    ``//host``) sends the user to the home page instead, so the form is no open redirect.
    """
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    turning_on = request.COOKIES.get(ELDER_COOKIE) != "1"
    response.set_cookie(
        ELDER_COOKIE,
        "1" if turning_on else "0",
        max_age=ELDER_COOKIE_AGE,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=True,
    )
    return response


def not_found(request, exception=None):
    """``handler404`` outside /api/ (and with DEBUG on, see ``core.middleware``)."""
    if request.path.startswith("/api/"):
        from govhall.core.api.errors import json_404

        return json_404(request, exception)
    return render(request, "404.html", status=404)


def csrf_failure(request, reason: str = ""):
    """``CSRF_FAILURE_VIEW``: a form refused because its token is missing or stale (a page
    left open past the session, cookies off) — in Chinese, with what to do about it."""
    if request.path_info.startswith("/api/"):
        from govhall.core.api.errors import json_403

        return json_403(request)
    if getattr(settings, "GOVHALL_DEBUG_ERROR_PAGES", False):
        from django.views.csrf import csrf_failure as django_csrf_failure

        return django_csrf_failure(request, reason)
    message = _(
        "页面已过期或无法确认请求来自本站，请返回上一页、刷新后重新提交（需允许浏览器使用Cookie）。"
    )
    return render(request, "403.html", {"message": message}, status=403)


def permission_denied(request, exception=None):
    """``handler403``: the same family of pages, saying why when the refusal did."""
    message = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"message": message}, status=403)


def server_error(request):
    """``handler500``: rendered without the request's context processors, which may be
    what failed (the database, the session)."""
    from django.http import HttpResponseServerError
    from django.template import loader

    page = loader.get_template("500.html").render({"govhall_site_name": settings.GOVHALL_SITE_NAME})
    return HttpResponseServerError(page)
