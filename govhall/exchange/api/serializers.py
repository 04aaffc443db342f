"""Shapes of the exchange API (for the OpenAPI document; the records themselves are
checked against the JSON Schema files by ``services.spec``)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from govhall.core.api.serializers import ApiErrors

from ..models import QualityCheck

ExchangeApiErrors = ApiErrors


@extend_schema_field(
    {
        "type": "object",
        "description": "一条办件过程信息，格式见 /api/v1/exchange/schemas/process-record-1.0.json",
        "additionalProperties": True,
    }
)
class RecordField(serializers.DictField):
    pass


class ProcessRecordBatch(serializers.Serializer):
    records = serializers.ListField(
        child=RecordField(),
        min_length=1,
        max_length=1000,
        help_text="1至1000条过程信息，每条单独校验",
    )


class RecordResult(serializers.Serializer):
    index = serializers.IntegerField(help_text="在本批中的序号（从0起）")
    record_id = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(
        choices=["accepted", "duplicate", "rejected"],
        help_text="accepted 已接收；duplicate 重复（已接收过，未重复入库）；rejected 拒收",
    )
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text='拒收原因：字段路径 → 中文说明列表（如 "details.items[0].name"）',
    )


class IngestResponse(serializers.Serializer):
    accepted = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    rejected = serializers.IntegerField()
    results = RecordResult(many=True)


class QualityDayOut(serializers.Serializer):
    day = serializers.DateField()
    received = serializers.IntegerField()
    accepted = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    rejected = serializers.IntegerField()
    late = serializers.IntegerField(help_text="超过12小时报送的记录数")
    with_issues = serializers.IntegerField(help_text="有数据质量问题的记录数")
    score = serializers.FloatField(
        allow_null=True, help_text="数据质量得分0–100：无问题接收及重复记录占收到记录的比例"
    )


class QualityIssueOut(serializers.Serializer):
    rule = serializers.ChoiceField(choices=QualityCheck.choices)
    rule_label = serializers.CharField(source="get_rule_display")
    record_id = serializers.UUIDField()
    case_number = serializers.CharField()
    implementation_code = serializers.CharField()
    message = serializers.CharField()
    occurred_at = serializers.DateTimeField(allow_null=True)
    detected_at = serializers.DateTimeField()
    day = serializers.DateField()


class IssuePage(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = QualityIssueOut(many=True)


class RejectedErrorOut(serializers.Serializer):
    field = serializers.CharField(help_text="字段路径，如 department.code")
    message = serializers.CharField()


class RejectedRecordOut(serializers.Serializer):
    index = serializers.IntegerField(help_text="在其所在批次中的位置，从0起")
    record_id = serializers.CharField(help_text="报送的 record_id（可能缺失或无效）")
    case_number = serializers.CharField()
    day = serializers.DateField()
    received_at = serializers.DateTimeField()
    errors = serializers.SerializerMethodField()

    def get_errors(self, row) -> list[dict]:
        return [{"field": path, "message": message} for path, message in row.error_list]


class QualityReport(serializers.Serializer):
    client = serializers.CharField(help_text="客户端代码")
    today = QualityDayOut(allow_null=True)
    days = QualityDayOut(many=True, help_text="最近30天（有报送的日期），由近到远")
    issues = IssuePage()
    rejected_records = RejectedRecordOut(many=True, help_text="最近100条拒收记录，由新到旧")
