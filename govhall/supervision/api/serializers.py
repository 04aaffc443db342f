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


class ComplaintIn(serializers.Serializer):
    subject = serializers.CharField(max_length=12, help_text="case、department、item 或 hall")
    case_number = serializers.CharField(required=False, allow_blank=True, max_length=40)
    department = serializers.CharField(required=False, allow_blank=True, max_length=18)
    implementation_code = serializers.CharField(required=False, allow_blank=True, max_length=32)
    region = serializers.CharField(required=False, allow_blank=True, max_length=12)
    content = serializers.CharField(max_length=4000, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    sms_code = serializers.CharField(required=False, allow_blank=True, max_length=10)


class ComplaintFiled(serializers.Serializer):
    number = serializers.CharField()
    query_code = serializers.CharField(help_text="查询码，只显示一次")
    due_date = serializers.DateField()
    routed_to = serializers.CharField(help_text="承办部门名称")


class ComplaintStatus(serializers.Serializer):
    number = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    routed_to = serializers.CharField()
    received_at = serializers.DateTimeField()
    due_date = serializers.DateField()
    answer = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)
    rating = serializers.IntegerField(allow_null=True)


class PhoneIn(serializers.Serializer):
    phone = serializers.CharField(max_length=20)


class ComplaintRatingIn(serializers.Serializer):
    query_code = serializers.CharField(max_length=20)
    level = serializers.IntegerField(help_text="1 非常满意 … 5 非常不满意")


class ComplaintStaffOut(serializers.Serializer):
    number = serializers.CharField()
    subject = serializers.CharField()
    case_number = serializers.CharField()
    implementation_code = serializers.CharField()
    region_code = serializers.CharField()
    department = serializers.CharField(source="department.credit_code")
    department_name = serializers.CharField(source="department.name")
    content = serializers.CharField()
    anonymous = serializers.BooleanField()
    phone = serializers.CharField(source="phone_masked")
    state = serializers.CharField()
    received_at = serializers.DateTimeField()
    due_date = serializers.DateField()
    answer = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)
    rating = serializers.IntegerField(allow_null=True)


class AnswerIn(serializers.Serializer):
    answer = serializers.CharField(max_length=4000, allow_blank=True)


class ForwardIn(serializers.Serializer):
    department = serializers.CharField(max_length=18)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class RatingSubmission(serializers.Serializer):
    case_number = serializers.CharField(max_length=40)
    level = serializers.IntegerField(help_text="1 非常满意 … 5 非常不满意")
    channel = serializers.CharField(required=False, default="pc", max_length=10)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, default=list, max_length=6
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class FollowUpOut(serializers.Serializer):
    id = serializers.IntegerField()
    case_number = serializers.CharField()
    item_name = serializers.CharField()
    region_code = serializers.CharField()
    department_code = serializers.CharField()
    department_name = serializers.CharField()
    level = serializers.IntegerField()
    comment = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())
    channel = serializers.CharField()
    rated_at = serializers.DateTimeField()
    callback_due = serializers.DateTimeField()
    rectify_due = serializers.DateField()
    state = serializers.CharField()
    called_back_at = serializers.DateTimeField(allow_null=True)
    callback_note = serializers.CharField()
    rectified_at = serializers.DateTimeField(allow_null=True)
    rectification = serializers.CharField()
    rerated_level = serializers.IntegerField(allow_null=True)


class RatingAnswer(serializers.Serializer):
    case_number = serializers.CharField()
    level = serializers.IntegerField()
    rerating = serializers.BooleanField(help_text="整改后的复评")
    follow_up = FollowUpOut(allow_null=True)


class FollowUpActionIn(serializers.Serializer):
    note = serializers.CharField(max_length=2000, allow_blank=True)
