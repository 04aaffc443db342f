"""``FieldsBuiltOnce``: a model serializer's fields built once per class, the same output."""

import pytest
from rest_framework import serializers

from govhall.cases.api.serializers.cases import CaseSummary
from govhall.cases.models import Case
from govhall.cases.tests import factories as f
from govhall.core.api.serializers import FieldsBuiltOnce

pytestmark = pytest.mark.django_db


class PlainCaseSummary(serializers.ModelSerializer):
    """``CaseSummary`` as DRF builds it, field by field on every instance."""

    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")
    decision = serializers.CharField()
    channel = serializers.CharField()
    department = serializers.CharField(source="department.name")
    department_code = serializers.CharField(source="department.credit_code")
    channel_label = serializers.CharField(source="get_channel_display")
    due_date = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Case
        fields = CaseSummary.Meta.fields


class Narrow(CaseSummary):
    """A subclass with other fields gets its own, not its parent's."""

    class Meta(CaseSummary.Meta):
        fields = ["number", "item_name"]


def test_output_is_what_drf_builds_and_instances_share_no_field():
    cases = [f.submitted(f.item(f.department("江门市民政局"))) for _ in range(2)]
    assert CaseSummary(cases, many=True).data == PlainCaseSummary(cases, many=True).data
    first, second = CaseSummary(cases[0]), CaseSummary(cases[1])
    assert first.data == PlainCaseSummary(cases[0]).data
    assert list(first.fields) == list(PlainCaseSummary().fields)
    # Each instance has its own bound copies: nothing of one leaks into the other.
    assert first.fields["number"] is not second.fields["number"]
    assert first.fields["number"].parent is first and second.fields["number"].parent is second
    assert first.fields["number"] is not CaseSummary._built_fields["number"]
    assert second.data["number"] == cases[1].number


def test_each_class_builds_its_own_fields():
    case = f.submitted(f.item(f.department("江门市民政局")))
    CaseSummary(case).data  # noqa: B018 (builds CaseSummary's)
    assert Narrow(case).data == {"number": case.number, "item_name": case.item_name}
    assert set(Narrow._built_fields) == {"number", "item_name"}
    assert len(CaseSummary(case).data) == len(CaseSummary.Meta.fields)
    assert issubclass(CaseSummary, FieldsBuiltOnce)
