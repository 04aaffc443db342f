"""Turning the demo templates into catalogue data through the catalogue's own services.

Every write goes through ``govhall.catalog.services`` (validation, versions, audit, the
search-index hook), so the demo catalogue is exactly what an editor could have entered.
Loading is idempotent: unchanged documents are no-ops, changed ones become new versions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction

from govhall.catalog.data.themes import COMPANY_THEMES, PERSON_THEMES
from govhall.regions.models import Department, Region

from . import company, journeys, licence_types, person
from .common import Mat, Template, area_code, department_name

OFFICE_HOURS = "周一至周五 上午8:30-12:00，下午14:30-17:30（法定节假日除外）"


def all_templates() -> list[Template]:
    return person.TEMPLATES + company.TEMPLATES


@dataclass
class Plan:
    """Which (template, region) pairs to load; the default is all of them."""

    templates: list[Template]
    departments: dict[tuple[str, str], Department] = field(default_factory=dict)

    def pairs(self) -> Iterable[tuple[Template, Department]]:
        for template in self.templates:
            for region in template.levels:
                department = self.departments.get((template.key, region))
                if department is not None:
                    yield template, department


def make_plan(keys: Iterable[str] | None = None, regions: Iterable[str] | None = None) -> Plan:
    """Resolve the departments of each template in each region (parents of subsets included)."""
    templates = all_templates()
    if keys is not None:
        wanted = set(keys)
        by_key = {t.key: t for t in templates}
        for key in list(wanted):
            parent = by_key[key].parent if key in by_key else ""
            if parent:
                wanted.add(parent)
        templates = [t for t in templates if t.key in wanted]
    region_filter = set(regions) if regions is not None else None
    codes = {r for t in templates for r in t.levels}
    region_names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    names = {}
    for template in templates:
        for region in template.levels:
            if region_filter is not None and region not in region_filter:
                continue
            name = department_name(template.dept, region, region_names.get(region, ""))
            if name:
                names[(template.key, region)] = (region, name)
    found = {
        (d.region_id, d.name): d
        for d in Department.objects.filter(
            region_id__in={r for r, _ in names.values()}, name__in={n for _, n in names.values()}
        ).select_related("region")
    }
    departments = {pair: found[value] for pair, value in names.items() if value in found}
    return Plan(templates, departments)


def implementation_code(template_key: str, region: str, plan: Plan) -> str | None:
    from govhall.catalog.services import codes

    template = next((t for t in plan.templates if t.key == template_key), None)
    department = plan.departments.get((template_key, region))
    if template is None or department is None:
        return None
    return codes.implementation_code(department, template.code)


def _phone(department: Department) -> str:
    digits = int(hashlib.sha256(department.name.encode()).hexdigest()[:8], 16) % 10**7
    return f"{area_code(department.region_id)}-{3000000 + digits % 7000000:07d}"


def _material(mat: Mat, index: int) -> dict:
    return {
        "code": mat.code or f"M{index:02d}",
        "name": mat.name,
        "issuer": mat.issuer,
        "originals": mat.originals,
        "copies": mat.copies,
        "required": mat.required,
        "condition": mat.condition,
        "media": mat.media,
        "source": mat.source,
        "licence_type_code": licence_types.code_for(mat.licence) if mat.licence else "",
        "licence_type_name": mat.licence,
        "shared_data_source": mat.shared,
        "requirements": mat.requirements,
    }


def document(template: Template, department: Department, plan: Plan) -> dict:
    """The catalogue's item document for one template implemented by one department."""
    region = department.region
    channels = ["counter"]
    if template.online:
        channels.append("online")
    if template.mobile:
        channels.append("mobile")
    if template.kiosk:
        channels.append("kiosk")
    if template.post:
        channels.append("post")
    delivery = ["pickup"]
    if template.delivery_post or template.post:
        delivery.append("post")
    if template.delivery_electronic or template.depth == 4 or template.result_licence:
        delivery.append("electronic")
    parent_code = None
    if template.parent:
        parent_code = implementation_code(template.parent, region.code, plan)
    hall = "行政服务中心" if region.code == "440700" else "政务服务中心"
    location = f"{region.name}{hall}综合窗口（{department.name}）"
    if len(region.code) == 9:
        location = f"{region.name}网上办事站（{department.name}便民服务中心）"
    relations = []
    for source, kind, target, note in journeys.RELATIONS:
        if source != template.key and source != template.parent:
            continue
        for candidate in [region.code, region.code[:4] + "00", "440000"]:
            code = implementation_code(target, candidate, plan)
            if code:
                relations.append({"kind": kind, "target": code, "note": note})
                break
    return {
        "department": department.credit_code,
        "basic_code": template.code,
        "item_type": template.item_type,
        "parent": parent_code,
        "name": template.name,
        "aliases": template.aliases,
        "legal_basis": template.basis,
        "conditions": template.conditions,
        "joint_departments": template.joint,
        "intermediary_services": template.intermediary,
        "quantity_limit": template.quantity_limit,
        "audiences": list(template.audience),
        "themes": list(template.themes),
        "handling_scope": template.scope,
        "statutory_limit_days": template.statutory,
        "statutory_limit_note": template.statutory_note,
        "promised_limit_days": template.promised,
        "promised_limit_note": template.promised_note
        or ("即时办结" if template.promised == 0 else ""),
        "case_type": template.case_type,
        "has_fee": bool(template.fees),
        "fee_basis": template.fee_basis,
        "fees": [
            {
                "name": f.name,
                "standard": f.standard,
                "amount": str(f.amount) if f.amount is not None else None,
                "basis": f.basis,
                "reducible": False,
            }
            for f in template.fees
        ],
        "visits": template.visits,
        "visits_reason": template.visits_reason if template.visits else "",
        "depth": template.depth,
        "channels": channels,
        "supports_appointment": template.appointment,
        "supports_online_payment": bool(template.fees) and template.online,
        "supports_logistics": "post" in delivery,
        "result_name": template.result,
        "result_licence_type": licence_types.code_for(template.result_licence),
        "repeat_while_held": template.repeat_while_held,
        "result_sample": "",
        "delivery": delivery,
        "location": location,
        "office_hours": OFFICE_HOURS,
        "consultation_phone": _phone(department),
        "supervision_phone": f"{area_code(region.code)}-12345",
        "manual_notes": template.manual,
        "materials": [_material(m, i) for i, m in enumerate(template.materials, start=1)],
        "steps": [
            {
                "name": s.name,
                "post": s.post,
                "time_limit_days": s.days,
                "criteria": s.criteria,
                "result": s.result,
                "risk_points": s.risk,
                "risk_level": s.risk_level,
                "risk_controls": s.controls,
            }
            for s in template.step_list()
        ],
        "special_procedures": [
            {"kind": kind, "name": name, "time_limit_days": days, "note": note}
            for kind, name, days, note in template.special
        ],
        "faqs": [{"question": q, "answer": a} for q, a in template.faqs],
        "relations": relations,
        "form_fields": template.form,
        "decision_rules": template.rules,
        "change_type": "new",
        "change_summary": "",
    }


def documents(plan: Plan) -> list[dict]:
    return [document(t, d, plan) for t, d in plan.pairs()]


@dataclass
class DemoReport:
    themes: int = 0
    life_events: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    bundles: int = 0
    scenarios: int = 0
    synonyms_added: int = 0
    indexed: int = 0

    def lines(self) -> list[str]:
        return [
            f"服务主题 {self.themes} 个，人生事件 {self.life_events} 个",
            f"事项：新增 {self.created}，更新 {self.updated}，未变 {self.unchanged}",
            f"一件事 {self.bundles} 个，情形引导 {self.scenarios} 个",
            f"新增同义词组 {self.synonyms_added} 个，检索索引 {self.indexed} 条",
        ]


def load_themes() -> int:
    from govhall.catalog.services import themes

    count = 0
    for audience, rows in (("person", PERSON_THEMES), ("company", COMPANY_THEMES)):
        for order, (code, name, description) in enumerate(rows, start=1):
            themes.upsert_theme(
                code=code, name=name, audience=audience, sort_order=order, description=description
            )
            count += 1
    return count


def load_life_events(plan: Plan) -> int:
    from govhall.catalog.services import themes

    for order, (code, name, audience, description, theme_codes, keys) in enumerate(
        journeys.LIFE_EVENTS, start=1
    ):
        items = []
        for key in keys:
            for region in next((t.levels for t in plan.templates if t.key == key), ()):
                implementation = implementation_code(key, region, plan)
                if implementation:
                    items.append(implementation)
        themes.upsert_life_event(
            code=code,
            name=name,
            audience=audience,
            sort_order=order,
            description=description,
            themes=theme_codes,
            items=items,
        )
    return len(journeys.LIFE_EVENTS)


def load_bundles(plan: Plan) -> int:
    from govhall.catalog.services import bundles

    count = 0
    for code, name, audience, region, lead, event, theme_codes, limit, members in journeys.BUNDLES:
        resolved = [
            (implementation_code(key, member_region, plan), required, condition)
            for key, member_region, required, condition in members
        ]
        if any(c is None for c, _, _ in resolved):
            continue  # part of the bundle was not loaded (a subset load)
        bundles.save_bundle(
            code=code,
            name=name,
            audience=audience,
            region=region,
            description=f"{name}：一次申请，并联办理，统一出件。",
            lead_department=plan.departments.get(lead),
            life_event=event,
            themes=theme_codes,
            promised_limit_days=limit,
            members=[{"item": c, "required": r, "condition": cond} for c, r, cond in resolved],
        )
        count += 1
    return count


def _resolve_outcomes(doc: dict, plan: Plan) -> dict | None:
    for question in doc["questions"]:
        for option in question["options"]:
            resolved = []
            for result in option["outcomes"]:
                code = implementation_code(*result["item"], plan)
                if code is None:
                    return None
                resolved.append({**result, "item": code})
            option["outcomes"] = resolved
    return doc


def load_scenarios(plan: Plan) -> int:
    from govhall.catalog.services import scenarios

    count = 0
    for doc in journeys.scenarios():
        resolved = _resolve_outcomes(doc, plan)
        if resolved is not None:
            scenarios.save_scenario(resolved)
            count += 1
    return count


@transaction.atomic
def load_demo(
    keys: Iterable[str] | None = None, regions: Iterable[str] | None = None
) -> DemoReport:
    """Load themes, items, life events, bundles, scenarios and synonyms; index the items."""
    from govhall.catalog.services import items
    from govhall.search.engine import rebuild_index
    from govhall.search.models import ItemDocument
    from govhall.search.synonyms import load_synonyms

    report = DemoReport()
    report.themes = load_themes()
    plan = make_plan(keys, regions)
    loaded = items.load_documents(documents(plan), reason="载入演示事项目录")
    report.created, report.updated, report.unchanged = (
        len(loaded.created),
        len(loaded.updated),
        len(loaded.unchanged),
    )
    report.life_events = load_life_events(plan)
    report.bundles = load_bundles(plan)
    report.scenarios = load_scenarios(plan)
    report.synonyms_added = load_synonyms()
    changed = report.created or report.updated or report.synonyms_added
    if changed or not index_in_step():
        report.indexed = rebuild_index().documents
    else:
        report.indexed = ItemDocument.objects.count()
    return report


def index_in_step() -> bool:
    """Whether the search index holds exactly the published items (then no rebuild)."""
    from govhall.catalog.models import Item
    from govhall.search.models import ItemDocument

    published = set(Item.objects.published().values_list("pk", flat=True))
    return published == set(ItemDocument.objects.values_list("item_id", flat=True))
