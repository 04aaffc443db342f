"""Public licence pages (no sign-in): verification, published keys, the licence-type catalogue.

Verification is a GET form, so a phone camera that opens a QR code's address
(``/licences/verify/?p=GHL1.…``) lands directly on the answer; it shares the API's
per-address throttle and records nothing about the person asking.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from govhall.regions.models import Level, Region

from ..api.public import VerifyThrottle
from ..models import LicenceType
from ..services import catalogue, publication
from ..services.verification import Status

PAGE_SIZE = 50
# How each answer is shown: a colour class, a symbol, and words (never colour alone).
STATUS_STYLE = {
    Status.VALID: ("ok", "✓", _("该证照真实有效。")),
    Status.SUPERSEDED: (
        "warn",
        "!",
        _("该证照已变更、加注或延续，您核验的是旧版本；请以现行版本为准。"),
    ),
    Status.EXPIRED: ("bad", "✕", _("该证照已超过有效期，不再有效。")),
    Status.REVOKED: ("bad", "✕", _("该证照已被签发部门注销，不再有效。")),
    Status.UNKNOWN: ("bad", "?", _("未能核实该证照，请勿采信。")),
}


class VerifyForm(forms.Form):
    q = forms.CharField(
        label=_("证照标识或二维码内容"),
        max_length=publication.MAX_INPUT,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            "输入证照上的证照标识（以 1.2.156.3005.2. 开头），或粘贴扫描二维码得到的内容或网址。"
        ),
        error_messages={
            "required": _("请填写“证照标识或二维码内容”。"),
            "max_length": _("“证照标识或二维码内容”不能超过%(limit_value)d个字符。"),
        },
    )


def verify(request):
    """The answer for ``?q=`` (the form), ``?p=`` (a scanned QR) or ``?id=`` (a link)."""
    text = next((request.GET[k] for k in ("q", "p", "id") if request.GET.get(k, "").strip()), "")
    form = VerifyForm({"q": text} if text else None)
    context = {"form": form, "answer": None}
    status = 200
    if text and form.is_valid():
        if not VerifyThrottle().allow_request(request, None):
            context["throttled"] = True
            status = 429
        else:
            try:
                answer = publication.verify_public(
                    form.cleaned_data["q"], field="q", channel="page"
                )
            except ValidationError as error:
                form.add_error("q", error.message_dict.get("q", error.messages))
            else:
                kind, symbol, meaning = STATUS_STYLE[answer["status"]]
                signed = (answer.get("signature") or {}).get("signed_at")
                qr_expires = (answer.get("qr") or {}).get("expires_at")
                context.update(
                    answer=answer,
                    kind=kind,
                    symbol=symbol,
                    meaning=meaning,
                    signed_at=timezone.localtime(parse_datetime(signed)) if signed else None,
                    qr_expires=timezone.localtime(parse_datetime(qr_expires))
                    if qr_expires
                    else None,
                    form=VerifyForm(),  # the form below the answer is for the next licence
                )
    if context["form"].is_bound and context["form"].errors:
        status = 400
    return render(request, "licences/public/verify.html", context, status=status)


def issuers(request):
    keys = publication.issuer_keys()
    keys.sort(key=lambda k: not k.is_root)
    return render(
        request,
        "licences/public/issuers.html",
        {
            "keys": [(key, publication.key_entry(key)) for key in keys],
            "algorithm": publication.ALGORITHM,
            "signer_id": publication.SIGNER_ID,
            "active_count": sum(1 for key in keys if key.retired_at is None),
        },
    )


def types(request):
    query = request.GET.get("q", "").strip()[:50]
    page = Paginator(catalogue.public_types(query), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "licences/public/types.html",
        {
            "page": page,
            "query": query,
            "page_query": urlencode({"q": query}) if query else "",
        },
    )


def licence_type(request, code: str):
    found = LicenceType.objects.filter(code=code.strip().upper(), is_active=True).first()
    if found is None:
        raise Http404
    cities = Region.objects.filter(level=Level.CITY).order_by("code")
    region = None
    region_code = request.GET.get("region", "").strip()
    if region_code:
        region = cities.filter(code=region_code).first()
    lists = catalogue.lists_of(found, region)
    return render(
        request,
        "licences/public/type.html",
        {
            "type": found,
            "fields": catalogue.clean_fields(found.fields or []),
            "field_types": catalogue.FIELD_TYPE_LABELS,
            "departments": found.issuing_departments.order_by("region__code", "name"),
            "lists": lists,
            "cities": cities,
            "region": region,
        },
    )
