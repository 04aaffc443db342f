from rest_framework import serializers

from ..models import Warning


class RuleRef(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    version = serializers.IntegerField()
    category = serializers.CharField()
    basis = serializers.CharField()


class TrailEntry(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    action_label = serializers.CharField()
    actor = serializers.CharField(source="actor_label")
    state_from = serializers.CharField()
    state_to = serializers.CharField()
    note = serializers.CharField()


class WarningOut(serializers.ModelSerializer):
    rule = RuleRef()
    card_label = serializers.CharField(source="get_card_display")
    state_label = serializers.CharField(source="get_state_display")
    trail = TrailEntry(many=True)
    records = serializers.ListField(source="record_ids", child=serializers.CharField())

    class Meta:
        model = Warning
        fields = [
            "id",
            "case_number",
            "implementation_code",
            "item_name",
            "card",
            "card_label",
            "category",
            "rule",
            "step_key",
            "detail",
            "region_code",
            "department_code",
            "department_name",
            "source",
            "raised_at",
            "state",
            "state_label",
            "due_date",
            "escalated_to",
            "answered_at",
            "closed_at",
            "records",
            "trail",
        ]


class WarningActionIn(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    due_date = serializers.DateField(
        required=False, allow_null=True, help_text="整改期限（核实属实时），YYYY-MM-DD"
    )
