"""The service guide (办事指南) and business manual (业务手册) of a version, for every output.

``guide(version)`` gathers what the web page, the PDF and the API show: above all the
material list split into what the applicant brings and what the hall fetches itself
from e-licences or shared data. ``render_pdf`` prints the guide with WeasyPrint and the
Noto CJK fonts (Debian ``fonts-noto-cjk``); nothing is downloaded at run time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from ..models import (
    Depth,
    Item,
    ItemRelation,
    ItemType,
    ItemVersion,
    Material,
    MaterialSource,
    RelationKind,
)
from . import documents


@dataclass
class RelatedItem:
    kind: str
    kind_label: str
    item: Item
    note: str = ""


@dataclass
class Guide:
    version: ItemVersion
    item: Item
    materials_you_bring: list[Material]
    materials_fetched: list[Material]
    steps: list
    fees: list
    faqs: list
    special_procedures: list
    themes: list
    related: list[RelatedItem] = field(default_factory=list)
    versions: list[ItemVersion] = field(default_factory=list)

    @property
    def channels(self) -> list[str]:
        return [
            documents.CHANNEL_LABELS[k]
            for k, f in documents.CHANNELS.items()
            if getattr(self.version, f)
        ]

    @property
    def delivery(self) -> list[str]:
        return [documents.DELIVERY_LABELS[k] for k in self.version.deliveries]

    @property
    def audiences(self) -> list[str]:
        from ..models import Audience

        return [str(Audience(c).label) for c in self.version.audience_codes]

    @property
    def item_type_label(self) -> str:
        return str(ItemType(self.item.item_type).label)

    @property
    def depth_label(self) -> str:
        return str(Depth(self.version.depth).label)

    @property
    def step_days(self) -> int:
        return sum(s.time_limit_days for s in self.steps)

    def related_of(self, kind: str) -> list[RelatedItem]:
        return [r for r in self.related if r.kind == kind]

    @property
    def prerequisites(self) -> list[RelatedItem]:
        return self.related_of(RelationKind.PREREQUISITE)

    @property
    def follow_ons(self) -> list[RelatedItem]:
        return self.related_of(RelationKind.FOLLOW_ON)

    @property
    def related_items(self) -> list[RelatedItem]:
        return self.related_of(RelationKind.RELATED)


def guide(version: ItemVersion) -> Guide:
    item = version.item
    materials = list(version.materials.all())
    related = [
        RelatedItem(r.kind, r.get_kind_display(), r.target, r.note)
        for r in version.relations.select_related("target").order_by("sort_order")
    ]
    # Follow-on items also include published items that name this one as a prerequisite.
    declared = {(r.kind, r.item.pk) for r in related}
    for relation in ItemRelation.objects.filter(
        target=item, kind=RelationKind.PREREQUISITE, version__state=ItemVersion.State.PUBLISHED
    ).select_related("version__item"):
        other = relation.version.item
        if (RelationKind.FOLLOW_ON, other.pk) not in declared:
            related.append(RelatedItem(RelationKind.FOLLOW_ON, _("后置事项"), other, relation.note))
            declared.add((RelationKind.FOLLOW_ON, other.pk))
    return Guide(
        version=version,
        item=item,
        materials_you_bring=[m for m in materials if m.source == MaterialSource.APPLICANT],
        materials_fetched=[m for m in materials if m.source != MaterialSource.APPLICANT],
        steps=list(version.steps.all()),
        fees=list(version.fees.all()),
        faqs=list(version.faqs.all()),
        special_procedures=list(version.special_procedures.all()),
        themes=list(version.themes.order_by("audience", "sort_order")),
        related=related,
        versions=list(
            item.versions.filter(state__in=ItemVersion.PUBLIC_STATES).order_by("-number")
        ),
    )


def public_version(item: Item, number: int | None = None) -> ItemVersion | None:
    """The version anybody may read: the current one, or an older published one by number."""
    if number is None:
        return item.current
    return item.versions.filter(number=number, state__in=ItemVersion.PUBLIC_STATES).first()


def material_dict(material: Material) -> dict[str, Any]:
    return {
        "code": material.code,
        "name": material.name,
        "issuer": material.issuer,
        "originals": material.originals,
        "copies": material.copies,
        "required": material.required,
        "condition": material.condition,
        "media": material.media,
        "source": material.source,
        "provided_by": "applicant" if material.source == MaterialSource.APPLICANT else "hall",
        "licence_type_code": material.licence_type_code,
        "licence_type_name": material.licence_type_name,
        "shared_data_source": material.shared_data_source,
        "requirements": material.requirements,
    }


def render_pdf(version: ItemVersion, base_url: str | None = None) -> bytes:
    """The printable guide as PDF bytes."""
    import weasyprint

    html = render_to_string("catalog/guide_print.html", {"guide": guide(version)})
    return weasyprint.HTML(string=html, base_url=base_url).write_pdf()
