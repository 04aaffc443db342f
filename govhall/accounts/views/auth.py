"""Sign-in, sign-out, registration with phone verification, password reset, second factor."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from govhall.operations.client import client_address

from .. import crypto
from ..backends import remote_addr_of
from ..forms import (
    CodeForm,
    LoginForm,
    RegistrationForm,
    ResetFinishForm,
    ResetStartForm,
    SmsLoginForm,
    TokenForm,
    apply_errors,
)
from ..models import LoginEvent, mask_mobile
from ..services import legal, registration, totp
from ..services import login as login_service
from ..services import password as password_service
from ..services import sms_login as sms_login_service
from .common import hall_context, safe_next

PENDING_KEY = "govhall_pending_registration"
PENDING_NEXT_KEY = "govhall_pending_registration_next"
RESET_KEY = "govhall_password_reset_user"


class LoginView(auth_views.LoginView):
    """The one sign-in page of every hall, channel and department system (via OIDC)."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_initial(self):
        return {"channel": self.request.GET.get("channel", "")}

    def get_default_redirect_url(self):
        user = self.request.user
        if user.is_authenticated and totp.is_staff_member(user):
            return reverse("workbench:home")
        return reverse("accounts:home")

    def form_valid(self, form):
        response = super().form_valid(form)
        step = totp.pending_step(self.request)
        if step is not None:
            name = "accounts:totp-verify" if step == totp.VERIFY else "accounts:totp-setup"
            return redirect(f"{reverse(name)}?{urlencode({'next': response.url})}")
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["hall"] = hall_context(self.request)
        context["expired"] = self.request.GET.get("expired") == "1"
        context["channel"] = self.request.GET.get("channel", "")
        return context


class LogoutView(auth_views.LogoutView):
    next_page = "portal:home"


@require_http_methods(["GET", "POST"])
def register(request):
    """Step 1 of 2: check the form, keep it encrypted in the session, send the code."""
    form = RegistrationForm(request.POST or None)
    in_force = legal.current()
    if request.method == "POST":
        form.is_valid()
        # The service checks what was typed even when some fields are missing, so that
        # every mistake is listed at once.
        try:
            pending = registration.check_registration(
                id_number=request.POST.get("id_number", ""),
                name=request.POST.get("name", ""),
                mobile=request.POST.get("mobile", ""),
                email=request.POST.get("email", ""),
                password=request.POST.get("password", ""),
                password_again=request.POST.get("password_again", ""),
            )
            pending.legal_documents = [d.pk for d in in_force.values()]
            if not form.errors:
                registration.start_registration(pending, address=client_address(request))
        except ValidationError as exc:
            apply_errors(form, exc)
        if not form.errors:
            request.session[PENDING_KEY] = pending.seal()
            request.session[PENDING_NEXT_KEY] = safe_next(request, "accounts:home")
            return redirect("accounts:register-verify")
    return render(
        request,
        "accounts/register.html",
        {
            "form": form,
            "next": request.GET.get("next", ""),
            "hall": hall_context(request),
            "legal_versions": {kind: d.version for kind, d in in_force.items()}
            if len(in_force) == len(legal.KINDS)
            else None,
        },
    )


def _pending(request):
    token = request.session.get(PENDING_KEY)
    if not token:
        return None
    try:
        return registration.PendingRegistration.unseal(token)
    except (crypto.DecryptionError, ValueError, TypeError):
        request.session.pop(PENDING_KEY, None)  # keys changed or data damaged: start again
        return None


@require_http_methods(["GET", "POST"])
def register_verify(request):
    """Step 2 of 2: the code from the phone creates the account."""
    pending = _pending(request)
    if pending is None:
        messages.info(request, _("请先填写注册信息。"))
        return redirect("accounts:register")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "resend":
        form = CodeForm()
        try:
            registration.start_registration(pending, address=client_address(request))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("验证码已重新发送至 %(mobile)s。") % {"mobile": mask_mobile(pending.mobile)},
            )
        return redirect("accounts:register-verify")
    if request.method == "POST" and form.is_valid():
        try:
            person = registration.complete_registration(pending, form.cleaned_data["code"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            next_url = request.session.pop(PENDING_NEXT_KEY, "") or reverse("accounts:home")
            del request.session[PENDING_KEY]
            # The code just proved the phone: the new account is signed in at once.
            login(request, person.user, backend=sms_login_service.BACKEND)
            login_service.mark_method(request, LoginEvent.Method.REGISTRATION)
            messages.success(
                request,
                _("注册成功，已为您登录。以后可使用身份证号码或手机号码，以密码或短信验证码登录。"),
            )
            return redirect(next_url)
    return render(
        request,
        "accounts/register_verify.html",
        {"form": form, "masked_mobile": mask_mobile(pending.mobile)},
    )


SMS_LOGIN_KEY = "govhall_sms_login_mobile"


@require_http_methods(["GET", "POST"])
def sms_login(request):
    """Sign in with a code sent to the account's mobile: step 1 asks for the number."""
    if request.user.is_authenticated:
        return redirect(safe_next(request))
    form = SmsLoginForm(request.POST or None, initial={"channel": request.GET.get("channel", "")})
    if request.method == "POST" and form.is_valid():
        try:
            mobile = sms_login_service.send_code(
                form.cleaned_data["mobile"], remote_addr_of(request)
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            request.session[SMS_LOGIN_KEY] = mobile
            messages.info(
                request,
                _("如果该手机号码已注册并完成验证，验证码已发送至 %(mobile)s，5分钟内有效。")
                % {"mobile": mask_mobile(mobile)},
            )
            query = {
                k: request.POST.get(k) for k in ("next", "hall", "channel") if request.POST.get(k)
            }
            url = reverse("accounts:sms-login-verify")
            return redirect(f"{url}?{urlencode(query)}" if query else url)
    return render(
        request,
        "accounts/sms_login.html",
        {"form": form, "next": request.GET.get("next", ""), "hall": hall_context(request)},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def sms_login_verify(request):
    """Step 2: the code signs in (a wrong one counts like a wrong password)."""
    mobile = request.session.get(SMS_LOGIN_KEY)
    if not mobile:
        return redirect("accounts:sms-login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = sms_login_service.check(
                mobile, form.cleaned_data["code"], remote_addr_of(request)
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            del request.session[SMS_LOGIN_KEY]
            login(request, user, backend=sms_login_service.BACKEND)
            login_service.mark_method(request, LoginEvent.Method.SMS)
            return redirect(safe_next(request))
    return render(
        request,
        "accounts/sms_login_verify.html",
        {
            "form": form,
            "masked_mobile": mask_mobile(mobile),
            "next": request.GET.get("next", "") or request.POST.get("next", ""),
            "hall": hall_context(request),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def password_reset(request):
    form = ResetStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = password_service.start_reset(
                form.cleaned_data["identifier"], address=client_address(request)
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            request.session[RESET_KEY] = user.pk if user is not None else None
            messages.info(
                request, _("如果该账号存在并绑定了手机号码，验证码已发送至该号码，5分钟内有效。")
            )
            return redirect("accounts:password-reset-finish")
    return render(request, "accounts/password_reset.html", {"form": form})


@require_http_methods(["GET", "POST"])
def password_reset_finish(request):
    if RESET_KEY not in request.session:
        return redirect("accounts:password-reset")
    form = ResetFinishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user_id = request.session.get(RESET_KEY)
        user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
        try:
            password_service.finish_reset(
                user,
                code=form.cleaned_data["code"],
                password=form.cleaned_data["password"],
                password_again=form.cleaned_data["password_again"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            del request.session[RESET_KEY]
            messages.success(request, _("密码已重置，请使用新密码登录。"))
            return redirect("accounts:login")
    return render(request, "accounts/password_reset_finish.html", {"form": form})


@require_http_methods(["GET", "POST"])
def totp_verify(request):
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    step = totp.pending_step(request)
    next_url = safe_next(request, "workbench:home")
    if step is None:
        return redirect(next_url)
    if step == totp.ENROL:
        return redirect(f"{reverse('accounts:totp-setup')}?{urlencode({'next': next_url})}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            totp.verify(request, form.cleaned_data["token"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect(next_url)
    return render(request, "accounts/totp_verify.html", {"form": form, "next": next_url})


@require_http_methods(["GET", "POST"])
def totp_setup(request):
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    next_url = safe_next(request, "accounts:home")
    if totp.confirmed_device(request.user) is not None:
        if totp.pending_step(request) == totp.VERIFY:
            return redirect(f"{reverse('accounts:totp-verify')}?{urlencode({'next': next_url})}")
        messages.info(request, _("您已绑定动态口令验证器。如需更换，请联系大厅管理员重置。"))
        return redirect(next_url)
    device = totp.start_enrolment(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            totp.confirm_enrolment(request, device, form.cleaned_data["token"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("动态口令验证器已绑定，今后登录时需输入动态口令。"))
            return redirect(next_url)
    secret = base64.b32encode(device.bin_key).decode("ascii")
    return render(
        request,
        "accounts/totp_setup.html",
        {
            "form": form,
            "next": next_url,
            "qr_svg": totp.qr_svg(device),
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        },
    )
