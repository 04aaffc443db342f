"""Splitting a published guide into clauses, and keeping them in step with publishing.

Every clause text is a sentence built only from the guide's own fields, so an answer
that quotes clauses never states a material, fee, limit or place the guide does not.
``index_version`` runs inside the publishing transaction (``catalog.signals
.version_published``): the clauses of a version exist exactly when it is published.
"""

from __future__ import annotations

from django.db import transaction

from govhall.catalog.models import Item, ItemVersion
from govhall.search.text import index_tokens

from ..models import Aspect, Clause

CHANNEL_LABELS = (
    ("channel_online", "电脑端网上办理"),
    ("channel_mobile", "移动端办理"),
    ("channel_counter", "窗口办理"),
    ("channel_kiosk", "自助终端办理"),
    ("channel_post", "快递申请"),
)
DELIVERY_LABELS = (
    ("delivery_pickup", "窗口领取"),
    ("delivery_post", "邮寄送达"),
    ("delivery_electronic", "电子送达"),
)


def _days(days: int | None, note: str) -> str:
    if days is None:
        return note or "未规定"
    text = "即办（当场办结）" if days == 0 else f"{days}个工作日"
    return f"{text}（{_bare(note)}）" if note else text


def _bare(text: str) -> str:
    """A field without its closing punctuation, to be placed inside a sentence."""
    return (text or "").strip().rstrip("。；;，,.")


def _material_text(m) -> str:
    parts = []
    if m.originals:
        parts.append(f"原件{m.originals}份")
    if m.copies:
        parts.append(f"复印件{m.copies}份")
    parts.append("必须提交" if m.required else "非必需")
    if m.condition:
        parts.append(f"适用情形：{_bare(m.condition)}")
    if m.requirements:
        parts.append(f"要求：{_bare(m.requirements)}")
    if m.source == "licence":
        parts.append("可使用电子证照，免于提交纸质材料")
    elif m.source == "shared":
        parts.append("由部门通过数据共享获取，无需提交")
    if m.issuer:
        parts.append(f"出具机构：{_bare(m.issuer)}")
    return f"申请材料“{m.name}”：{'，'.join(parts)}。"


def clause_rows(version: ItemVersion) -> list[dict]:
    """(section, key, title, text) of every clause of one version, in guide order."""
    v = version
    rows: list[tuple[str, str, str, str]] = []

    def add(section: str, key: str, title: str, text: str) -> None:
        if text and text.strip():
            rows.append((section, key, title, text.strip()))

    if v.conditions:
        add(Aspect.CONDITIONS, "conditions", "受理条件", f"受理条件：{v.conditions}")
    materials = sorted(v.materials.all(), key=lambda r: (r.sort_order, r.pk))
    for index, m in enumerate(materials, start=1):
        add(Aspect.MATERIALS, f"materials.{m.code or index}", m.name, _material_text(m))
    fees = sorted(v.fees.all(), key=lambda r: (r.sort_order, r.pk))
    if not v.has_fee:
        add(Aspect.FEES, "fees", "收费", "本事项不收费。")
    else:
        for index, f in enumerate(fees, start=1):
            text = f"收费项目“{f.name}”：收费标准{_bare(f.standard)}"
            if f.basis:
                text += f"，依据{_bare(f.basis)}"
            if f.reducible:
                text += "，可以减免"
            add(Aspect.FEES, f"fees.{index}", f.name, text + "。")
        if not fees and v.fee_basis:
            add(Aspect.FEES, "fees", "收费", f"本事项收费，收费依据：{v.fee_basis}。")
    add(
        Aspect.TIME_LIMIT,
        "time_limit.statutory",
        "法定办结时限",
        f"法定办结时限：{_days(v.statutory_limit_days, v.statutory_limit_note)}。",
    )
    add(
        Aspect.TIME_LIMIT,
        "time_limit.promised",
        "承诺办结时限",
        f"承诺办结时限：{_days(v.promised_limit_days, v.promised_limit_note)}。",
    )
    visits = f"到办事现场次数：{v.visits}次"
    if v.visits == 0:
        visits += "（全程网上办理，无需到现场）"
    elif v.visits_reason:
        visits += f"，原因：{_bare(v.visits_reason)}"
    add(Aspect.VISITS, "visits", "到现场次数", visits + "。")
    if v.location:
        add(Aspect.LOCATION, "location", "办理地点", f"办理地点：{_bare(v.location)}。")
    if v.office_hours:
        add(Aspect.LOCATION, "location.hours", "办理时间", f"办理时间：{_bare(v.office_hours)}。")
    steps = sorted(v.steps.all(), key=lambda r: (r.sort_order, r.pk))
    if steps:
        chain = "→".join(
            f"{s.name}（{s.time_limit_days}个工作日）" if s.time_limit_days else s.name
            for s in steps
        )
        add(Aspect.PROCESS, "process", "办理流程", f"办理流程：{chain}。")
    channels = [label for name, label in CHANNEL_LABELS if getattr(v, name)]
    if channels:
        text = f"办理渠道：{'、'.join(channels)}"
        if v.supports_appointment:
            text += "，支持预约办理"
        add(Aspect.CHANNELS, "channels", "办理渠道", text + "。")
    if v.legal_basis:
        add(Aspect.LEGAL_BASIS, "legal_basis", "设定依据", f"设定依据：{v.legal_basis}")
    delivery = [label for name, label in DELIVERY_LABELS if getattr(v, name)]
    if v.result_name:
        text = f"办理结果：{_bare(v.result_name)}"
        if delivery:
            text += f"，送达方式：{'、'.join(delivery)}"
        add(Aspect.RESULT, "result", "办理结果", text + "。")
    phones = []
    if v.consultation_phone:
        phones.append(f"咨询电话：{v.consultation_phone}")
    if v.supervision_phone:
        phones.append(f"监督投诉电话：{v.supervision_phone}")
    if phones:
        add(Aspect.CONSULTATION, "consultation", "咨询方式", "；".join(phones) + "。")
    faqs = sorted(v.faqs.all(), key=lambda r: (r.sort_order, r.pk))
    for index, faq in enumerate(faqs, start=1):
        add(Aspect.FAQ, f"faq.{index}", faq.question, f"问：{faq.question} 答：{faq.answer}")
    return [
        {"section": s, "key": k, "title": t[:300], "text": x, "sort_order": i}
        for i, (s, k, t, x) in enumerate(rows)
    ]


def _tokens(title: str, text: str) -> str:
    return " ".join(dict.fromkeys(index_tokens(f"{title} {text}")))


@transaction.atomic
def index_version(version: ItemVersion) -> int:
    """(Re)build the clauses of a published version; mark the item's current version."""
    item = Item.objects.get(pk=version.item_id)
    Clause.objects.filter(version=version).delete()
    is_current = item.current_id == version.pk and item.status == Item.Status.ACTIVE
    clauses = [
        Clause(
            item=item,
            version=version,
            implementation_code=item.implementation_code,
            version_number=version.number,
            region_code=item.region_id,
            tokens=_tokens(row["title"], row["text"]),
            is_current=is_current,
            **row,
        )
        for row in clause_rows(version)
    ]
    Clause.objects.bulk_create(clauses)
    Clause.objects.filter(item=item).exclude(version=version).update(is_current=False)
    if not is_current:
        Clause.objects.filter(item=item).update(is_current=False)
    return len(clauses)


def reindex_all() -> int:
    """Clauses for every published version that has none (existing databases, repairs)."""
    count = 0
    versions = ItemVersion.objects.filter(state__in=["published", "superseded"]).exclude(
        assistant_clauses__isnull=False
    )
    for version in versions.iterator():
        count += index_version(version)
    return count


def clauses_of(item: Item, version_number: int | None = None) -> list[Clause]:
    """The clauses of an item's current version (built on first use if missing)."""
    if version_number is None:
        if item.current_id is None:
            return []
        version_number = item.current.number
    found = list(
        Clause.objects.filter(item=item, version_number=version_number).order_by("sort_order")
    )
    if not found and item.current_id and item.current.number == version_number:
        index_version(item.current)
        found = list(Clause.objects.filter(item=item, version_number=version_number))
    return found
