"""我的证照: the acting identity's licences, one licence (亮证, PDF, uses, share links),
every use of them, and the public one-time view behind a share link.

A licence of anyone else (or of another company) is "not found" (404), never
"forbidden", so a guessed number says nothing about whether it exists.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from govhall.accounts.models import Power
from govhall.cases.views.common import applicant_login
from govhall.core.sessions import leaves_session_alone

from ..models import Licence, LicenceState, LicenceUse
from ..services import bundle, live, pdf, sharing, uses, verification

PAGE_SIZE = 20
RECENT_USES = 20

HOUR_CHOICES = [
    (1, gettext_lazy("1小时")),
    (24, gettext_lazy("24小时")),
    (72, gettext_lazy("3天")),
    (168, gettext_lazy("7天")),
]


class ShareForm(forms.Form):
    hours = forms.TypedChoiceField(
        label=gettext_lazy("链接有效时长"),
        choices=HOUR_CHOICES,
        coerce=int,
        initial=24,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("请选择“链接有效时长”。"),
            "invalid_choice": gettext_lazy("“链接有效时长”须为1小时、24小时、3天或7天。"),
        },
    )
    purpose = forms.CharField(
        label=gettext_lazy("用途"),
        required=False,
        max_length=sharing.PURPOSE_MAX,
        help_text=gettext_lazy("例如：向房东出示。对方查看后会记入“谁用了我的证照”。"),
        error_messages={"max_length": gettext_lazy("“用途”不能超过200个字。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].optional = True


def licence_or_404(request, pk: int) -> Licence:
    licence = sharing.licences_of(request.identity).filter(pk=pk).first()
    if licence is None:
        raise Http404(_("没有找到这个证照。"))
    return licence


def who_used(use: LicenceUse) -> str:
    """Who read it, as the holder may see it: the staff member's display name, or a role."""
    if use.kind == LicenceUse.Kind.DOWNLOAD:
        return _("本人")
    if use.kind == LicenceUse.Kind.CONSENT:
        return _("本人授权")
    if use.kind == LicenceUse.Kind.SHARE:
        return _("分享链接接收人")
    if use.user is not None and use.user.display_name:
        return use.user.display_name
    return _("工作人员")


def use_rows(rows) -> list[dict]:
    return [{"use": use, "who": who_used(use)} for use in rows]


# --- pages -----------------------------------------------------------------------------


@applicant_login
@require_GET
def licence_list(request):
    rows = sharing.licences_of(request.identity).order_by("-created_at", "-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    can_receive = request.identity.can(Power.RECEIVE_LICENCES)
    return render(request, "licences/holder/list.html", {"page": page, "can_receive": can_receive})


def _detail_context(request, licence: Licence) -> dict:
    version = licence.current
    status = verification.status_of(version)
    now = timezone.now()
    return {
        "licence": licence,
        "version": version,
        "status": status,
        "status_label": verification.STATUS_LABELS[status],
        "fields": pdf.labelled_data(version),
        "live": live_code(version) if status == "valid" else None,
        "versions": licence.versions.order_by("-version"),
        "uses": use_rows(
            uses.uses_of_holder(request.identity).filter(licence=licence)[:RECENT_USES]
        ),
        "shares": [
            {"share": s, "open": sharing.is_open(s, now)}
            for s in licence.shares.order_by("-created_at")[:20]
        ],
        "can_share": licence.state == LicenceState.VALID,
    }


@applicant_login
@require_http_methods(["GET", "POST"])
def licence_detail(request, pk: int):
    licence = licence_or_404(request, pk)
    form, new_share = ShareForm(), None
    if request.method == "POST":
        form = ShareForm(request.POST)
        if form.is_valid():
            try:
                new_share = sharing.create_share(
                    licence,
                    request.user,
                    hours=form.cleaned_data["hours"],
                    purpose=form.cleaned_data["purpose"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
        if new_share is not None:
            form = ShareForm()
    response = render(
        request,
        "licences/holder/detail.html",
        {**_detail_context(request, licence), "form": form, "new_share": new_share},
        status=400 if form.errors else 200,
    )
    if new_share is not None:
        response["Cache-Control"] = "no-store"  # the link is shown this once
    return response


@applicant_login
@require_POST
def share_revoke(request, pk: int, share_pk: int):
    licence = licence_or_404(request, pk)
    share = licence.shares.filter(pk=share_pk).first()
    if share is None:
        raise Http404(_("没有找到这个分享链接。"))
    try:
        sharing.revoke_share(share, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("分享链接已撤销，对方将无法再打开。"))
    return redirect(f"{licence_url(licence)}#shares")


def live_code(version, request=None) -> dict:
    """A fresh live 亮证 code: its QR (inline SVG), the payload and its window."""
    code = live.live_payload(version)
    text = verification.verify_url(code["payload"], request)
    return {
        **code,
        "svg": pdf.svg_of(text, _("亮证二维码")),
        "text": text,
    }


@leaves_session_alone
@never_cache
@applicant_login
@require_GET
def licence_live_code(request, pk: int):
    """The live code the 亮证 panel renews every ``REFRESH_SECONDS`` (live-code.js)."""
    licence = licence_or_404(request, pk)
    version = licence.current
    if verification.status_of(version) != verification.Status.VALID:
        return JsonResponse({"detail": _("该证照当前不能亮证。")}, status=409)
    code = live_code(version, request)
    return JsonResponse(
        {
            "payload": code["payload"],
            "text": code["text"],
            "svg": str(code["svg"]),
            "signed_at": code["signed_at"].isoformat(),
            "expires_at": code["expires_at"].isoformat(),
            "refresh_seconds": code["refresh_seconds"],
        }
    )


def licence_url(licence: Licence) -> str:
    return reverse("licences:my-licence", args=[licence.pk])


def pdf_filename(licence: Licence) -> str:
    return f"{licence.type.name}-{licence.number}.pdf"


def pdf_response(licence: Licence) -> HttpResponse:
    """The current version's signed PDF as an attachment, its download logged."""
    data = pdf.ensure_pdf(licence.current)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, pdf_filename(licence))
    return response


@applicant_login
@require_GET
def licence_pdf(request, pk: int):
    licence = licence_or_404(request, pk)
    response = pdf_response(licence)
    uses.record_use(licence, LicenceUse.Kind.DOWNLOAD, user=request.user, purpose=_("下载版式文件"))
    return response


def bundle_response(licence, reveal: bool, user, purpose: str) -> HttpResponse:
    """The current version's bundle as an attachment; the download is a logged use."""
    data = bundle.build(licence.current, reveal_holder=reveal)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(
        True, bundle.filename(licence.current)
    )
    response["Cache-Control"] = "no-store"
    uses.record_use(
        licence,
        LicenceUse.Kind.DOWNLOAD,
        user=user,
        purpose=purpose + (_("，附持证人证明") if reveal else ""),
    )
    return response


@applicant_login
@require_GET
def licence_bundle(request, pk: int):
    """离线核验包; ``reveal=holder`` (a checkbox on the licence page) adds the holder proof."""
    licence = licence_or_404(request, pk)
    reveal = request.GET.get("reveal", "") == "holder"
    try:
        return bundle_response(licence, reveal, request.user, _("下载离线核验包"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{licence_url(licence)}#bundle")


@applicant_login
@require_GET
def licence_uses(request):
    rows = uses.uses_of_holder(request.identity).filter(
        licence__in=sharing.licences_of(request.identity)
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "licences/holder/uses.html",
        {"page": page, "rows": use_rows(page.object_list)},
    )


# --- the public one-time view -------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def shared(request, token: str):
    """GET only asks to open (a chat app's link preview must not use the link up);
    POST opens it, once."""
    context, status = {"token": token}, 200
    if request.method == "POST":
        try:
            licence = sharing.open_share(
                token,
                {"user": request.user, "user_agent": request.headers.get("User-Agent", "")},
            )
        except ValidationError as exc:
            context["refused"], status = " ".join(exc.messages), 410
        else:
            version = licence.current
            verdict = verification.status_of(version)
            context.update(
                licence=licence,
                version=version,
                fields=pdf.labelled_data(version),
                status=verdict,
                status_label=verification.STATUS_LABELS[verdict],
                verify_url=verification.qr_text(version, request),
            )
    response = render(request, "licences/holder/shared.html", context, status=status)
    # The token is in the address: never send it to another site. (Not "no-referrer":
    # browsers then send "Origin: null" with the form and the CSRF check refuses it.)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response
