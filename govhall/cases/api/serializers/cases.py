"""An applicant's cases: the list row, the detail page's data and the actions' bodies."""

from __future__ import annotations

from rest_framework import serializers

from govhall.core.api.serializers import FieldsBuiltOnce

from ...models import Case, Notification, Rating
from ...services import actions, clocks, queries
from .common import text
from .progress import CaseProgressStep

# Plain strings, not enums: one choice set named once keeps the schema free of collisions.
STATE_HELP = (
    "submitted / awaiting_correction / in_progress / suspended / decided / concluded"
    " / rejected / withdrawn"
)


class CaseSummary(FieldsBuiltOnce, serializers.ModelSerializer):
    """One row of a case list (the applicant's or a staff member's)."""

    state = serializers.CharField(help_text=STATE_HELP)
    state_label = serializers.CharField(source="get_state_display")
    decision = serializers.CharField(help_text="approve 准予 / deny 不予；未决定时为空")
    channel = serializers.CharField(help_text="online / mobile / counter / kiosk / third_party")
    department = serializers.CharField(source="department.name")
    department_code = serializers.CharField(source="department.credit_code")
    channel_label = serializers.CharField(source="get_channel_display")
    due_date = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Case
        fields = [
            "number",
            "state",
            "state_label",
            "item_name",
            "implementation_code",
            "department",
            "department_code",
            "applicant_name",
            "channel",
            "channel_label",
            "submitted_at",
            "accepted_at",
            "due_date",
            "concluded_at",
            "decision",
        ]


# The fields ``CaseSummary`` renders its dates with, for ``case_summary``.
_DATETIME = serializers.DateTimeField()
_DATE = serializers.DateField()


def _text(value):
    return None if value is None else str(value)


def _when(value):
    return None if value is None else _DATETIME.to_representation(value)


def case_summary(case: Case) -> dict:
    """``CaseSummary(case).data`` as a plain dict: the same keys in the same order, each
    value rendered as its DRF field renders it (text as ``str``, dates by the same
    ``DateTimeField`` / ``DateField``), without building a serializer per response (the
    one-call application's answer). ``test_api_payloads.py`` compares the two."""
    department = case.department
    return {
        "number": _text(case.number),
        "state": _text(case.state),
        "state_label": _text(case.get_state_display()),
        "item_name": _text(case.item_name),
        "implementation_code": _text(case.implementation_code),
        "department": _text(department.name),
        "department_code": _text(department.credit_code),
        "applicant_name": _text(case.applicant_name),
        "channel": _text(case.channel),
        "channel_label": _text(case.get_channel_display()),
        "submitted_at": _when(case.submitted_at),
        "accepted_at": _when(case.accepted_at),
        "due_date": None if case.due_date is None else _DATE.to_representation(case.due_date),
        "concluded_at": _when(case.concluded_at),
        "decision": _text(case.decision),
    }


class CorrectionOut(serializers.Serializer):
    items = serializers.ListField(
        child=serializers.DictField(), help_text="[{material_code, name, problem}]"
    )
    note = serializers.CharField()
    issued_at = serializers.DateTimeField()
    corrected_at = serializers.DateTimeField(allow_null=True)


class RatingOut(serializers.Serializer):
    level = serializers.IntegerField()
    level_label = serializers.CharField()
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()


APPLICANT_ACTIONS = ["correction", "withdraw", "rating", "review-request"]


class ApplicantCaseDetail(serializers.Serializer):
    number = serializers.CharField()
    state = serializers.CharField(help_text=STATE_HELP)
    state_label = serializers.CharField()
    item_name = serializers.CharField()
    implementation_code = serializers.CharField()
    department = serializers.CharField()
    applicant_name = serializers.CharField()
    channel = serializers.CharField()
    bundle_case = serializers.CharField(allow_null=True)
    submitted_at = serializers.DateTimeField()
    accepted_at = serializers.DateTimeField(allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    remaining_working_days = serializers.IntegerField(allow_null=True)
    current_step = serializers.CharField(allow_null=True)
    steps_done = CaseProgressStep(many=True)
    decision = serializers.CharField(allow_null=True)
    decision_reason = serializers.CharField()
    auto_decided = serializers.BooleanField()
    review_deadline = serializers.DateField(allow_null=True)
    rejection_reason = serializers.CharField()
    concluded_at = serializers.DateTimeField(allow_null=True)
    result_name = serializers.CharField()
    result_number = serializers.CharField()
    delivery = serializers.CharField()
    tracking_number = serializers.CharField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    correction = CorrectionOut(allow_null=True, help_text="待补正时的一次性告知")
    rating = RatingOut(allow_null=True)
    allowed_actions = serializers.ListField(
        child=serializers.CharField(),
        help_text="可执行的操作：correction / withdraw / rating / review-request"
        "（对应 /my/cases/<number>/<action>）",
    )


def applicant_actions(identity, case: Case) -> list[str]:
    """The slugs of the applicant's actions their guards allow now (``actions``)."""
    return [o.action.slug for o in actions.offered(case, identity, kind=actions.APPLICANT)]


def applicant_case_payload(identity, case: Case) -> dict:
    progress = queries.progress(case)
    notice = case.corrections.filter(corrected_at__isnull=True).order_by("-issued_at").first()
    rating = Rating.objects.filter(case=case).first()
    return {
        **{k: progress[k] for k in ("current_step", "steps_done", "due_date", "decision")},
        "number": case.number,
        "state": case.state,
        "state_label": case.get_state_display(),
        "item_name": case.item_name,
        "implementation_code": case.implementation_code,
        "department": case.department.name,
        "applicant_name": case.applicant_name,
        "channel": case.channel,
        "bundle_case": case.bundle_case.number if case.bundle_case_id else None,
        "submitted_at": case.submitted_at,
        "accepted_at": case.accepted_at,
        "remaining_working_days": clocks.remaining(case) if case.is_open else None,
        "decision_reason": case.decision_reason,
        "auto_decided": case.auto_decided,
        "review_deadline": case.review_deadline,
        "rejection_reason": case.rejection_reason,
        "concluded_at": case.concluded_at,
        "result_name": case.result_name,
        "result_number": case.result_number,
        "delivery": case.delivery,
        "tracking_number": case.tracking_number,
        "delivered_at": case.delivered_at,
        "correction": notice_payload(notice) if notice else None,
        "rating": {
            "level": rating.level,
            "level_label": rating.get_level_display(),
            "comment": rating.comment,
            "created_at": rating.created_at,
        }
        if rating
        else None,
        "allowed_actions": applicant_actions(identity, case),
    }


def notice_payload(notice) -> dict:
    return {
        "items": notice.items,
        "note": notice.note,
        "issued_at": notice.issued_at,
        "corrected_at": notice.corrected_at,
    }


# --- action bodies ----------------------------------------------------------------------


class CorrectionRequest(serializers.Serializer):
    note = text(500, "补正说明")


class CorrectionUpload(CorrectionRequest):
    """For the schema only: the files arrive as multipart fields named by material key."""

    files = serializers.DictField(
        child=serializers.FileField(),
        required=False,
        help_text=(
            "multipart/form-data：每份补正材料一个文件字段，字段名为一次性告知中的"
            " material_code（材料标识）；此处仅作说明"
        ),
    )


class WithdrawRequest(serializers.Serializer):
    reason = text(300, "撤回理由")


class RatingRequest(serializers.Serializer):
    level = serializers.IntegerField(
        required=False,
        default=0,
        help_text="1 非常满意 … 5 非常不满意",
        error_messages={"invalid": "“评价等级”须为1至5的整数。"},
    )
    comment = text(500, "评价内容", help_text="差评（4、5）须写明原因")
    channel = serializers.CharField(
        required=False, default="pc", help_text="pc / mobile / qr / tablet / phone / sms"
    )


class ReviewRequest(serializers.Serializer):
    reason = text(500, "复核理由")


class NotificationOut(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "case_number", "event", "title", "body", "link", "created_at", "read_at"]
