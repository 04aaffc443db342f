"""django-oauth-toolkit's validator with the hall's claims, client checks and the acting
company carried from the authorising session to the code, the tokens and userinfo."""

from __future__ import annotations

from oauth2_provider.models import get_access_token_model
from oauth2_provider.oauth2_validators import OAuth2Validator

from ..models import AuthorizationContext, ClientProfile
from . import claims


def _context_company(**lookup) -> int | None:
    return (
        AuthorizationContext.objects.filter(**lookup).values_list("company_id", flat=True).first()
    )


def _header_token(request) -> str | None:
    parts = (request.headers.get("Authorization") or "").split()
    if len(parts) == 2 and parts[0].lower() == "bearer":
        return parts[1]
    return None


# Claims released by userinfo only, never written into an ID token: an ID token travels
# through browsers, logs and the logout URL (id_token_hint), and is readable by anyone
# who holds it (base64, not encrypted).
USERINFO_ONLY_CLAIMS = frozenset({"id_number"})


class GovhallValidator(OAuth2Validator):
    oidc_claim_scope = claims.CLAIM_SCOPES

    # --- clients -------------------------------------------------------------------
    def _load_application(self, client_id, request):
        client = super()._load_application(client_id, request)
        if client is None:
            return None
        profile = ClientProfile.objects.filter(application=client).first()
        if profile is not None and not profile.is_active:
            request.client = None
            return None
        return client

    def validate_bearer_token(self, token, scopes, request):
        """Header tokens only (RFC 6750 §2.1; RFC 9700 §4.3.2): a token in the query string
        or a form body — where logs, caches and referrers keep it — is refused everywhere
        a bearer token is checked (userinfo, API). Tokens of a system set inactive stop
        working at once."""
        if not token or _header_token(request) != token:
            return False
        if not super().validate_bearer_token(token, scopes, request):
            return False
        client = getattr(request, "client", None)
        if client is None:
            return True
        # The profile's channel rides on the token: the API's acting identity needs it
        # (accounts.api.auth), and reading it here saves that call a second lookup.
        profile = (
            ClientProfile.objects.filter(application=client)
            .values_list("is_active", "channel")
            .first()
        )
        token_row = getattr(request, "access_token", None)
        if token_row is not None:
            token_row.govhall_client_channel = profile[1] if profile else ""
        return profile is None or profile[0]

    # --- acting company: session → code → access token ---------------------------------
    def _create_authorization_code(self, request, code, expires=None):
        grant = super()._create_authorization_code(request, code, expires)
        company_id = getattr(request, "acting_company_id", None)
        if company_id:
            AuthorizationContext.objects.create(grant=grant, company_id=company_id)
        return grant

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        valid = super().validate_code(client_id, code, client, request, *args, **kwargs)
        if valid:
            request.acting_company_id = _context_company(
                grant__code=code, grant__application=client
            )
        return valid

    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs):
        valid = super().validate_refresh_token(refresh_token, client, request, *args, **kwargs)
        instance = getattr(request, "refresh_token_instance", None)
        if valid and instance is not None and instance.access_token_id:
            request.acting_company_id = _context_company(access_token_id=instance.access_token_id)
        return valid

    def _create_access_token(self, expires, request, token, source_refresh_token=None):
        access_token = super()._create_access_token(expires, request, token, source_refresh_token)
        company_id = getattr(request, "acting_company_id", None)
        if company_id:
            AuthorizationContext.objects.create(access_token=access_token, company_id=company_id)
        return access_token

    # --- claims -------------------------------------------------------------------------
    def get_additional_claims(self, request):
        return claims.claims_for(request.user, getattr(request, "acting_company_id", None))

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        for name in USERINFO_ONLY_CLAIMS:
            claims.pop(name, None)
        return claims, expiration_time

    def get_discovery_claims(self, request):
        return list(claims.CLAIM_SCOPES)

    def get_userinfo_claims(self, request):
        access_token = getattr(request, "access_token", None)
        if isinstance(access_token, get_access_token_model()):
            request.acting_company_id = _context_company(access_token_id=access_token.pk)
        return super().get_userinfo_claims(request)
