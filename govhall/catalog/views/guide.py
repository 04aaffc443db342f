"""Public guide pages: the service guide as a web page, a printable PDF and JSON."""

from __future__ import annotations

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render

from ..api.serializers import guide_payload
from ..models import Item
from ..services import guides


def _version(code: str, number: int | None):
    item = get_object_or_404(
        Item.objects.select_related("department", "region", "current"), implementation_code=code
    )
    version = guides.public_version(item, number)
    if version is None:
        raise Http404("该事项没有已发布的版本")
    return item, version


def guide(request, code: str, number: int | None = None):
    """办事指南: the current version, or an older published one at ``/items/<code>/v<n>/``."""
    item, version = _version(code, number)
    return render(
        request,
        "catalog/guide.html",
        {
            "guide": guides.guide(version),
            "item": item,
            "version": version,
            "is_current": version.pk == item.current_id,
        },
    )


def guide_pdf(request, code: str, number: int | None = None):
    item, version = _version(code, number)
    pdf = guides.render_pdf(version, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"{item.implementation_code}-v{version.number}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def guide_json(request, code: str, number: int | None = None):
    """JSON export of one item's guide (the same body as ``/api/v1/items/<code>/``)."""
    item, version = _version(code, number)
    response = JsonResponse(
        guide_payload(version), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{item.implementation_code}-v{version.number}.json"'
    )
    return response
