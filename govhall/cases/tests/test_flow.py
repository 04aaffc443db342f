"""The whole life of a case through the services: every change, one record, one audit entry."""

import pytest
from django.core.exceptions import ValidationError

from govhall.core.models import AuditEntry
from govhall.records.models import MessageType, ProcessRecord
from govhall.regions.models import Post

from ..models import CaseState, CorrectionNotice, Decision
from ..services import actions, handling, transitions
from ..services import applicant as applicant_actions
from . import factories as f

pytestmark = pytest.mark.django_db


def audit_count(case):
    return AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk)).count()


def test_promised_case_from_submission_to_rating():
    dept = f.department("江门市民政局")
    clerk, reviewer, approver = f.handlers(dept)
    identity = f.applicant()
    case = f.submitted(f.item(dept), identity)
    assert case.state == CaseState.SUBMITTED
    assert case.number.startswith("440700") and len(case.number) == 29

    notice = handling.request_correction(
        case,
        clerk,
        items=[
            {"material_code": "N:房屋租赁合同", "name": "房屋租赁合同", "problem": "缺少出租人签名"}
        ],
    )
    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_CORRECTION
    assert case.suspensions.get().ended_on is None
    stored = f.applications.store_file(identity.user, f.pdf("合同"), title="房屋租赁合同")
    applicant_actions.submit_correction(case, identity, files={"N:房屋租赁合同": stored})
    notice.refresh_from_db()
    assert notice.corrected_at is not None

    handling.accept(case, clerk)
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS and case.promised_due and case.statutory_due
    handling.complete_step(case, clerk, opinion="材料齐全，拟同意")
    handling.complete_step(case, reviewer, opinion="审核通过")
    handling.decide(case, approver, decision=Decision.APPROVE, opinion="同意")
    handling.conclude(case, clerk, delivery="electronic")
    applicant_actions.rate(case, identity, level=1, comment="很方便")
    case.refresh_from_db()
    assert case.state == CaseState.CONCLUDED and case.rating.level == 1

    events = list(
        ProcessRecord.objects.filter(case_number=case.number).values_list("event", flat=True)
    )
    assert events == [
        "submit",
        "request_correction",
        "submit_correction",
        "accept",
        "complete_step",
        "complete_step",
        "decide",
        "conclude",
        "rate",
    ]
    assert audit_count(case) == len(events)
    types = ProcessRecord.objects.filter(case_number=case.number).values_list(
        "message_type", flat=True
    )
    assert list(types) == ["0", "7", "8", "2", "3", "3", "3", "4", MessageType.RATING]


def test_impossible_transition_is_refused_with_a_chinese_message():
    dept = f.department("江门市民政局")
    approver = f.staff(Post.APPROVER, dept)
    case = f.submitted(f.item(dept))
    with pytest.raises(ValidationError) as error:
        handling.decide(case, approver, decision=Decision.APPROVE)
    assert "待受理" in str(error.value) and "作出决定" in str(error.value)
    assert ProcessRecord.objects.filter(case_number=case.number).count() == 1


def test_wrong_post_cannot_act():
    dept = f.department("江门市民政局")
    reviewer = f.staff(Post.REVIEWER, dept)
    case = f.submitted(f.item(dept))
    with pytest.raises(ValidationError, match="不由您的岗位办理"):
        handling.accept(case, reviewer)


def test_transition_table_is_explicit():
    assert CaseState.CONCLUDED not in actions.get("accept").from_states
    case = f.submitted(f.item(f.department("江门市民政局")))
    assert set(transitions.allowed_actions(case)) == {
        "accept",
        "reject",
        "request_correction",
        "auto_decide",
        "withdraw",
    }


def test_instant_case_concludes_at_acceptance():
    dept = f.department("江门市民政局")
    clerk = f.staff(Post.CLERK, dept)
    case = f.submitted(
        f.item(
            dept,
            case_type="1",
            promised_limit_days=0,
            steps=[{"name": "受理即办", "post": "clerk", "time_limit_days": 0}],
        )
    )
    handling.accept(case, clerk)
    case.refresh_from_db()
    assert case.state == CaseState.CONCLUDED and case.decision == Decision.APPROVE


def test_correction_needs_every_item_at_once_and_nothing_half_written():
    dept = f.department("江门市民政局")
    clerk = f.staff(Post.CLERK, dept)
    case = f.submitted(f.item(dept))
    with pytest.raises(ValidationError):
        handling.request_correction(case, clerk, items=[{"name": "申请书", "problem": ""}])
    assert not CorrectionNotice.objects.filter(case=case).exists()
    assert not case.suspensions.exists()


def test_withdraw_and_reject():
    dept = f.department("江门市民政局")
    clerk = f.staff(Post.CLERK, dept)
    identity = f.applicant()
    case = f.submitted(f.item(dept), identity)
    applicant_actions.withdraw(case, identity, reason="不需要了")
    case.refresh_from_db()
    assert case.state == CaseState.WITHDRAWN
    other = f.submitted(f.item(dept, name="临时救助申请"))
    with pytest.raises(ValidationError, match="理由"):
        handling.reject(other, clerk, reason=" ")
    handling.reject(other, clerk, reason="不属于本部门职权范围")
    other.refresh_from_db()
    assert other.state == CaseState.REJECTED
