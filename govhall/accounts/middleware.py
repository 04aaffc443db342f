"""Per-request identity: the staff second factor, consent to the documents in force, and
the acting identity."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from govhall.core.api.errors import NON_FIELD, error, json_error

from .services import acting, legal, totp

# Paths a user who still owes a second factor may use.
_OPEN_PREFIXES = (
    "/account/2fa/",
    "/account/logout/",
    "/account/session/",
    "/static/",
    "/healthz",
    "/.well-known/",
    "/o/token/",
    "/o/userinfo/",
    "/o/revoke_token/",
    "/o/introspect/",
    "/o/.well-known/",
    "/elder-mode/",
)


class _SignedInGate:
    """A middleware that may send a signed-in user elsewhere first, except on the paths
    under ``open_prefixes``: ``detour`` returns where to (a response), or None."""

    open_prefixes: tuple[str, ...] = ()

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self.open_prefixes)
        ):
            detour = self.detour(request, user)
            if detour is not None:
                return detour
        return self.get_response(request)

    def detour(self, request, user):
        raise NotImplementedError


def _then_back(target: str, request) -> HttpResponseRedirect:
    """To ``target``, which returns the user to the page they asked for."""
    return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


class SecondFactorMiddleware(_SignedInGate):
    """Staff with an authenticator (or all staff, when ``GOVHALL_STAFF_TOTP_REQUIRED``) must
    pass TOTP before anything else in this session — whichever login page they used."""

    open_prefixes = _OPEN_PREFIXES

    def detour(self, request, user):
        step = totp.pending_step(request)
        if step is None:
            return None
        if request.path.startswith("/api/"):
            message = _("工作人员须先完成动态口令验证。")
            return json_error([error(NON_FIELD, "second_factor_required", message)], 403)
        return _then_back(
            reverse("accounts:totp-verify" if step == totp.VERIFY else "accounts:totp-setup"),
            request,
        )


# Paths a person who owes a new consent may still use: the documents themselves, sign-out,
# the API and the token endpoints (machines cannot tick a box; the person is asked on
# their next page), the admin.
_CONSENT_OPEN_PREFIXES = (*_OPEN_PREFIXES, "/account/legal/", "/api/", "/admin/", "/media/")
LEGAL_SESSION_KEY = "govhall_legal_accepted"


class LegalConsentMiddleware(_SignedInGate):
    """Ask a person again when a newer 用户服务协议 or 个人信息保护说明 is in force.

    Checked once per session and per set of versions (kept in the session), so an
    ordinary request costs one cache read; a new version published mid-session is asked
    for at the next page."""

    open_prefixes = _CONSENT_OPEN_PREFIXES

    def detour(self, request, user):
        if not hasattr(request, "session"):
            return None
        ids = sorted(legal.current_ids().values())
        if ids and request.session.get(LEGAL_SESSION_KEY) != ids:
            if legal.outstanding(user):
                return _then_back(reverse("accounts:legal-accept"), request)
            request.session[LEGAL_SESSION_KEY] = ids
        return None


class ActingIdentityMiddleware:
    """``request.identity``: the person, the company they act for, the staff scope.

    A session acting for a company is re-checked before the view runs, so a revoked grant
    ends at the agent's next request (with a message saying so)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        def load():
            identity = acting.identity_of(request)
            if identity.dropped_company is not None and hasattr(request, "_messages"):
                messages.warning(
                    request,
                    _("您代“%(name)s”办事的授权已失效，已切换回本人身份。")
                    % {"name": identity.dropped_company.name},
                )
            return identity

        session = getattr(request, "session", None)
        if session is not None and acting.SESSION_KEY in session:
            request.identity = load()  # re-check the grant before any view runs
        else:
            request.identity = SimpleLazyObject(load)
        return self.get_response(request)
