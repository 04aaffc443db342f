"""Shapes of the holder's licence API (``/api/v1/my/licences/…``).

Components are prefixed ``Holder`` so they never collide with the public and staff
licence shapes in the one OpenAPI document. ID numbers are masked, as on the pages.
"""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from govhall.cases.api.serializers.common import text

from ..models import Licence, LicenceUse, LicenceVersion
from ..services import pdf, sharing, verification

STATE_HELP = "证照状态：valid 有效，revoked 已注销，expired 已过期"
STATUS_HELP = "核验状态：valid、revoked、expired（含有效期已过但尚未生成到期版本）"


class HolderRef(serializers.Serializer):
    code = serializers.CharField(help_text="代码（证照类型代码或统一社会信用代码）")
    name = serializers.CharField()


class HolderLicenceSummary(serializers.Serializer):
    identifier = serializers.CharField(help_text="当前版本的证照标识")
    number = serializers.CharField(help_text="证照编号")
    type = HolderRef(help_text="证照类型")
    issuer = HolderRef(help_text="签发部门")
    state = serializers.CharField(help_text=STATE_HELP)
    state_label = serializers.CharField()
    status = serializers.CharField(help_text=STATUS_HELP)
    status_label = serializers.CharField()
    issue_date = serializers.DateField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True, help_text="为空表示长期有效")


class HolderLicenceHolder(serializers.Serializer):
    name = serializers.CharField()
    code = serializers.CharField(help_text="身份证号码部分隐藏；统一社会信用代码完整显示")
    code_type = serializers.CharField(help_text="111 居民身份证，001 统一社会信用代码")


class HolderLicenceField(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    value = serializers.CharField()


class HolderLicenceAnnotation(serializers.Serializer):
    at = serializers.CharField(help_text="加注时间（ISO 8601）")
    author = serializers.CharField()
    text = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)
    valid_until = serializers.CharField(allow_null=True)


class HolderLicenceVersion(serializers.Serializer):
    version = serializers.IntegerField()
    identifier = serializers.CharField()
    kind = serializers.CharField(
        help_text="issue、digitise、annotate、renew、change、revoke、expire"
    )
    kind_label = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)
    issued_at = serializers.DateTimeField()


class HolderLicenceDetail(HolderLicenceSummary):
    holder = HolderLicenceHolder()
    data = HolderLicenceField(many=True, help_text="照面信息（按证照类型的信息项顺序）")
    annotations = HolderLicenceAnnotation(many=True)
    versions = HolderLicenceVersion(many=True, help_text="全部版本，最新在前")
    qr_text = serializers.CharField(
        allow_blank=True, help_text="亮证二维码内容（核验地址及签名载荷）；证照无效时为空"
    )
    pdf_url = serializers.CharField(help_text="下载带数字签名的版式文件（PDF）")


class HolderLicenceUse(serializers.Serializer):
    at = serializers.DateTimeField()
    identifier = serializers.CharField(help_text="被使用的版本的证照标识")
    kind = serializers.CharField(help_text="consent、read、request、counter、share、download")
    kind_label = serializers.CharField()
    department = HolderRef(allow_null=True, help_text="使用部门")
    user = serializers.CharField(help_text="使用人（工作人员显示名称或身份）")
    case_number = serializers.CharField(allow_null=True, help_text="办件编号")
    purpose = serializers.CharField(allow_blank=True)


class HolderShareRequest(serializers.Serializer):
    hours = serializers.IntegerField(
        help_text="链接有效时长（小时）：1、24、72 或 168",
        error_messages={
            "required": "请填写“hours”（链接有效时长）。",
            "invalid": "“hours”（链接有效时长）须为整数：1、24、72 或 168。",
        },
    )
    purpose = text(sharing.PURPOSE_MAX, "purpose（用途）")


class HolderShareCreated(serializers.Serializer):
    url = serializers.CharField(help_text="一次性分享链接，只返回这一次")
    expires_at = serializers.DateTimeField()


# --- payloads ----------------------------------------------------------------------------


def summary_payload(licence: Licence) -> dict:
    version = licence.current
    status = verification.status_of(version)
    return {
        "identifier": version.identifier,
        "number": licence.number,
        "type": {"code": licence.type.code, "name": licence.type.name},
        "issuer": {"code": licence.issuer.credit_code, "name": licence.issuer.name},
        "state": licence.state,
        "state_label": licence.get_state_display(),
        "status": status,
        "status_label": verification.STATUS_LABELS[status],
        "issue_date": version.issue_date,
        "valid_from": version.valid_from,
        "valid_until": version.valid_until,
    }


def _version(version: LicenceVersion) -> dict:
    return {
        "version": version.version,
        "identifier": version.identifier,
        "kind": version.kind,
        "kind_label": version.get_kind_display(),
        "reason": version.reason,
        "issued_at": version.issued_at,
    }


def detail_payload(licence: Licence, request=None) -> dict:
    version = licence.current
    payload = summary_payload(licence)
    return {
        **payload,
        "holder": {
            "name": licence.holder_name,
            "code": licence.masked_holder_code,
            "code_type": licence.holder_code_type,
        },
        "data": [{**row, "value": str(row["value"])} for row in pdf.labelled_data(version)],
        "annotations": [
            {
                "at": note.get("at", ""),
                "author": note.get("author", ""),
                "text": note.get("text", ""),
                "reason": note.get("reason", ""),
                "valid_until": note.get("valid_until"),
            }
            for note in version.annotations or []
        ],
        "versions": [_version(v) for v in licence.versions.order_by("-version")],
        "qr_text": verification.qr_text(version, request) if payload["status"] == "valid" else "",
        "pdf_url": reverse("api-my-licence-pdf", args=[version.identifier]),
    }


def use_payload(use: LicenceUse, who: str) -> dict:
    department = use.department
    return {
        "at": use.at,
        "identifier": use.identifier,
        "kind": use.kind,
        "kind_label": use.get_kind_display(),
        "department": {"code": department.credit_code, "name": department.name}
        if department
        else None,
        "user": who,
        "case_number": use.case.number if use.case_id else None,
        "purpose": use.purpose,
    }
