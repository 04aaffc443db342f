"""Shapes of the licence API: verification, published keys and revocations, the licence-type
catalogue, and the staff desk (list, detail, lifecycle actions)."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from govhall.cases.api.serializers.common import CaseDepartmentRef
from govhall.core.api.serializers import ApiErrors

from ..services import catalogue
from ..services.verification import STATUS_LABELS

LicenceApiErrors = ApiErrors
STATUS_HELP = "；".join(f"{k} {v}" for k, v in STATUS_LABELS.items())


def _text(label: str, max_length: int, *, required: bool = False, **kwargs):
    return serializers.CharField(
        required=required,
        allow_blank=not required,
        default="" if not required else serializers.empty,
        max_length=max_length,
        trim_whitespace=True,
        error_messages={
            "required": f"请填写“{label}”。",
            "blank": f"请填写“{label}”。",
            "max_length": f"“{label}”不能超过{max_length}个字符。",
            "invalid": f"“{label}”须为文本。",
            "null": f"“{label}”不能为null。",
        },
        **kwargs,
    )


def _date(label: str, **kwargs):
    return serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        error_messages={
            "invalid": f"“{label}”须为日期（YYYY-MM-DD）。",
            "datetime": f"“{label}”须为日期（YYYY-MM-DD）。",
        },
        **kwargs,
    )


# --- verification ----------------------------------------------------------------------


class VerifyRequest(serializers.Serializer):
    identifier = _text(
        "证照标识",
        200,
        help_text="证照标识，如 1.2.156.3005.2.<类型>.<颁证单位>.<顺序号>.<版本><校验位>",
    )
    payload = _text(
        "二维码内容",
        4000,
        help_text="二维码内容：GHL1.… 签名载荷，或含 ?p= 的核验网址（二者取其一）",
    )


class NamedCode(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class MaskedHolder(serializers.Serializer):
    name = serializers.CharField(help_text="自然人姓名已脱敏（张*明）；单位名称公开")
    code = serializers.CharField(help_text="身份证号码已脱敏；统一社会信用代码公开")


class SignatureInfo(serializers.Serializer):
    algorithm = serializers.CharField(help_text="SM2-SM3，签名者标识 1234567812345678")
    key_id = serializers.CharField(help_text="签名密钥标识，见 /api/v1/licences/issuers")
    signed_at = serializers.DateTimeField()


class QrInfo(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["static", "live"])
    signed_at = serializers.DateTimeField(required=False)
    expires_at = serializers.DateTimeField(required=False)
    expired = serializers.BooleanField(required=False)


class PhotoField(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.CharField(allow_blank=True)


class VerifyResult(serializers.Serializer):
    identifier = serializers.CharField(help_text="所核验版本的证照标识（无法识别时为空）")
    status = serializers.ChoiceField(choices=list(STATUS_LABELS), help_text=STATUS_HELP)
    status_label = serializers.CharField()
    signature_valid = serializers.BooleanField(
        help_text="签名是否验证通过（二维码核验时，二维码签名与存档签名均须通过）"
    )
    reason = serializers.CharField(
        allow_blank=True, help_text="status 为 unknown 时说明原因，否则为空"
    )
    version = serializers.IntegerField(allow_null=True)
    current_identifier = serializers.CharField(
        allow_null=True,
        help_text="该证照当前版本的标识（status 为 superseded 时与 identifier 不同）",
    )
    number = serializers.CharField(allow_null=True, help_text="证照编号")
    type = NamedCode(allow_null=True)
    holder = MaskedHolder(allow_null=True)
    issuer = NamedCode(allow_null=True)
    issue_date = serializers.DateField(allow_null=True)
    valid_from = serializers.DateField(allow_null=True)
    valid_until = serializers.DateField(allow_null=True, help_text="空表示长期有效")
    revocation_reason = serializers.CharField(allow_blank=True)
    signature = SignatureInfo(allow_null=True)
    qr = QrInfo(
        allow_null=True,
        help_text="所核验二维码：static 打印件静态码；live 亮证动态码（含签名时间与有效期）；"
        "按证照标识核验时为 null",
    )
    photo = PhotoField(allow_null=True, help_text="证照类型含照片字段时，供核对持证人本人")


VERIFY_KEYS = (
    "version",
    "current_identifier",
    "number",
    "type",
    "holder",
    "issuer",
    "issue_date",
    "valid_from",
    "valid_until",
    "signature",
    "qr",
    "photo",
)


def verify_payload(answer: dict) -> dict:
    """``verification.verify``'s answer with every key present (null when unknown)."""
    out = {key: answer.get(key) for key in VERIFY_KEYS}
    out.update(
        identifier=answer.get("identifier") or "",
        status=answer["status"],
        status_label=answer["status_label"],
        signature_valid=bool(answer.get("signature_valid")),
        reason=answer.get("reason") or "",
        revocation_reason=answer.get("revocation_reason") or "",
    )
    return out


# --- published keys and revocations ------------------------------------------------------


class IssuerKeyOut(serializers.Serializer):
    key_id = serializers.CharField()
    is_root = serializers.BooleanField(help_text="平台根密钥：签署吊销列表、签发部门证书")
    department = CaseDepartmentRef(allow_null=True, help_text="签发部门；根密钥为 null")
    algorithm = serializers.CharField()
    signer_id = serializers.CharField()
    public_key_pem = serializers.CharField(help_text="SM2 公钥（SubjectPublicKeyInfo PEM）")
    public_key_hex = serializers.CharField(help_text="SM2 公钥 X‖Y（128位十六进制）")
    certificate = serializers.CharField(help_text="版式文件签名证书（P-256，PEM）")
    sm2_certificate = serializers.CharField(
        help_text="SM2 公钥的证书（PEM，SM2-with-SM3，由平台根证书签发；根证书自签名）"
    )
    sm2_certificate_sha256 = serializers.CharField(
        help_text="SM2 证书的 SHA-256 指纹（与 openssl x509 -fingerprint -sha256 输出一致）"
    )
    created_at = serializers.DateTimeField()
    retired_at = serializers.DateTimeField(allow_null=True)
    active = serializers.BooleanField()


class IssuerList(serializers.Serializer):
    algorithm = serializers.CharField()
    signer_id = serializers.CharField()
    keys = IssuerKeyOut(many=True)


class RevocationList(serializers.Serializer):
    list = serializers.CharField(
        help_text=(
            "签名覆盖的规范化JSON文本：{format, generated_at, key_id, revocations: "
            "[{licence, identifiers, revoked_at, reason}]}"
        )
    )
    signature = serializers.CharField(
        help_text="对 list 的 UTF-8 字节的 SM2-SM3 签名（DER，Base64）"
    )
    key_id = serializers.CharField(help_text="平台根密钥标识")
    algorithm = serializers.CharField()
    signer_id = serializers.CharField()
    generated_at = serializers.DateTimeField()
    count = serializers.IntegerField()


# --- licence-type catalogue ---------------------------------------------------------------


class TypeField(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    type = serializers.CharField(help_text="text / date / number")
    required = serializers.BooleanField()


class LicenceTypeSummary(serializers.Serializer):
    code = serializers.CharField(help_text="证照类型代码（21位）")
    name = serializers.CharField()
    defining_body = serializers.CharField()
    defining_body_code = serializers.CharField()
    holder_kind = serializers.CharField(help_text="person 自然人 / company 法人和其他组织")
    validity_years = serializers.IntegerField(help_text="0 表示长期有效")
    url = serializers.CharField(help_text="本接口中的详情地址")


def type_summary(licence_type) -> dict:
    return {
        "code": licence_type.code,
        "name": licence_type.name,
        "defining_body": licence_type.defining_body,
        "defining_body_code": licence_type.defining_body_code,
        "holder_kind": licence_type.holder_kind,
        "validity_years": licence_type.validity_years,
        "url": reverse("api-licence-type", kwargs={"code": licence_type.code}),
    }


class ItemRef(serializers.Serializer):
    implementation_code = serializers.CharField()
    name = serializers.CharField()
    department = CaseDepartmentRef()
    region = serializers.CharField(help_text="行政区划代码")
    guide_url = serializers.CharField(help_text="办事指南页面")
    materials = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="用证清单：以该证照代替的材料"
    )


def item_ref(item, materials=None) -> dict:
    row = {
        "implementation_code": item.implementation_code,
        "name": item.current.name if item.current_id else item.name,
        "department": {"code": item.department.credit_code, "name": item.department.name},
        "region": item.region_id,
        "guide_url": item.get_absolute_url(),
    }
    if materials is not None:
        row["materials"] = list(materials)
    return row


class LicenceTypeDetail(LicenceTypeSummary):
    holder_kind_label = serializers.CharField()
    fields = TypeField(many=True)
    number_prefix = serializers.CharField()
    issuing_departments = CaseDepartmentRef(many=True)
    issuing_items = ItemRef(many=True, help_text="发证清单（最多200项）")
    issuing_count = serializers.IntegerField()
    using_items = ItemRef(many=True, help_text="用证清单（最多200项）")
    using_count = serializers.IntegerField()


def type_detail(licence_type, lists: catalogue.TypeLists) -> dict:
    return {
        **type_summary(licence_type),
        "holder_kind_label": licence_type.get_holder_kind_display(),
        "fields": catalogue.clean_fields(licence_type.fields or []),
        "number_prefix": licence_type.number_prefix,
        "issuing_departments": [
            {"code": d.credit_code, "name": d.name}
            for d in licence_type.issuing_departments.order_by("region__code", "name")
        ],
        "issuing_items": [item_ref(item) for item in lists.issuing],
        "issuing_count": lists.issuing_count,
        "using_items": [item_ref(row.item, row.materials) for row in lists.using],
        "using_count": lists.using_count,
    }


# --- staff desk ---------------------------------------------------------------------------


class StaffLicenceRow(serializers.Serializer):
    identifier = serializers.CharField(source="current.identifier", help_text="当前版本标识")
    number = serializers.CharField()
    type = serializers.SerializerMethodField()
    holder_name = serializers.CharField()
    holder_code = serializers.CharField(source="masked_holder_code", help_text="已脱敏")
    issuer = serializers.SerializerMethodField()
    state = serializers.CharField(help_text="valid 有效 / revoked 已注销 / expired 已过期")
    state_label = serializers.CharField(source="get_state_display")
    version = serializers.IntegerField(source="current.version")
    valid_from = serializers.DateField(source="current.valid_from")
    valid_until = serializers.DateField(source="current.valid_until", allow_null=True)
    created_at = serializers.DateTimeField()

    @extend_schema_field(NamedCode)
    def get_type(self, licence) -> dict:
        return {"code": licence.type.code, "name": licence.type.name}

    @extend_schema_field(CaseDepartmentRef)
    def get_issuer(self, licence) -> dict:
        return {"code": licence.issuer.credit_code, "name": licence.issuer.name}


class StaffVersionOut(serializers.Serializer):
    version = serializers.IntegerField()
    identifier = serializers.CharField()
    kind = serializers.CharField(
        help_text="issue / digitise / annotate / renew / change / revoke / expire"
    )
    kind_label = serializers.CharField(source="get_kind_display")
    reason = serializers.CharField()
    data = serializers.DictField()
    annotations = serializers.ListField(child=serializers.DictField())
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True)
    issued_at = serializers.DateTimeField()
    key_id = serializers.CharField(source="key.key_id")


class StaffLicenceDetail(StaffLicenceRow):
    data = serializers.DictField(source="current.data")
    annotations = serializers.ListField(source="current.annotations", child=serializers.DictField())
    versions = StaffVersionOut(many=True, source="version_list")


class AnnotateRequest(serializers.Serializer):
    text = _text("加注内容", 500)
    reason = _text("原因", 500)
    valid_until = _date("加注有效期至")


class RenewRequest(serializers.Serializer):
    valid_until = _date("有效期截止", help_text="空则按类型有效期自今日起算")
    reason = _text("原因", 500)


class ChangeRequest(serializers.Serializer):
    data = serializers.DictField(
        required=False,
        default=dict,
        help_text="要变更的照面信息项（name → 值）",
        error_messages={"not_a_dict": "“照面信息”须为JSON对象。"},
    )
    holder_name = _text("持证主体名称", 200)
    reason = _text("原因", 500)


class RevokeRequest(serializers.Serializer):
    reason = _text("原因", 500)


ACTION_REQUESTS = {
    "annotate": AnnotateRequest,
    "renew": RenewRequest,
    "change": ChangeRequest,
    "revoke": RevokeRequest,
}
