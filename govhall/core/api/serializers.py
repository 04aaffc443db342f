"""Request and response shapes of the core API: the error body, identifiers, calendar."""

import copy

from rest_framework import serializers

from ..identifiers import KINDS
from ..services.calendar import MAX_WORKING_DAYS


class FieldsBuiltOnce:
    """For a ``ModelSerializer``: its fields are built from the model once per class.

    DRF builds a model serializer's fields on every instance (each model field looked up
    and mapped to a serializer field, its validators and options derived): 4 % of the CPU
    of ``POST /api/v1/applications/apply`` went to building the seven model fields of
    ``CaseSummary``. They depend on the class only (its ``Meta`` and declarations), so
    they are built on first use and each instance gets a copy, as DRF gives each instance
    a copy of the declared fields. Not for serializers whose fields depend on the instance
    or the context."""

    def get_fields(self):
        built = type(self).__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            type(self)._built_fields = built
        return copy.deepcopy(built)


class IdentifierValidateRequest(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=KINDS,
        error_messages={
            "required": "必须提供kind（id_number 或 credit_code）。",
            "invalid_choice": (
                "kind只能是id_number（身份证号码）或credit_code（统一社会信用代码）。"
            ),
        },
    )
    value = serializers.CharField(
        max_length=64,
        allow_blank=True,
        trim_whitespace=False,
        error_messages={
            "required": "必须提供value（待校验的号码）。",
            "max_length": "value不能超过64个字符。",
        },
    )


class ApiError(serializers.Serializer):
    """One problem: the input that failed, a stable code and the rule in Chinese."""

    field = serializers.CharField(help_text="出错的字段（请求整体时为non_field_errors）")
    code = serializers.CharField(help_text="稳定的错误代码，供程序判断")
    message = serializers.CharField(help_text="中文说明，指明字段和规则")


class ApiErrors(serializers.Serializer):
    """The body of every 4xx answer (``core.api.errors``)."""

    errors = ApiError(many=True)


class IdentifierValidateResponse(serializers.Serializer):
    valid = serializers.BooleanField()
    normalized = serializers.CharField()
    masked = serializers.CharField(required=False)
    errors = ApiError(many=True)


def _date_parameter(name: str, meaning: str) -> serializers.DateField:
    """A YYYY-MM-DD query parameter whose errors name it and say what it is."""
    return serializers.DateField(
        input_formats=["%Y-%m-%d"],
        error_messages={
            "required": f"必须提供{name}（{meaning}）。",
            "invalid": f"{name}须为YYYY-MM-DD格式的有效日期。",
        },
    )


class DueDateQuery(serializers.Serializer):
    start = _date_parameter("start", "起算日期，格式YYYY-MM-DD")
    working_days = serializers.IntegerField(
        min_value=0,
        max_value=MAX_WORKING_DAYS,
        error_messages={
            "required": "必须提供working_days（工作日数）。",
            "invalid": "working_days须为整数。",
            "min_value": "working_days不能为负数。",
            "max_value": f"working_days不能超过{MAX_WORKING_DAYS}。",
        },
    )


class DueDateResponse(serializers.Serializer):
    due_date = serializers.DateField()
    calendar_complete = serializers.BooleanField()
    warning = serializers.CharField(required=False)
    missing_years = serializers.ListField(child=serializers.IntegerField(), required=False)


class ElapsedQuery(serializers.Serializer):
    start = _date_parameter("start", "开始日期")
    end = _date_parameter("end", "结束日期")

    def validate(self, attrs):
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": "end不能早于start。"})
        return attrs


class ElapsedResponse(serializers.Serializer):
    working_days = serializers.IntegerField()
    calendar_complete = serializers.BooleanField()
    warning = serializers.CharField(required=False)
    missing_years = serializers.ListField(child=serializers.IntegerField(), required=False)


class CalendarDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.CharField()
    name = serializers.CharField()


class CalendarYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    source = serializers.CharField()
    notice = serializers.CharField()
    days = CalendarDaySerializer(many=True)
