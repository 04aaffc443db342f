"""Everything the hall holds about a person, as one JSON document they can download.

Other subsystems add their own sections (cases, licences, messages…) with
``register_section(name, function)``; each function takes the user and returns
JSON-serialisable data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from govhall.core.models import AuditEntry
from govhall.core.services import audit

from ..audit import record_account
from ..models import AgentGrant, Company, LoginEvent, Person, RealNameVerification

_sections: dict[str, Callable[[Any], Any]] = {}
ENCODER = DjangoJSONEncoder


def register_section(name: str, function: Callable[[Any], Any]) -> None:
    _sections[name] = function


def _account(user) -> dict:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "mobile": user.mobile,
        "mobile_verified_at": user.mobile_verified_at,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "has_password": user.has_usable_password(),
    }


def _person(person: Person | None) -> dict | None:
    if person is None:
        return None
    return {
        "id_number": person.id_number,
        "name": person.name,
        "realname_level": person.realname_level,
        "realname_level_label": str(person.level.label),
        "realname_verified_at": person.realname_verified_at,
        "source": person.source,
        "created_at": person.created_at,
        "verifications": [
            {
                "level": v.level,
                "method": v.method,
                "result": v.result,
                "source": v.source,
                "reference": v.reference,
                "clerk": str(v.clerk) if v.clerk_id else None,
                "department": v.department.name if v.department_id else None,
                "document_type": v.document_type,
                "occurred_at": v.occurred_at,
            }
            for v in RealNameVerification.objects.filter(person=person).select_related(
                "clerk", "department"
            )
        ],
    }


def _companies(person: Person | None) -> list[dict]:
    if person is None:
        return []
    return [
        {
            "credit_code": c.credit_code,
            "name": c.name,
            "role": "legal_representative",
            "registered_at": c.registered_at,
        }
        for c in Company.objects.filter(legal_representative=person)
    ]


def _grants(person: Person | None) -> list[dict]:
    if person is None:
        return []
    return [
        {
            "company": g.company.name,
            "credit_code": g.company.credit_code,
            "powers": g.powers,
            "valid_from": g.valid_from,
            "valid_until": g.valid_until,
            "granted_at": g.granted_at,
            "revoked_at": g.revoked_at,
        }
        for g in AgentGrant.objects.filter(agent=person).select_related("company")
    ]


def _logins(user) -> list[dict]:
    return [
        {
            "occurred_at": e.occurred_at,
            "channel": e.channel,
            "method": e.method,
            "hall": e.hall.name if e.hall_id else None,
            "remote_addr": e.remote_addr,
            "user_agent": e.user_agent,
        }
        for e in LoginEvent.objects.filter(user=user).select_related("hall")[:500]
    ]


def _audit(user, person: Person | None) -> list[dict]:
    condition = Q(object_type="accounts.user", object_id=str(user.pk)) | Q(actor_id=user.pk)
    if person is not None:
        condition |= Q(object_type="accounts.person", object_id=str(person.pk))
    return [
        {
            "sequence": e.sequence,
            "occurred_at": e.occurred_at,
            "action": e.action,
            "object_type": e.object_type,
            "object": e.object_repr,
            "reason": e.reason,
        }
        for e in AuditEntry.objects.filter(condition).order_by("sequence")[:2000]
    ]


def _oidc(user) -> list[dict]:
    from oauth2_provider.models import get_access_token_model

    tokens = get_access_token_model().objects.filter(user=user).select_related("application")
    return [
        {
            "client": t.application.name if t.application_id else None,
            "scope": t.scope,
            "expires": t.expires,
        }
        for t in tokens
    ]


def personal_data(user) -> dict:
    person = Person.objects.filter(user=user).first()
    data = {
        "generated_at": timezone.now(),
        "notice": _(
            "本文件包含您在广东政务服务网的全部账号与身份信息，含完整身份证号码，请妥善保管。"
        ),
        "account": _account(user),
        "person": _person(person),
        "companies_represented": _companies(person),
        "agent_grants": _grants(person),
        "login_events": _logins(user),
        "authorised_systems": _oidc(user),
        "audit_trail": _audit(user, person),
    }
    for name, function in _sections.items():
        data[name] = function(user)
    record_account(audit.Action.OTHER, user, "下载本人个人数据")
    return data
