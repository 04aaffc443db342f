"""Companies (法人) and their agents (经办人): registration by the legal representative,
grants with powers and a period, revocation, and the question every later subsystem
asks — may this person act for this company, with this power, today?
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govhall.core import context
from govhall.core.identifiers import validate_credit_code

from .. import verifiers
from ..models import ALL_POWERS, AgentGrant, Company, Person, Power, RealNameLevel
from .registration import FieldErrors, clean_id_number, clean_name

COMPANY_NAME_MAX = 200


def min_level_for_company_registration() -> int:
    return int(getattr(settings, "GOVHALL_COMPANY_REGISTRATION_MIN_LEVEL", 2))


@dataclass(frozen=True)
class ActingOption:
    """A company a person may act for, and in which role."""

    company: Company
    role: str  # "legal_representative" or "agent"
    powers: tuple[str, ...] = field(default=ALL_POWERS)
    grant: AgentGrant | None = None

    @property
    def role_label(self) -> str:
        return _("法定代表人") if self.role == "legal_representative" else _("经办人")

    @property
    def power_labels(self) -> list[str]:
        labels = dict(Power.choices)
        return [str(labels[p]) for p in self.powers if p in labels]


def _error(field_name: str | None, code: str, message: str) -> ValidationError:
    if field_name is None:
        return ValidationError(message, code=code)
    return ValidationError({field_name: ValidationError(message, code=code)})


def register_company(*, user, credit_code: str, name: str) -> Company:
    """The signed-in person registers a company whose legal representative they are."""
    person = Person.objects.filter(user=user).first()
    if person is None:
        raise _error(None, "no_person", _("只有已实名注册的自然人才能注册法人账号。"))
    minimum = min_level_for_company_registration()
    if person.realname_level < minimum:
        raise _error(
            None,
            "level_too_low",
            _("注册法人账号须达到“%(level)s”及以上实名等级，请先完成在线实名核验。")
            % {"level": RealNameLevel(minimum).label},
        )
    errors: dict[str, list[ValidationError]] = {}
    result = validate_credit_code(credit_code)
    if not result.valid:
        errors["credit_code"] = [ValidationError(e.message, code=e.code) for e in result.errors]
    company_name = " ".join((name or "").split())
    if not company_name:
        errors["name"] = [ValidationError(_("请填写法人名称。"), code="required")]
    elif len(company_name) > COMPANY_NAME_MAX:
        errors["name"] = [
            ValidationError(
                _("法人名称不能超过%(max)s个字。") % {"max": COMPANY_NAME_MAX}, code="max_length"
            )
        ]
    if result.valid and Company.objects.filter(credit_code=result.normalized).exists():
        errors["credit_code"] = [
            ValidationError(_("该统一社会信用代码已注册法人账号。"), code="taken")
        ]
    if errors:
        raise ValidationError(errors)
    outcome = verifiers.get_verifier().verify_company(
        result.normalized, company_name, person.id_number, person.name
    )
    if not outcome.passed:
        raise _error(
            None,
            "registry_" + outcome.result,
            outcome.message or _("法人登记信息核验未通过。"),
        )
    try:
        with transaction.atomic(), context.acting(reason="法定代表人注册法人账号"):
            return Company.objects.create(
                credit_code=result.normalized,
                name=company_name,
                legal_representative=person,
                registered_by=user,
                registry_reference=outcome.reference[:100],
            )
    except IntegrityError:
        raise _error("credit_code", "taken", _("该统一社会信用代码已注册法人账号。")) from None


def clean_powers(powers) -> list[str]:
    chosen = [p for p in ALL_POWERS if p in set(powers or [])]
    unknown = set(powers or []) - set(ALL_POWERS)
    if unknown:
        raise _error("powers", "invalid", _("授权事项只能是：申办事项、查看办件、领取证照。"))
    if not chosen:
        raise _error("powers", "required", _("请至少选择一项授权事项。"))
    return chosen


def grant_agent(
    *,
    company: Company,
    granted_by,
    agent_id_number: str,
    agent_name: str,
    powers,
    valid_from: datetime.date | None,
    valid_until: datetime.date | None,
    today: datetime.date | None = None,
) -> AgentGrant:
    """The legal representative authorises a registered person to act for the company."""
    today = today or timezone.localdate()
    if not is_legal_representative(granted_by, company):
        raise _error(None, "not_representative", _("只有该法人的法定代表人才能授权经办人。"))
    errors = FieldErrors()
    collect = errors.collect

    number = collect(clean_id_number, agent_id_number, "agent_id_number")
    name = collect(clean_name, agent_name, "agent_name")
    chosen = collect(clean_powers, powers)
    if valid_from is None:
        errors.setdefault("valid_from", []).append(
            ValidationError(_("请填写授权开始日期。"), code="required")
        )
    elif valid_from < today:
        errors.setdefault("valid_from", []).append(
            ValidationError(_("授权开始日期不能早于今天。"), code="past")
        )
    if valid_until is None:
        errors.setdefault("valid_until", []).append(
            ValidationError(_("请填写授权结束日期。"), code="required")
        )
    elif valid_from is not None and valid_until < valid_from:
        errors.setdefault("valid_until", []).append(
            ValidationError(_("授权结束日期不能早于开始日期。"), code="order")
        )
    agent = None
    if number and name:
        agent = Person.objects.filter(id_number_index=Person.index_for(number)).first()
        if agent is None or agent.name != name:
            errors.setdefault("agent_id_number", []).append(
                ValidationError(
                    _("没有找到身份证号码与姓名一致的已注册用户，请经办人先注册账号。"),
                    code="not_found",
                )
            )
        elif agent.pk == company.legal_representative_id:
            errors.setdefault("agent_id_number", []).append(
                ValidationError(_("法定代表人本人无需授权。"), code="self")
            )
        elif AgentGrant.objects.filter(
            company=company, agent=agent, revoked_at__isnull=True
        ).exists():
            errors.setdefault("agent_id_number", []).append(
                ValidationError(
                    _("该经办人已有未撤销的授权，请先撤销后再重新授权。"), code="exists"
                )
            )
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic(), context.acting(reason="法人授权经办人"):
            return AgentGrant.objects.create(
                company=company,
                agent=agent,
                powers=chosen,
                valid_from=valid_from,
                valid_until=valid_until,
                granted_by=granted_by,
            )
    except IntegrityError:
        raise _error(
            "agent_id_number", "exists", _("该经办人已有未撤销的授权，请先撤销后再重新授权。")
        ) from None


def revoke_grant(*, grant: AgentGrant, revoked_by, reason: str = "") -> AgentGrant:
    """End a grant now; the agent loses the company at their next request."""
    if not is_legal_representative(revoked_by, grant.company):
        raise _error(None, "not_representative", _("只有该法人的法定代表人才能撤销授权。"))
    with transaction.atomic():
        grant = AgentGrant.objects.select_for_update().get(pk=grant.pk)
        if grant.revoked_at is not None:
            raise _error(None, "already_revoked", _("该授权已经撤销。"))
        grant.revoked_at = timezone.now()
        grant.revoked_by = revoked_by
        grant.revoke_reason = (reason or "").strip()[:200]
        with context.acting(reason="法人撤销经办人授权"):
            grant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    return grant


def is_legal_representative(user, company: Company) -> bool:
    return (
        user is not None
        and getattr(user, "is_authenticated", False)
        and company.is_active
        and Person.objects.filter(user=user, pk=company.legal_representative_id).exists()
    )


def acting_options(person: Person | None, on: datetime.date | None = None) -> list[ActingOption]:
    """Every company the person may act for today, as legal representative or agent."""
    if person is None:
        return []
    options = [
        ActingOption(company, "legal_representative")
        for company in Company.objects.filter(legal_representative=person, is_active=True)
    ]
    seen = {o.company.pk for o in options}
    grants = (
        AgentGrant.objects.in_force(on)
        .filter(agent=person, company__is_active=True)
        .select_related("company")
    )
    for grant in grants:
        if grant.company_id not in seen:
            options.append(ActingOption(grant.company, "agent", tuple(grant.powers), grant))
            seen.add(grant.company_id)
    return sorted(options, key=lambda o: o.company.name)


def acting_option(person: Person | None, company_id: int) -> ActingOption | None:
    return next((o for o in acting_options(person) if o.company.pk == company_id), None)


def can_act(person: Person | None, company: Company, power: str | None = None) -> bool:
    """May ``person`` act for ``company`` today (with ``power``, if given)?"""
    option = acting_option(person, company.pk)
    return option is not None and (power is None or power in option.powers)
