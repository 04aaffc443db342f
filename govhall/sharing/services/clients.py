"""Department systems that read shared data: OAuth2 clients of the hall's provider with
the client-credentials grant and the one scope ``sharing``, registered to a department
(``ClientProfile.department``), which is the requester of every call they make."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from oauth2_provider.generators import generate_client_id, generate_client_secret
from oauth2_provider.models import get_application_model

from govhall.accounts.models import ClientProfile
from govhall.core import context
from govhall.regions.models import Department

SCOPE = "sharing"


@dataclass(frozen=True)
class SharingClient:
    application: object
    client_id: str
    client_secret: str  # shown once; the provider stores only its hash


def register(
    department: Department, *, name: str = "", client_id: str = "", client_secret: str = ""
) -> SharingClient:
    Application = get_application_model()
    secret = client_secret or generate_client_secret()
    with transaction.atomic(), context.acting(reason="登记共享数据调用客户端"):
        application = Application.objects.create(
            name=f"数据共享：{name or department.name}"[:255],
            client_id=client_id or generate_client_id(),
            client_secret=secret,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
            redirect_uris="",
            post_logout_redirect_uris="",
            skip_authorization=True,
        )
        ClientProfile.objects.create(
            application=application, department=department, allowed_scopes=SCOPE
        )
    return SharingClient(application, application.client_id, secret)
