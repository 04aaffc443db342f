"""My account: identity and level, acting identity, companies, sign-in history, my data."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from govhall.core import sessions
from govhall.core.api.errors import NON_FIELD, error, json_error

from ..forms import PasswordConfirmForm, apply_errors
from ..models import AgentGrant, LoginEvent, Person, RealNameLevel, RealNameVerification
from ..services import acting, companies, export, realname, totp
from .common import safe_next

LEVEL_HELP = {
    RealNameLevel.SELF_REGISTERED: _("已通过手机号码验证注册。可办理对实名等级无要求的事项。"),
    RealNameLevel.ONLINE_VERIFIED: _("姓名与身份证号码已通过可信数据源在线核验。"),
    RealNameLevel.IN_PERSON: _("已由政务服务窗口工作人员当面查验身份证件。"),
}


@login_required(login_url="accounts:login")
def home(request):
    user = request.user
    person = Person.objects.filter(user=user).first()
    identity = request.identity
    context = {
        "person": person,
        "identity": identity,
        "levels": [(level, level.label, LEVEL_HELP[level]) for level in RealNameLevel],
        "options": companies.acting_options(person),
        "represented": person.companies_represented.filter(is_active=True) if person else [],
        "grants": (
            AgentGrant.objects.filter(agent=person).select_related("company")[:20] if person else []
        ),
        "verifications": (
            RealNameVerification.objects.filter(person=person).select_related("department")[:10]
            if person
            else []
        ),
        "logins": LoginEvent.objects.filter(user=user).select_related("hall")[:10],
        "is_staff_member": totp.is_staff_member(user),
        "has_totp": totp.confirmed_device(user) is not None,
        "today": timezone.localdate(),
    }
    return render(request, "accounts/home.html", context)


@login_required(login_url="accounts:login")
@require_http_methods(["GET", "POST"])
def verify_online(request):
    person = Person.objects.filter(user=request.user).first()
    if person is None:
        messages.error(request, _("工作人员账号无需实名核验。"))
        return redirect("accounts:home")
    if request.method == "POST":
        try:
            record = realname.verify_online(person)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if record.result == RealNameVerification.Result.PASSED:
                messages.success(request, _("在线实名核验通过，账号已升级为“二级：在线核验”。"))
            else:
                messages.error(request, _("在线实名核验未通过：%(note)s") % {"note": record.note})
        return redirect("accounts:home")
    return render(request, "accounts/verify_online.html", {"person": person})


@login_required(login_url="accounts:login")
@require_http_methods(["GET", "POST"])
def switch_acting(request):
    person = Person.objects.filter(user=request.user).first()
    error = ""
    if request.method == "POST":
        choice = request.POST.get("company", "")
        try:
            company_id = None if choice in ("", "self") else int(choice)
        except ValueError:
            company_id = -1
        try:
            identity = acting.switch(request, company_id)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            if identity.company is None:
                messages.success(request, _("已切换为本人身份办事。"))
            else:
                messages.success(
                    request, _("已切换为代“%(name)s”办事。") % {"name": identity.company.name}
                )
            return redirect(safe_next(request, "accounts:home"))
    return render(
        request,
        "accounts/acting.html",
        {
            "person": person,
            "options": companies.acting_options(person),
            "identity": acting.identity_of(request),
            "error": error,
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
        status=400 if error else 200,
    )


@login_required(login_url="accounts:login")
@require_http_methods(["GET", "POST"])
def my_data(request):
    """Download what the hall holds about me, after re-entering the password."""
    form = PasswordConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not request.user.check_password(form.cleaned_data["password"]):
            apply_errors(
                form,
                ValidationError({"password": ValidationError(_("密码不正确。"), code="mismatch")}),
            )
        else:
            data = export.personal_data(request.user)
            body = json.dumps(data, cls=export.ENCODER, ensure_ascii=False, indent=2)
            response = HttpResponse(body, content_type="application/json; charset=utf-8")
            stamp = timezone.localtime().strftime("%Y%m%d")
            response["Content-Disposition"] = f'attachment; filename="govhall-my-data-{stamp}.json"'
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "accounts/my_data.html", {"form": form})


@require_POST
def keepalive(request):
    """The session-expiry warning's “继续” button: any request renews the session."""
    if not request.user.is_authenticated:
        expired = error(NON_FIELD, "not_authenticated", _("会话已过期，请重新登录。"))
        return json_error([expired], 401)
    sessions.renew(request.session)
    return JsonResponse({"expires_in": settings.SESSION_COOKIE_AGE})


@login_required(login_url="accounts:login")
def level_required(request):
    """Explains that the service needs a higher real-name level, and how to get it."""
    try:
        level = RealNameLevel(int(request.GET.get("level", "2")))
    except ValueError:
        level = RealNameLevel.ONLINE_VERIFIED
    person = Person.objects.filter(user=request.user).first()
    return render(
        request,
        "accounts/level_required.html",
        {
            "required": level,
            "person": person,
            "next": safe_next(request, "accounts:home"),
            "met": realname.meets(person, level),
        },
        status=403,
    )
