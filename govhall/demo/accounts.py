"""Demo identities for `make run` (idempotent): a person, a company with an agent, and a
department system registered as an OIDC client."""

from __future__ import annotations

import datetime
import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_application_model

from govhall.accounts.models import (
    AgentGrant,
    Channel,
    ClientProfile,
    Company,
    LegalAcceptance,
    Person,
    RealNameLevel,
)
from govhall.accounts.services import clients, legal
from govhall.core.identifiers import make_credit_code, make_id_number
from govhall.regions.models import Department

DEMO_CLIENT_ID = "jiangmen-civil-affairs-demo"
DEMO_CLIENT_SECRET_ENV = "GOVHALL_DEMO_CLIENT_SECRET"
DEMO_CLIENT_SECRET = "govhall-demo-client-secret"
DEMO_REDIRECT_URI = "http://127.0.0.1:8001/oidc/callback"

# Fixed, well-formed numbers so the demo is the same on every machine.
DEMO_PEOPLE = [
    # username, name, address code, birth date, sequence, mobile, level
    (
        "demo_citizen",
        "陈志明",
        "440703",
        datetime.date(1985, 6, 18),
        131,
        "13800138000",
        RealNameLevel.ONLINE_VERIFIED,
    ),
    (
        "demo_agent",
        "黄晓琳",
        "440705",
        datetime.date(1992, 3, 9),
        242,
        "13900139000",
        RealNameLevel.SELF_REGISTERED,
    ),
]
DEMO_COMPANY = ("江门市蓬江区志明五金制品有限公司", "91", "440703", "MA4W0J2K")


def _person(password: str, username, name, address, birth, sequence, mobile, level) -> Person:
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(
            username,
            password=password,
            display_name=name,
            mobile=mobile,
            mobile_verified_at=timezone.now(),
        )
    number = make_id_number(address, birth, sequence)
    person = Person.objects.filter(id_number_index=Person.index_for(number)).first()
    if person is None:
        person = Person.objects.create(
            user=user,
            id_number=number,
            name=name,
            realname_level=level,
            realname_verified_at=timezone.now() if level > 1 else None,
        )
    # Demo people registered online, ticking the documents in force.
    for document_id in legal.current_ids().values():
        LegalAcceptance.objects.get_or_create(
            user=person.user, document_id=document_id, defaults={"how": "registration"}
        )
    return person


def load_identity_demo(password: str) -> dict:
    """Create the demo identities if missing; return what a demo user needs to know."""
    with transaction.atomic():
        people = [_person(password, *row) for row in DEMO_PEOPLE]
        representative, agent = people
        name, authority_category, region, entity = DEMO_COMPANY
        code = make_credit_code(authority_category, region, entity)
        company = Company.objects.filter(credit_code=code).first()
        if company is None:
            company = Company.objects.create(
                credit_code=code,
                name=name,
                legal_representative=representative,
                registered_by=representative.user,
                registry_reference="DEMO",
            )
        if not AgentGrant.objects.filter(company=company, agent=agent).exists():
            today = timezone.localdate()
            AgentGrant.objects.create(
                company=company,
                agent=agent,
                powers=["apply", "view_cases"],
                valid_from=today,
                valid_until=today + datetime.timedelta(days=365),
                granted_by=representative.user,
            )
        Application = get_application_model()
        application = Application.objects.filter(client_id=DEMO_CLIENT_ID).first()
        new_secret = ""
        if application is None:
            new_secret = os.environ.get(DEMO_CLIENT_SECRET_ENV) or (
                DEMO_CLIENT_SECRET if settings.DEBUG else generate_client_secret()
            )
            department = Department.objects.filter(region_id="440700", name="江门市民政局").first()
            clients.register_client(
                name="江门市民政局婚姻登记系统（演示）",
                redirect_uris=[DEMO_REDIRECT_URI],
                post_logout_redirect_uris=["http://127.0.0.1:8001/"],
                scopes="openid profile phone id_number company",
                department=department,
                channel=Channel.WEB,
                client_id=DEMO_CLIENT_ID,
                client_secret=new_secret,
            )
        elif not ClientProfile.objects.filter(application=application).exists():
            ClientProfile.objects.create(application=application)
    return {
        "persons": [p.user.username for p in people],
        "company": company.credit_code,
        "client_id": DEMO_CLIENT_ID,
        # Only when the client was created now: it cannot be read back later.
        "client_secret": new_secret,
    }
