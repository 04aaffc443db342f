"""The acting identity of a session: the person themself, or a company they act for.

It lives in the session (``SESSION_KEY``) and is re-checked against the grants on
every read, so a revoked or expired grant stops working at the agent's next request.
Later subsystems read ``request.identity`` (set by ``ActingIdentityMiddleware``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from govhall.core.services import audit
from govhall.regions.services.scope import StaffScope, scope_of

from ..models import ALL_POWERS, Company, Person
from . import companies

SESSION_KEY = "govhall_acting_company"


@dataclass
class Identity:
    """Who is acting in this request. ``company`` is None when acting as oneself."""

    user: object
    person: Person | None = None
    company: Company | None = None
    role: str = ""
    powers: tuple[str, ...] = field(default=ALL_POWERS)
    dropped_company: Company | None = None  # a stale choice removed from the session
    # A bearer token's OAuth2 client (a third-party channel, docs/channels.md) and the
    # 申请渠道 its registration names (``ClientProfile.channel``: mobile / kiosk), or "".
    client: object | None = None
    client_channel: str = ""

    @property
    def is_authenticated(self) -> bool:
        return bool(getattr(self.user, "is_authenticated", False))

    @property
    def acting_for_company(self) -> bool:
        return self.company is not None

    def can(self, power: str) -> bool:
        """Acting as oneself, a person holds every power; for a company, the granted ones."""
        if self.person is None:
            return False
        return self.company is None or power in self.powers

    @cached_property
    def staff_scope(self) -> StaffScope:
        return scope_of(self.user)


def _person(user) -> Person | None:
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_govhall_person", False)
    if cached is False:
        cached = Person.objects.filter(user=user).first()
        user._govhall_person = cached
    return cached


def identity_of(request) -> Identity:
    user = request.user
    person = _person(user)
    identity = Identity(user=user, person=person)
    company_id = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if company_id is None:
        return identity
    option = companies.acting_option(person, company_id)
    if option is None:
        identity.dropped_company = Company.objects.filter(pk=company_id).first()
        del request.session[SESSION_KEY]
        return identity
    identity.company, identity.role, identity.powers = option.company, option.role, option.powers
    return identity


def switch(request, company_id: int | None) -> Identity:
    """Act as oneself (``None``) or for a company the person may act for today."""
    person = _person(request.user)
    if person is None:
        raise ValidationError(
            ValidationError(_("只有自然人账号可以切换办事身份。"), code="no_person")
        )
    if company_id is None:
        request.session.pop(SESSION_KEY, None)
        target = _("本人")
    else:
        option = companies.acting_option(person, company_id)
        if option is None:
            raise ValidationError(
                {
                    "company": ValidationError(
                        _("您没有代该法人办事的有效授权（授权可能已撤销或过期）。"),
                        code="not_allowed",
                    )
                }
            )
        request.session[SESSION_KEY] = option.company.pk
        target = f"{option.company.name}（{option.role_label}）"
    audit.record(
        audit.Action.OTHER,
        object_type="accounts.person",
        object_id=str(person.pk),
        object_repr=str(person),
        reason=f"切换办事身份：{target}",
    )
    return identity_of(request)
