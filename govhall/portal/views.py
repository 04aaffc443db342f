from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from govhall.regions.models import Hall

from . import services
from .context_processors import ELDER_COOKIE


def home(request):
    """The main hall (主厅): the province's home page."""
    try:
        hall = services.main_hall()
    except Hall.DoesNotExist:
        return render(request, "portal/not_loaded.html", status=503)
    return _render_hall(request, hall)


def hall(request, code: str):
    """A branch hall, station or point: its own home page under /halls/<region code>/."""
    try:
        hall = services.hall_for(code)
    except Hall.DoesNotExist:
        raise Http404("没有这个办事大厅") from None
    if hall.kind == Hall.Kind.MAIN:
        return HttpResponseRedirect(hall.get_absolute_url())
    return _render_hall(request, hall)


def _render_hall(request, hall):
    page = services.hall_page(hall)
    return render(
        request,
        "portal/hall.html",
        {
            "page": page,
            "hall": hall,
            "sections": services.SECTIONS,
        },
    )


def section(request, code: str, slug: str):
    """A navigation section of a hall; later subsystems replace these with real pages."""
    try:
        hall = services.hall_for(code)
    except Hall.DoesNotExist:
        raise Http404("没有这个办事大厅") from None
    match = next((s for s in services.SECTIONS if s[0] == slug), None)
    if match is None:
        raise Http404("没有这个栏目")
    page = services.hall_page(hall)
    return render(
        request,
        "portal/section.html",
        {"hall": hall, "page": page, "section": match, "sections": services.SECTIONS},
    )


@require_POST
def toggle_elder_mode(request):
    """Switch elder mode (长者模式) on or off; works without JavaScript."""
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    turning_on = request.COOKIES.get(ELDER_COOKIE) != "1"
    response.set_cookie(
        ELDER_COOKIE, "1" if turning_on else "0", max_age=365 * 24 * 3600, samesite="Lax"
    )
    return response


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        from govhall.core.api.errors import json_404

        return json_404(request, exception)
    return render(request, "portal/404.html", status=404)


def server_error(request):
    return render(request, "portal/500.html", status=500)
