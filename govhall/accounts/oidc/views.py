"""The provider's pages: authorisation (consent) and sign-out, in Chinese, on our login."""

from __future__ import annotations

from django.urls import reverse_lazy
from oauth2_provider import views as dot_views
from oauth2_provider.scopes import get_scopes_backend

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


class LogoutView(dot_views.RPInitiatedLogoutView):
    """RP-initiated logout: ends the hall session (and the client's tokens)."""

    template_name = "accounts/oidc_logout_confirm.html"
