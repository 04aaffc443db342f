"""The public progress query (public contract, docs/api.md): what ``queries.progress`` returns."""

from rest_framework import serializers


class CaseProgressStep(serializers.Serializer):
    name = serializers.CharField()
    action = serializers.CharField(help_text="pass 通过 / return 退回 / other")
    completed_at = serializers.DateTimeField(allow_null=True)
    department = serializers.CharField()


class CaseProgressStage(serializers.Serializer):
    """One stage of the whole timeline (public contract): ``date`` when done, ``expected_date``
    for the current and pending ones (absent while the clock is stopped)."""

    name = serializers.CharField()
    state = serializers.CharField(help_text="done 已完成 / current 当前 / pending 待办")
    date = serializers.DateField(required=False, help_text="完成日期（done）")
    expected_date = serializers.DateField(
        required=False, help_text="预计完成日期（current、pending；按工作日推算）"
    )


class CaseProgress(serializers.Serializer):
    case_number = serializers.CharField()
    item_name = serializers.CharField()
    department = serializers.CharField()
    channel = serializers.CharField(
        help_text="申请渠道：online、mobile、counter、kiosk、third_party"
    )
    channel_label = serializers.CharField(help_text="申请渠道（中文）")
    status = serializers.CharField(help_text="办件状态代码，如 in_progress")
    status_label = serializers.CharField(help_text="办件状态（中文）")
    current_step = serializers.CharField(allow_null=True)
    steps_done = CaseProgressStep(many=True)
    submitted_at = serializers.DateTimeField()
    accepted_at = serializers.DateTimeField(allow_null=True)
    due_date = serializers.DateField(
        allow_null=True, help_text="受理前为受理期限，受理后为办结期限"
    )
    remaining_working_days = serializers.IntegerField(allow_null=True)
    concluded_at = serializers.DateTimeField(allow_null=True)
    decision = serializers.CharField(allow_null=True, help_text="approve 准予 / deny 不予")
    stages = CaseProgressStage(many=True, help_text="办理全过程：已完成、当前和待办环节")
    clock_stopped_reason = serializers.CharField(
        allow_blank=True, help_text="计时暂停（补正、特别程序）时的原因；未暂停时为空"
    )
