"""Identity URLs: the account pages under /account/, the OpenID Connect provider under
/o/ and its discovery document at /.well-known/openid-configuration (the issuer is the
site root). Two namespaces: ``accounts`` and ``oauth2_provider`` (which the toolkit's own
code reverses)."""

from django.urls import include, path, re_path
from oauth2_provider import views as dot_views

from .oidc import views as oidc_views
from .views import account, auth, companies, counter, legal

account_patterns = [
    path("account/", account.home, name="home"),
    path("account/login/", auth.LoginView.as_view(), name="login"),
    path("account/logout/", auth.LogoutView.as_view(), name="logout"),
    path("account/login/sms/", auth.sms_login, name="sms-login"),
    path("account/login/sms/verify/", auth.sms_login_verify, name="sms-login-verify"),
    path("account/register/", auth.register, name="register"),
    path("account/register/verify/", auth.register_verify, name="register-verify"),
    path("account/legal/accept/", legal.accept, name="legal-accept"),
    path("account/legal/<slug:kind>/", legal.document, name="legal"),
    path("account/legal/<slug:kind>/<int:version>/", legal.document, name="legal-version"),
    path("account/password/reset/", auth.password_reset, name="password-reset"),
    path(
        "account/password/reset/finish/",
        auth.password_reset_finish,
        name="password-reset-finish",
    ),
    path("account/2fa/", auth.totp_verify, name="totp-verify"),
    path("account/2fa/setup/", auth.totp_setup, name="totp-setup"),
    path("account/verify/", account.verify_online, name="verify-online"),
    path("account/level-required/", account.level_required, name="level-required"),
    path("account/acting/", account.switch_acting, name="acting"),
    path("account/my-data/", account.my_data, name="my-data"),
    path("account/session/keepalive/", account.keepalive, name="keepalive"),
    path("account/companies/register/", companies.register_company, name="company-register"),
    path("account/companies/<int:pk>/agents/", companies.agents, name="company-agents"),
    path(
        "account/companies/<int:pk>/agents/<int:grant_id>/revoke/",
        companies.revoke,
        name="grant-revoke",
    ),
    path("account/counter/verify/", counter.counter_verify, name="counter-verify"),
]

oidc_patterns = [
    path("o/authorize/", oidc_views.AuthorizeView.as_view(), name="authorize"),
    path("o/token/", dot_views.TokenView.as_view(), name="token"),
    path("o/revoke_token/", dot_views.RevokeTokenView.as_view(), name="revoke-token"),
    path("o/introspect/", dot_views.IntrospectTokenView.as_view(), name="introspect"),
    path("o/userinfo/", dot_views.UserInfoView.as_view(), name="user-info"),
    path("o/logout/", oidc_views.LogoutView.as_view(), name="rp-initiated-logout"),
    path("o/.well-known/jwks.json", dot_views.JwksInfoView.as_view(), name="jwks-info"),
    re_path(
        r"^\.well-known/openid-configuration/?$",
        oidc_views.DiscoveryView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    path(
        ".well-known/oauth-authorization-server",
        dot_views.OAuthServerMetadataView.as_view(),
        name="oauth-server-metadata",
    ),
]

urlpatterns = [
    path("", include((account_patterns, "accounts"))),
    path("", include((oidc_patterns, "oauth2_provider"))),
]
