"""The provider's pages: authorisation (consent) and sign-out, in Chinese, on our login."""

from __future__ import annotations

import json

from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider import views as dot_views
from oauth2_provider.scopes import get_scopes_backend
from oauth2_provider.settings import oauth2_settings

from ..models import ClientProfile
from ..services import acting


class AuthorizeView(dot_views.AuthorizationView):
    """OIDC authorisation endpoint: signs in through the hall's login page, shows which
    data the department system receives, and binds the acting company to the code."""

    template_name = "accounts/oidc_authorize.html"
    login_url = reverse_lazy("accounts:login")

    def create_authorization_response(self, request, scopes, credentials, allow):
        credentials = dict(credentials)
        identity = acting.identity_of(request)
        if identity.company is not None:
            credentials["acting_company_id"] = identity.company.pk
        return super().create_authorization_response(request, scopes, credentials, allow)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = context.get("application")
        all_scopes = get_scopes_backend().get_all_scopes()
        context["scope_rows"] = [(s, all_scopes.get(s, s)) for s in context.get("scopes", [])]
        context["profile"] = (
            ClientProfile.objects.select_related("department")
            .filter(application=application)
            .first()
            if application is not None
            else None
        )
        context["identity"] = acting.identity_of(self.request)
        return context


# What the provider really does: ID tokens signed RS256 only (no HS256 client is ever
# registered, ``services.clients``), and the grants the token endpoint serves.
ID_TOKEN_SIGNING_ALGORITHMS = ["RS256"]


class DiscoveryView(dot_views.ConnectDiscoveryInfoView):
    """OpenID Provider metadata advertising only what is supported: the toolkit's document
    lists HS256 whenever it exists; here the algorithms and grant types are the real ones."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        data = json.loads(response.content)
        data["id_token_signing_alg_values_supported"] = ID_TOKEN_SIGNING_ALGORITHMS
        data["grant_types_supported"] = list(oauth2_settings.OAUTH2_GRANT_TYPES_SUPPORTED)
        data["claims_parameter_supported"] = False
        data["request_parameter_supported"] = False
        data["request_uri_parameter_supported"] = False
        response.content = json.dumps(data, ensure_ascii=False).encode("utf-8")
        response["Content-Length"] = str(len(response.content))
        return response


@method_decorator(csrf_exempt, name="dispatch")
class LogoutView(dot_views.RPInitiatedLogoutView):
    """RP-initiated logout: ends the hall session (and the client's tokens).

    Accepts POST as OpenID Connect RP-Initiated Logout 1.0 §2 requires, so a department
    system can send ``id_token_hint`` in a form body instead of a URL (where access logs
    and browser history would keep the token). A POST from the system's own page carries
    no CSRF token of ours: it is let through only with an ``id_token_hint`` (which only
    the system holds, and which the toolkit verifies); without one — the confirmation
    form — the CSRF check applies, so no other site can sign a user out.
    """

    template_name = "accounts/oidc_logout_confirm.html"

    def post(self, request, *args, **kwargs):
        if not request.POST.get("id_token_hint"):
            refused = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
            if refused is not None:
                return refused
        return super().post(request, *args, **kwargs)
