"""Registering department systems as OpenID Connect clients (对接系统登记).

The client secret is generated here, returned once to show to the administrator, and
stored only as a hash (django-oauth-toolkit hashes it on save): nobody can read it
back, so a lost secret is replaced with ``rotate_secret``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from oauth2_provider.generators import generate_client_id, generate_client_secret
from oauth2_provider.models import get_application_model

from govhall.core import context
from govhall.core.services import audit
from govhall.regions.models import Department

from ..models import Channel, ClientProfile

Application = get_application_model()
SUPPORTED_SCOPES = (
    "openid",
    "profile",
    "phone",
    "email",
    "id_number",
    "company",
    "staff",
    # third-party channels (docs/channels.md)
    "cases",
    "licences",
    "payments",
)


@dataclass(frozen=True)
class RegisteredClient:
    application: object
    profile: ClientProfile
    client_secret: str  # shown once; only its hash is stored


def clean_scopes(scopes) -> str:
    chosen = scopes.split() if isinstance(scopes, str) else list(scopes)
    unknown = sorted(set(chosen) - set(SUPPORTED_SCOPES))
    if unknown:
        raise ValidationError(
            {
                "allowed_scopes": ValidationError(
                    _("不支持的授权范围：") + "、".join(unknown), code="invalid"
                )
            }
        )
    if "openid" not in chosen:
        chosen.insert(0, "openid")
    return " ".join(s for s in SUPPORTED_SCOPES if s in chosen)


def clean_uris(value, field: str, *, required: bool) -> str:
    uris = value.split() if isinstance(value, str) else list(value)
    if required and not uris:
        raise ValidationError(
            {field: ValidationError(_("请至少填写一个回调地址。"), code="required")}
        )
    for uri in uris:
        if not uri.startswith(("https://", "http://")):
            raise ValidationError(
                {
                    field: ValidationError(
                        _("地址须以 https:// 开头：%(uri)s") % {"uri": uri}, code="scheme"
                    )
                }
            )
    return " ".join(uris)


def register_client(
    *,
    name: str,
    redirect_uris,
    scopes="openid profile",
    department: Department | None = None,
    post_logout_redirect_uris="",
    channel: str = Channel.WEB,
    contact: str = "",
    confidential: bool = True,
    skip_authorization: bool = False,
    client_id: str | None = None,
    client_secret: str | None = None,
) -> RegisteredClient:
    """Create an authorisation-code client signing ID tokens with RS256 (PKCE enforced)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ValidationError(_("请填写系统名称。"), code="required")})
    allowed = clean_scopes(scopes)
    redirects = clean_uris(redirect_uris, "redirect_uris", required=True)
    logouts = clean_uris(post_logout_redirect_uris, "post_logout_redirect_uris", required=False)
    secret = client_secret or generate_client_secret()
    with transaction.atomic(), context.acting(reason="登记对接系统（OIDC客户端）"):
        application = Application.objects.create(
            name=name[:255],
            client_id=client_id or generate_client_id(),
            client_secret=secret if confidential else "",
            client_type=(
                Application.CLIENT_CONFIDENTIAL if confidential else Application.CLIENT_PUBLIC
            ),
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=redirects,
            post_logout_redirect_uris=logouts,
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=skip_authorization,
        )
        profile = ClientProfile.objects.create(
            application=application,
            department=department,
            allowed_scopes=allowed,
            channel=channel,
            contact=contact[:100],
        )
    return RegisteredClient(application, profile, secret if confidential else "")


def rotate_secret(application) -> str:
    """Issue a new secret (shown once); the old one stops working immediately."""
    secret = generate_client_secret()
    with transaction.atomic():
        application.client_secret = secret
        application.save(update_fields=["client_secret"])
        audit.record(
            audit.Action.OTHER,
            instance=application,
            reason="更换对接系统客户端密钥",
        )
    return secret
