"""Drafts (申请) through the API: start, fill in, supply materials, submit."""

from __future__ import annotations

from rest_framework import serializers

from govhall.core.api.serializers import ApiError

from ...models import ONLINE_CHANNELS, Application, Channel
from ...services import applications
from .cases import CaseSummary, case_summary
from .common import text

DELIVERY_CHOICES = ["electronic", "post", "pickup"]


class ApplicationStartRequest(serializers.Serializer):
    item = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="事项实施编码"
    )
    bundle = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="“一件事”编码"
    )
    channel = serializers.ChoiceField(
        choices=[(c.value, c.label) for c in ONLINE_CHANNELS],
        default=Channel.ONLINE,
        error_messages={"invalid_choice": "“申请渠道”须为online（网上）或mobile（移动端）。"},
    )

    def validate(self, attrs):
        if bool(attrs["item"].strip()) == bool(attrs["bundle"].strip()):
            raise serializers.ValidationError(
                {"item": "请提供item（事项实施编码）或bundle（“一件事”编码），二者选一。"}
            )
        return attrs


class ApplicationUpdateRequest(serializers.Serializer):
    answers = serializers.DictField(
        required=False,
        help_text="表单字段名 → 值；只改动提交的字段，其余保留",
        error_messages={"not_a_dict": "“answers”须为对象（字段名 → 值）。"},
    )
    contact_name = text(50, "联系人")
    contact_phone = text(20, "联系电话")
    delivery = serializers.ChoiceField(
        choices=DELIVERY_CHOICES,
        required=False,
        allow_blank=True,
        error_messages={"invalid_choice": "“送达方式”须为electronic、post或pickup。"},
    )
    delivery_address = text(200, "送达地址")

    def validate_answers(self, value: dict) -> dict:
        optional = value.get("_optional_items")
        if optional is not None and not (
            isinstance(optional, list) and all(isinstance(c, str) for c in optional)
        ):
            raise serializers.ValidationError(
                "“_optional_items”须为所选可选事项实施编码的列表。", code="invalid"
            )
        return value


class MaterialUploadRequest(serializers.Serializer):
    key = serializers.CharField(
        max_length=220, error_messages={"required": "请提供key（材料标识）。"}
    )
    file = serializers.FileField(
        required=False,
        help_text="PDF、JPG或PNG，不超过10MB",
        error_messages={
            "invalid": "“file”须为上传的文件（multipart/form-data）。",
            "empty": "文件为空，请重新选择。",
            "no_name": "无法确定上传文件的文件名。",
        },
    )
    title = text(200, "材料名称")


class LockerUploadRequest(serializers.Serializer):
    file = serializers.FileField(
        help_text="PDF、JPG或PNG，不超过10MB",
        error_messages={
            "required": "请上传file（文件）。",
            "invalid": "“file”须为上传的文件（multipart/form-data）。",
            "empty": "文件为空，请重新选择。",
            "no_name": "无法确定上传文件的文件名。",
        },
    )
    title = text(200, "材料名称")
    key = serializers.CharField(
        max_length=220, required=False, allow_blank=True, default="", help_text="材料标识（可选）"
    )


class MaterialFromLockerRequest(serializers.Serializer):
    key = serializers.CharField(
        max_length=220, error_messages={"required": "请提供key（材料标识）。"}
    )
    locker_file = serializers.UUIDField(
        required=False,
        help_text="材料库中文件的标识",
        error_messages={"invalid": "“locker_file”须为材料库文件的标识（UUID）。"},
    )


class MaterialAttachRequest(MaterialUploadRequest, MaterialFromLockerRequest):
    """Either an upload (multipart ``file``) or a file already in the locker."""

    def validate(self, attrs):
        if ("file" in attrs) == ("locker_file" in attrs):
            raise serializers.ValidationError(
                {"file": "请上传文件（file）或选择材料库中的文件（locker_file），二者选一。"}
            )
        return attrs


class StoredFileOut(serializers.Serializer):
    public_id = serializers.UUIDField()
    name = serializers.CharField()
    title = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class SuppliedMaterial(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    source = serializers.CharField(help_text="upload / locker / licence / shared / ...")
    file = StoredFileOut(allow_null=True)
    reference = serializers.CharField(help_text="电子证照标识（来源为证照时）")


class MaterialNeedOut(serializers.Serializer):
    key = serializers.CharField(help_text="材料标识，上传时使用")
    name = serializers.CharField()
    required = serializers.BooleanField()
    source = serializers.CharField(help_text="applicant / licence / shared")
    fetched_by_hall = serializers.BooleanField(help_text="由大厅通过共享数据获取，无需提供")
    requirements = serializers.CharField()
    items = serializers.ListField(child=serializers.CharField())
    supplied = serializers.BooleanField()


class ApplicationRef(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ApplicationOut(serializers.Serializer):
    public_id = serializers.UUIDField()
    state = serializers.CharField(help_text="draft 草稿 / submitted 已提交")
    state_label = serializers.CharField()
    title = serializers.CharField()
    item = ApplicationRef(allow_null=True, help_text="code 为事项实施编码")
    bundle = ApplicationRef(allow_null=True)
    channel = serializers.CharField()
    answers = serializers.DictField()
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField()
    delivery = serializers.CharField()
    delivery_address = serializers.CharField()
    form = serializers.ListField(child=serializers.DictField(), help_text="表单字段定义")
    materials_needed = MaterialNeedOut(many=True)
    materials = SuppliedMaterial(many=True)
    problems = ApiError(many=True, help_text="提交前尚需解决的问题（草稿时）")
    cases = serializers.ListField(child=serializers.CharField(), help_text="已生成的办件编号")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)


class SubmitIn(serializers.Serializer):
    licence_consent = serializers.BooleanField(
        default=False,
        help_text=(
            "同意受理部门调用申请人的电子证照代替相应材料（有材料由电子证照提供时必须为 true）"
        ),
    )


class LockerMaterial(serializers.Serializer):
    key = serializers.CharField(
        max_length=220, error_messages={"required": "请提供key（材料标识）。"}
    )
    locker_file = serializers.UUIDField(
        help_text="材料库中文件的标识",
        error_messages={
            "required": "请提供locker_file（材料库文件的标识）。",
            "invalid": "“locker_file”须为材料库文件的标识（UUID）。",
        },
    )


class ApplyRequest(ApplicationStartRequest, ApplicationUpdateRequest, SubmitIn):
    """The whole application in one request: item or bundle, answers, contact, materials."""

    answers = serializers.DictField(
        help_text="表单字段名 → 值（完整的申请表）",
        error_messages={
            "required": "请提供answers（申请表内容）。",
            "not_a_dict": "“answers”须为对象（字段名 → 值）。",
        },
    )
    materials = LockerMaterial(
        many=True, required=False, default=list, help_text="材料库中的文件，每份材料一个"
    )

    def validate_materials(self, value: list) -> list:
        keys = [m["key"] for m in value]
        if len(keys) != len(set(keys)):
            raise serializers.ValidationError("同一份材料（key）只能提供一次。", code="duplicate")
        return value


class SubmissionOut(serializers.Serializer):
    application = serializers.UUIDField()
    bundle_case = serializers.CharField(allow_null=True, help_text="“一件事”办件编号")
    cases = CaseSummary(many=True)


def submission(application, bundle_case: str | None, cases) -> dict:
    """``SubmissionOut`` of a submission as a plain dict (``case_summary`` per case):
    the answer of ``apply`` and ``submit``, compared with the serializer's in
    ``test_api_payloads.py``."""
    return {
        "application": None if application is None else str(application.public_id),
        "bundle_case": bundle_case,
        "cases": [case_summary(case) for case in cases],
    }


def stored_file(stored) -> dict | None:
    if stored is None:
        return None
    return {
        "public_id": stored.public_id,
        "name": stored.name,
        "title": stored.title,
        "content_type": stored.content_type,
        "size": stored.size,
        "created_at": stored.created_at,
    }


def supplied_material(material) -> dict:
    return {
        "key": material.key,
        "name": material.name,
        "source": material.source,
        "file": stored_file(material.file),
        "reference": material.reference,
    }


def _problem_field(field: str) -> str:
    return "answers." + field[len("form.") :] if field.startswith("form.") else field


def application_payload(application: Application) -> dict:
    supplied = list(application.materials.select_related("file").order_by("key"))
    keys = {m.key for m in supplied}
    problems = []
    if application.state == Application.State.DRAFT:
        _, found = applications.check_complete(application)
        problems = [
            {"field": _problem_field(p.field), "code": p.code, "message": p.message} for p in found
        ]
    item, bundle = application.item, application.bundle
    return {
        "public_id": application.public_id,
        "state": application.state,
        "state_label": application.get_state_display(),
        "title": application.title,
        "item": {"code": item.implementation_code, "name": item.name} if item else None,
        "bundle": {"code": bundle.code, "name": bundle.name} if bundle else None,
        "channel": application.channel,
        "answers": application.answers,
        "contact_name": application.contact_name,
        "contact_phone": application.contact_phone,
        "delivery": application.delivery,
        "delivery_address": application.delivery_address,
        "form": applications.form_of(application),
        "materials_needed": [
            {
                "key": n.key,
                "name": n.name,
                "required": n.required,
                "source": n.source,
                "fetched_by_hall": n.fetched_by_hall,
                "requirements": n.requirements,
                "items": n.items,
                "supplied": n.key in keys,
            }
            for n in applications.material_needs(application)
        ],
        "materials": [supplied_material(m) for m in supplied],
        "problems": problems,
        "cases": list(application.cases.order_by("pk").values_list("number", flat=True)),
        "created_at": application.created_at,
        "updated_at": application.updated_at,
        "submitted_at": application.submitted_at,
    }
