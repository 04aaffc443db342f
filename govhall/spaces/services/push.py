"""信息主动推送: services and notices matched to what the platform knows of a person or
company, each sent at most once, with the reason it was sent, unless switched off.

Matching reads only data the hall already holds: age and county from the ID number,
the company profile (industry, type, region), licences and their expiry dates, cases
concluded. A rule is data (``PushRule``), so the hall adds pushes without a release.
After a case concludes, the follow-on items its catalogue version declares (后置事项)
are pushed as the next service, and so are rules naming the concluded item.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from govhall.accounts.models import Company, Person
from govhall.cases.models import Case, CaseState
from govhall.licences.models import HolderKind, Licence, LicenceState
from govhall.regions.models import Region

from ..models import Preference, Push, PushKind, PushRule, SpaceKind
from .delivery import deliver, preference_of
from .profile import company_region, person_profile

NEXT_SERVICE_WINDOW_DAYS = 30


@dataclass
class PushResult:
    sent: dict[str, int] = field(default_factory=dict)
    switched_off: int = 0

    @property
    def total(self) -> int:
        return sum(self.sent.values())


class _Values(dict):
    """Reason placeholders: an unknown one stays as written instead of failing."""

    def __missing__(self, key):
        return "{" + key + "}"


def _region_name(code: str) -> str:
    for candidate in (code, code[:4] + "00" if len(code) >= 4 else ""):
        name = Region.objects.filter(code=candidate).values_list("name", flat=True).first()
        if name:
            return name
    return code


def send(
    result: PushResult,
    user,
    *,
    kind: str,
    key: str,
    title: str,
    body: str,
    reason: str,
    link: str = "",
    rule: PushRule | None = None,
    company: Company | None = None,
) -> Push | None:
    """One push, at most once per (person, kind, subject), never if that kind is off."""
    if Push.objects.filter(user=user, kind=kind, key=key).exists():
        return None
    if not preference_of(user).wants(kind):
        result.switched_off += 1
        return None
    try:
        with transaction.atomic():
            push = Push.objects.create(
                rule=rule,
                kind=kind,
                user=user,
                company=company,
                key=key[:160],
                title=title[:200],
                body=body,
                reason=reason[:300],
                link=link[:200],
            )
            note, sms = deliver(
                user,
                event=f"push:{kind}",
                title=title,
                body=f"{body}\n{reason}" if body else reason,
                link=link,
            )
            push.notification, push.sms = note, sms
            push.save(update_fields=["notification", "sms"])
    except IntegrityError:
        return None
    result.sent[kind] = result.sent.get(kind, 0) + 1
    return push


def scan(on: datetime.date | None = None) -> PushResult:
    on = on or timezone.localdate()
    result = PushResult()
    for rule in PushRule.objects.filter(is_active=True):
        if rule.licence_type_code:
            _licence_rule(result, rule, on)
        elif rule.after_item_code:
            _after_item_rule(result, rule, on)
        elif rule.audience == SpaceKind.PERSON:
            _person_rule(result, rule, on)
        else:
            _company_rule(result, rule, on)
    _follow_ons(result, on)
    return result


def _person_rule(result: PushResult, rule: PushRule, on: datetime.date) -> None:
    """Age and county live in the encrypted ID number, so each person not yet pushed this
    rule is read once, in chunks."""
    key = f"rule:{rule.code}"
    pushed = Push.objects.filter(user=OuterRef("user"), kind=rule.kind, key=key)
    people = Person.objects.select_related("user").exclude(Exists(pushed))
    if rule.theme_code:
        people = people.filter(user_id__in=subscribers(rule.theme_code))
    for person in people.iterator(chunk_size=2000):
        profile = person_profile(person, on)
        if rule.min_age is not None and (profile.age is None or profile.age < rule.min_age):
            continue
        if rule.max_age is not None and (profile.age is None or profile.age > rule.max_age):
            continue
        if rule.region_prefix and not profile.region_code.startswith(rule.region_prefix):
            continue
        values = _Values(
            age=profile.age, region=_region_name(profile.region_code), theme=_theme_name(rule)
        )
        send(
            result,
            person.user,
            kind=rule.kind,
            key=key,
            title=rule.title,
            body=rule.body,
            reason=rule.reason.format_map(values),
            link=rule.link,
            rule=rule,
        )


def subscribers(theme_code: str) -> set[int]:
    """The accounts following a theme. Matched in Python: JSON containment is not portable
    to SQLite; a preference row exists only for those who saved their settings."""
    rows = Preference.objects.values_list("user_id", "themes")
    return {user_id for user_id, themes in rows.iterator() if theme_code in (themes or [])}


def _theme_name(rule: PushRule) -> str:
    if not rule.theme_code:
        return ""
    from govhall.catalog.models import Theme

    return Theme.objects.filter(code=rule.theme_code).values_list("name", flat=True).first() or ""


def _company_matches(rule: PushRule, company: Company) -> bool:
    profile = getattr(company, "space_profile", None)
    if rule.industry and (profile is None or profile.industry != rule.industry):
        return False
    if rule.company_type and (profile is None or profile.company_type != rule.company_type):
        return False
    return not rule.region_prefix or company_region(company).startswith(rule.region_prefix)


def _company_rule(result: PushResult, rule: PushRule, on: datetime.date) -> None:
    companies = Company.objects.filter(is_active=True).select_related(
        "space_profile", "legal_representative__user"
    )
    following = subscribers(rule.theme_code) if rule.theme_code else None
    for company in companies:
        if not _company_matches(rule, company):
            continue
        if following is not None and company.legal_representative.user_id not in following:
            continue
        profile = getattr(company, "space_profile", None)
        values = _Values(
            industry=profile.industry if profile else "",
            company_type=profile.company_type if profile else "",
            region=_region_name(company_region(company)),
            theme=_theme_name(rule),
        )
        send(
            result,
            company.legal_representative.user,
            kind=rule.kind,
            key=f"rule:{rule.code}:company:{company.pk}",
            title=rule.title,
            body=rule.body,
            reason=rule.reason.format_map(values),
            link=rule.link,
            rule=rule,
            company=company,
        )


def _licence_rule(result: PushResult, rule: PushRule, on: datetime.date) -> None:
    horizon = on + datetime.timedelta(days=rule.days_before_expiry or 90)
    rows = Licence.objects.filter(
        type__code=rule.licence_type_code,
        state=LicenceState.VALID,
        current__valid_until__gte=on,
        current__valid_until__lte=horizon,
    ).select_related("type", "current", "person__user", "company__legal_representative__user")
    for licence in rows:
        if licence.holder_kind == HolderKind.COMPANY:
            if licence.company_id is None or not _company_matches(rule, licence.company):
                continue
            user, company = licence.company.legal_representative.user, licence.company
        else:
            if licence.person_id is None:
                continue
            user, company = licence.person.user, None
        until = licence.current.valid_until
        values = _Values(licence=licence.type.name, valid_until=f"{until:%Y年%m月%d日}")
        send(
            result,
            user,
            kind=rule.kind,
            key=f"rule:{rule.code}:licence:{licence.pk}:{until.isoformat()}",
            title=rule.title,
            body=rule.body,
            reason=rule.reason.format_map(values),
            link=rule.link,
            rule=rule,
            company=company,
        )


def _concluded_since(on: datetime.date):
    since = timezone.now() - datetime.timedelta(days=NEXT_SERVICE_WINDOW_DAYS)
    return Case.objects.filter(
        state=CaseState.CONCLUDED, concluded_at__gte=since, user__isnull=False
    ).select_related("user", "company")


def _after_item_rule(result: PushResult, rule: PushRule, on: datetime.date) -> None:
    for case in _concluded_since(on).filter(implementation_code=rule.after_item_code):
        send(
            result,
            case.user,
            kind=rule.kind,
            key=f"rule:{rule.code}:case:{case.number}",
            title=rule.title,
            body=rule.body,
            reason=rule.reason.format_map(_Values(item=case.item_name)),
            link=rule.link,
            rule=rule,
            company=case.company,
        )


def next_services(case: Case) -> list:
    """The next services of a concluded case: the follow-on items (后置事项) its catalogue
    version declares, then what applicants of the same item usually applied for next
    (co-occurrence in case history, ``analysis``), each with its reason."""
    from govhall.analysis.services import recommend

    return recommend.for_case(case)


def _follow_ons(result: PushResult, on: datetime.date) -> None:
    for case in _concluded_since(on).select_related("item_version"):
        for recommended in next_services(case):
            item = recommended.item
            send(
                result,
                case.user,
                kind=PushKind.NEXT_SERVICE,
                key=f"case:{case.number}:{item.implementation_code}",
                title=f"下一步可办理：{item.name}",
                body="",
                reason=recommended.reason,
                link=item.get_absolute_url(),
                company=case.company,
            )


@transaction.atomic
def mark_opened(user, pk: int) -> Push | None:
    push = Push.objects.select_for_update().filter(user=user, pk=pk).first()
    if push is not None and push.opened_at is None:
        push.opened_at = timezone.now()
        push.save(update_fields=["opened_at"])
    return push
