"""The public open-data page, the downloads and the DCAT catalogue."""

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .models import OpenDataset
from .services import catalogue
from .services.publishing import FORMATS


@require_safe
def open_data(request):
    entries = [catalogue.entry(r, request.build_absolute_uri) for r in catalogue.published()]
    return render(request, "sharing/open_data.html", {"datasets": entries})


@require_safe
def download(request, key: str, fmt: str):
    if fmt not in FORMATS:
        raise Http404
    record = OpenDataset.objects.filter(key=key).exclude(files={}).first()
    if record is None or fmt not in record.files:
        raise Http404
    name = record.files[fmt]["name"]
    if not default_storage.exists(name):
        raise Http404
    response = FileResponse(
        default_storage.open(name, "rb"),
        as_attachment=True,
        filename=f"{key}.{fmt}",
        content_type=FORMATS[fmt] + ("; charset=utf-8" if fmt in ("csv", "json") else ""),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def dcat(request):
    body = catalogue.dcat(catalogue.published(), request.build_absolute_uri)
    return JsonResponse(
        body,
        content_type="application/ld+json; charset=utf-8",
        json_dumps_params={"ensure_ascii": False},
    )
