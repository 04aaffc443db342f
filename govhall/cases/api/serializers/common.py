"""Shapes shared by the case endpoints (department references, text inputs)."""

from rest_framework import serializers


class CaseDepartmentRef(serializers.Serializer):
    code = serializers.CharField(help_text="统一社会信用代码")
    name = serializers.CharField()


def department_ref(department) -> dict | None:
    if department is None:
        return None
    return {"code": department.credit_code, "name": department.name}


def text(max_length: int, label: str, **kwargs) -> serializers.CharField:
    """An optional text input whose errors name the field in Chinese; a missing value is
    left to the service, which says what the rule is."""
    return serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=max_length,
        error_messages={
            "max_length": f"“{label}”不能超过{max_length}个字符。",
            "invalid": f"“{label}”须为文本。",
        },
        **kwargs,
    )
