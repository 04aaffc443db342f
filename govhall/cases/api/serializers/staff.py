"""The staff side: inbox rows, a case as the handler sees it, and each action's body."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from ...models import Case, CaseStep, SuspensionKind
from ...services import clocks
from .applications import SuppliedMaterial, supplied_material
from .cases import STATE_HELP, CorrectionOut, notice_payload
from .common import CaseDepartmentRef, department_ref, text


class InboxRow(serializers.ModelSerializer):
    """An open task; the inbox copies on the step make the list one indexed read."""

    step = serializers.CharField(source="name")
    post = serializers.CharField(help_text="clerk 窗口受理 / reviewer 审核 / approver 审批 …")
    post_label = serializers.CharField(source="get_post_display")
    department = serializers.CharField(source="department.name")
    case_state = serializers.CharField(help_text=STATE_HELP)
    case_state_label = serializers.CharField(source="get_case_state_display")
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = CaseStep
        fields = [
            "case_number",
            "case_state",
            "case_state_label",
            "item_name",
            "applicant_name",
            "step",
            "post",
            "post_label",
            "department",
            "started_at",
            "due_date",
            "overdue",
        ]

    def get_overdue(self, step: CaseStep) -> bool:
        return bool(step.due_date and step.due_date < timezone.localdate())


class StaffStepOut(serializers.Serializer):
    sequence = serializers.IntegerField()
    code = serializers.CharField(help_text="0 受理，1 承办，2 审核，3 批准")
    name = serializers.CharField()
    post = serializers.CharField()
    department = CaseDepartmentRef()
    state = serializers.CharField(help_text="open / done / returned / cancelled")
    started_at = serializers.DateTimeField()
    due_date = serializers.DateField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    handler = serializers.CharField(allow_null=True)
    action = serializers.CharField()
    opinion = serializers.CharField()


class SuspensionOut(serializers.Serializer):
    kind = serializers.CharField(
        help_text="correction / hearing / testing / inspection / expert_review / other"
    )
    kind_label = serializers.CharField()
    reason = serializers.CharField()
    started_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)
    result = serializers.CharField()


class AllowedAction(serializers.Serializer):
    action = serializers.CharField(help_text="操作，即 /actions/<action> 中的名称")
    label = serializers.CharField()


class StaffCaseDetail(serializers.Serializer):
    number = serializers.CharField()
    state = serializers.CharField(help_text=STATE_HELP)
    state_label = serializers.CharField()
    item_name = serializers.CharField()
    implementation_code = serializers.CharField()
    item_version = serializers.IntegerField()
    case_type = serializers.CharField(help_text="1 即办件 / 2 承诺件")
    department = CaseDepartmentRef()
    region = serializers.CharField()
    accepting_department = CaseDepartmentRef(allow_null=True)
    channel = serializers.CharField()
    applicant_kind = serializers.CharField()
    applicant_name = serializers.CharField()
    applicant_id_masked = serializers.CharField(
        help_text="身份证号码已打码；法人为统一社会信用代码"
    )
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField()
    answers = serializers.DictField()
    bundle_case = serializers.CharField(allow_null=True)
    submitted_at = serializers.DateTimeField()
    accepted_at = serializers.DateTimeField(allow_null=True)
    acceptance_due = serializers.DateField(allow_null=True)
    promised_due = serializers.DateField(allow_null=True)
    statutory_due = serializers.DateField(allow_null=True)
    extension_days = serializers.IntegerField()
    calendar_complete = serializers.BooleanField()
    remaining_working_days = serializers.IntegerField(allow_null=True)
    decision = serializers.CharField()
    decision_reason = serializers.CharField()
    auto_decided = serializers.BooleanField()
    rejection_reason = serializers.CharField()
    concluded_at = serializers.DateTimeField(allow_null=True)
    result_name = serializers.CharField()
    result_number = serializers.CharField()
    delivery = serializers.CharField()
    tracking_number = serializers.CharField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    visits = serializers.IntegerField()
    current_step = StaffStepOut(allow_null=True)
    my_task = serializers.BooleanField(help_text="当前环节由您的岗位办理")
    steps = StaffStepOut(many=True)
    materials = SuppliedMaterial(many=True, help_text="材料及文件元数据（不含内容）")
    corrections = CorrectionOut(many=True)
    suspensions = SuspensionOut(many=True)
    allowed_actions = AllowedAction(many=True)


def step_payload(step: CaseStep) -> dict:
    handler = step.handler
    return {
        "sequence": step.sequence,
        "code": step.code,
        "name": step.name,
        "post": step.post,
        "department": department_ref(step.department),
        "state": step.state,
        "started_at": step.started_at,
        "due_date": step.due_date,
        "completed_at": step.completed_at,
        "handler": (getattr(handler, "display_name", "") or handler.get_username())
        if handler
        else None,
        "action": step.action,
        "opinion": step.opinion,
    }


def _applicant_id(case: Case) -> str:
    if case.company_id:
        return case.company.credit_code
    return case.person.masked_id_number if case.person_id else ""


def staff_case_payload(case: Case, steps: list[CaseStep], actions: list[dict], mine: bool) -> dict:
    current = next((s for s in steps if s.state == "open"), None)
    application = case.application
    return {
        "number": case.number,
        "state": case.state,
        "state_label": case.get_state_display(),
        "item_name": case.item_name,
        "implementation_code": case.implementation_code,
        "item_version": case.item_version.number,
        "case_type": case.case_type,
        "department": department_ref(case.department),
        "region": case.region_id,
        "accepting_department": department_ref(case.accepting_department),
        "channel": case.channel,
        "applicant_kind": case.applicant_kind,
        "applicant_name": case.applicant_name,
        "applicant_id_masked": _applicant_id(case),
        "contact_name": case.contact_name,
        "contact_phone": case.contact_phone,
        "answers": {k: v for k, v in application.answers.items() if not k.startswith("_")},
        "bundle_case": case.bundle_case.number if case.bundle_case_id else None,
        "submitted_at": case.submitted_at,
        "accepted_at": case.accepted_at,
        "acceptance_due": case.acceptance_due,
        "promised_due": case.promised_due,
        "statutory_due": case.statutory_due,
        "extension_days": case.extension_days,
        "calendar_complete": case.calendar_complete,
        "remaining_working_days": clocks.remaining(case) if case.is_open else None,
        "decision": case.decision,
        "decision_reason": case.decision_reason,
        "auto_decided": case.auto_decided,
        "rejection_reason": case.rejection_reason,
        "concluded_at": case.concluded_at,
        "result_name": case.result_name,
        "result_number": case.result_number,
        "delivery": case.delivery,
        "tracking_number": case.tracking_number,
        "delivered_at": case.delivered_at,
        "visits": case.visits,
        "current_step": step_payload(current) if current else None,
        "my_task": mine,
        "steps": [step_payload(s) for s in steps],
        "materials": [
            supplied_material(m)
            for m in application.materials.select_related("file").order_by("key")
        ],
        "corrections": [notice_payload(n) for n in case.corrections.order_by("issued_at")],
        "suspensions": [
            {
                "kind": s.kind,
                "kind_label": s.get_kind_display(),
                "reason": s.reason,
                "started_on": s.started_on,
                "ended_on": s.ended_on,
                "result": s.result,
            }
            for s in case.suspensions.all()
        ],
        "allowed_actions": actions,
    }


# --- action bodies (a missing value is left to the service, which names the rule) ---------


class StaffAcceptRequest(serializers.Serializer):
    opinion = text(500, "受理意见")


class StaffRejectRequest(serializers.Serializer):
    reason = text(1000, "不予受理理由")


class StaffCorrectionItem(serializers.Serializer):
    material_code = text(220, "材料标识", help_text="申请材料的key")
    name = text(200, "材料名称")
    problem = text(500, "问题")


class StaffCorrectionRequest(serializers.Serializer):
    items = serializers.ListField(
        child=StaffCorrectionItem(),
        required=False,
        default=list,
        help_text="一次性列出全部需要补正的材料",
        error_messages={"not_a_list": "“items”须为补正材料的列表。"},
    )
    note = text(1000, "补充说明")


class StaffOpinionRequest(serializers.Serializer):
    opinion = text(1000, "办理意见")


class StaffReturnRequest(serializers.Serializer):
    opinion = text(1000, "退回理由")


class StaffDecideRequest(serializers.Serializer):
    decision = text(10, "审批决定", help_text="approve 准予 / deny 不予")
    reason = text(1000, "决定理由", help_text="不予许可时必填")
    opinion = text(1000, "办理意见")


SPECIAL_KINDS = [k for k in SuspensionKind if k != SuspensionKind.CORRECTION]


class StaffStartSpecialRequest(serializers.Serializer):
    kind = text(20, "特别程序种类", help_text=" / ".join(SPECIAL_KINDS))
    reason = text(500, "理由")

    def validate_kind(self, value: str) -> str:
        # Checked here: handling.start_special fails with a TypeError (500) on a bad kind.
        if value not in SPECIAL_KINDS:
            allowed = "、".join(f"{k.value}（{k.label}）" for k in SPECIAL_KINDS)
            raise serializers.ValidationError(f"特别程序种类无效，应为：{allowed}。", code="choice")
        return value


class StaffEndSpecialRequest(serializers.Serializer):
    result = text(500, "特别程序结果")


class StaffExtendRequest(serializers.Serializer):
    days = serializers.IntegerField(
        required=False,
        default=0,
        help_text="延长的工作日数",
        error_messages={"invalid": "“延长天数”须为整数。"},
    )
    reason = text(500, "延长理由")


class StaffConcludeRequest(serializers.Serializer):
    delivery = text(12, "送达方式", help_text="electronic / post / pickup；为空时按申请人选择")
    result_number = text(100, "结果文号")
    tracking_number = text(40, "快递单号", help_text="邮寄送达时必填")
    fee = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        allow_null=True,
        default=None,
        error_messages={"invalid": "“收费金额”须为数字。"},
    )


class StaffDeliverRequest(serializers.Serializer):
    collected_by = text(100, "领取人")
    note = text(500, "备注")


# The request body of each staff action, by its slug (``services.actions``).
REQUESTS = {
    "accept": StaffAcceptRequest,
    "reject": StaffRejectRequest,
    "request-correction": StaffCorrectionRequest,
    "complete-step": StaffOpinionRequest,
    "return-step": StaffReturnRequest,
    "decide": StaffDecideRequest,
    "start-special": StaffStartSpecialRequest,
    "end-special": StaffEndSpecialRequest,
    "extend": StaffExtendRequest,
    "conclude": StaffConcludeRequest,
    "deliver": StaffDeliverRequest,
}
