"""Serializers of the catalogue API; the guide itself is built by ``services.guides``."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ..models import ChangeType, Item, ItemType, ItemVersion, Theme
from ..services import documents, guides


class ThemeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Theme
        fields = ["code", "name", "audience", "sort_order", "description"]


class ItemSummarySerializer(serializers.ModelSerializer):
    """One row of the item list."""

    item_type_name = serializers.CharField(source="get_item_type_display")
    department = serializers.CharField(source="department.credit_code")
    department_name = serializers.CharField(source="department.name")
    region = serializers.CharField(source="region_id")
    region_name = serializers.CharField(source="region.name")
    audiences = serializers.SerializerMethodField()
    promised_limit_days = serializers.IntegerField(source="current.promised_limit_days")
    visits = serializers.IntegerField(source="current.visits")
    depth = serializers.IntegerField(source="current.depth")
    version = serializers.IntegerField(source="current.number")
    url = serializers.CharField(source="get_absolute_url")

    class Meta:
        model = Item
        fields = [
            "implementation_code",
            "basic_code",
            "name",
            "item_type",
            "item_type_name",
            "department",
            "department_name",
            "region",
            "region_name",
            "audiences",
            "promised_limit_days",
            "visits",
            "depth",
            "version",
            "url",
        ]

    def get_audiences(self, item: Item) -> list[str]:
        return list(item.current.audience_codes)


class MaterialOutSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    issuer = serializers.CharField()
    originals = serializers.IntegerField()
    copies = serializers.IntegerField()
    required = serializers.BooleanField()
    condition = serializers.CharField()
    media = serializers.CharField()
    source = serializers.CharField()
    provided_by = serializers.ChoiceField(choices=["applicant", "hall"])
    licence_type_code = serializers.CharField()
    licence_type_name = serializers.CharField()
    shared_data_source = serializers.CharField()
    requirements = serializers.CharField()


class RelatedOutSerializer(serializers.Serializer):
    kind = serializers.CharField()
    implementation_code = serializers.CharField()
    name = serializers.CharField()
    note = serializers.CharField()


class ItemGuideSerializer(serializers.Serializer):
    """The full service guide of one version (public contract, docs/api.md): codes,
    limits, materials, steps..."""

    implementation_code = serializers.CharField()
    basic_code = serializers.CharField()
    name = serializers.CharField()
    item_type = serializers.CharField()
    item_type_name = serializers.CharField()
    department = serializers.DictField()
    region = serializers.DictField()
    exercise_level = serializers.CharField()
    status = serializers.CharField()
    legal_basis = serializers.CharField()
    conditions = serializers.CharField()
    audiences = serializers.ListField(child=serializers.CharField())
    materials = MaterialOutSerializer(many=True)
    steps = serializers.ListField(child=serializers.DictField())
    statutory_limit_days = serializers.IntegerField(allow_null=True)
    promised_limit_days = serializers.IntegerField()
    case_type = serializers.CharField()
    has_fee = serializers.BooleanField()
    fee_basis = serializers.CharField()
    fees = serializers.ListField(child=serializers.DictField())
    visits = serializers.IntegerField()
    visits_reason = serializers.CharField()
    depth = serializers.IntegerField()
    min_realname_level = serializers.IntegerField()
    channels = serializers.ListField(child=serializers.CharField())
    delivery = serializers.ListField(child=serializers.CharField())
    themes = ThemeSerializer(many=True)
    related_items = RelatedOutSerializer(many=True)
    special_procedures = serializers.ListField(child=serializers.DictField())
    faqs = serializers.ListField(child=serializers.DictField())
    result_name = serializers.CharField()
    location = serializers.CharField()
    office_hours = serializers.CharField()
    consultation_phone = serializers.CharField()
    supervision_phone = serializers.CharField()
    version = serializers.IntegerField()
    published_at = serializers.DateTimeField(allow_null=True)
    url = serializers.CharField()
    pdf_url = serializers.CharField()

    def to_representation(self, version: ItemVersion) -> dict[str, Any]:
        return guide_payload(version)


STAFF_ONLY_KEYS = {"manual_notes"}
STEP_PUBLIC_KEYS = ("name", "post", "time_limit_days", "result")


def guide_payload(version: ItemVersion) -> dict[str, Any]:
    """The public guide of ``version`` as JSON (staff-only manual fields left out)."""
    doc = documents.version_document(version)
    g = guides.guide(version)
    item = version.item
    payload = {k: v for k, v in doc.items() if k not in STAFF_ONLY_KEYS}
    payload.update(
        name=version.name,
        item_type_name=str(ItemType(item.item_type).label),
        department={
            "code": item.department.credit_code,
            "name": item.department.name,
        },
        region={"code": item.region_id, "name": item.region.name},
        materials=[guides.material_dict(m) for m in version.materials.all()],
        steps=[{k: s[k] for k in STEP_PUBLIC_KEYS} for s in doc["steps"]],
        themes=ThemeSerializer(g.themes, many=True).data,
        related_items=[
            {
                "kind": r.kind,
                "implementation_code": r.item.implementation_code,
                "name": r.item.name,
                "note": r.note,
            }
            for r in g.related
        ],
        url=version.get_absolute_url(),
        pdf_url=item.get_absolute_url() + "guide.pdf",
    )
    payload.pop("department_name", None)
    payload.pop("relations", None)
    return payload


class VersionSummarySerializer(serializers.ModelSerializer):
    state_name = serializers.CharField(source="get_state_display")
    change_type_name = serializers.CharField(source="get_change_type_display")

    class Meta:
        model = ItemVersion
        fields = [
            "id",
            "number",
            "state",
            "state_name",
            "change_type",
            "change_type_name",
            "change_summary",
            "name",
            "created_at",
            "submitted_at",
            "reviewed_at",
            "published_at",
        ]


# --- write side -------------------------------------------------------------------------


class ItemCreateSerializer(serializers.Serializer):
    department = serializers.CharField(help_text="实施主体统一社会信用代码")
    item_type = serializers.ChoiceField(choices=ItemType.choices)
    name = serializers.CharField(max_length=200)
    basic_code = serializers.CharField(required=False, allow_blank=True, max_length=10)
    parent = serializers.CharField(required=False, allow_blank=True, help_text="主项实施编码")
    content = serializers.DictField(
        required=False, help_text="事项文档的内容字段（见docs/catalog.md）"
    )


class DraftCreateSerializer(serializers.Serializer):
    change_type = serializers.ChoiceField(choices=ChangeType.choices, default=ChangeType.CHANGE)
    change_summary = serializers.CharField(required=False, allow_blank=True, max_length=500)


class ReviewActionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    legality_ok = serializers.BooleanField(required=False, allow_null=True, default=None)
    compliance_ok = serializers.BooleanField(required=False, allow_null=True, default=None)


class DocumentSerializer(serializers.Serializer):
    """A whole item document (content keys of docs/catalog.md); validated by the services."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": ["请求体须为JSON对象。"]})
        return data

    def to_representation(self, instance):
        return instance


class SplitPartSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    basic_code = serializers.CharField(required=False, allow_blank=True, max_length=10)


class SplitSerializer(serializers.Serializer):
    parts = SplitPartSerializer(many=True)
    change_summary = serializers.CharField(max_length=500)


class MergeSerializer(serializers.Serializer):
    items = serializers.ListField(child=serializers.CharField(), min_length=2)
    name = serializers.CharField(max_length=200)
    change_summary = serializers.CharField(max_length=500)
    basic_code = serializers.CharField(required=False, allow_blank=True, max_length=10)


class ScenarioAnswersSerializer(serializers.Serializer):
    answers = serializers.DictField(child=serializers.CharField(), help_text="问题编码 → 选项编码")
