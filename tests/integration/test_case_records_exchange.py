"""The case engine's process records as the exchange sees them: every record the engine
writes conforms to the exchange format, and a record pushed back is a duplicate.

These tests join two apps that may not import each other (``cases`` and ``exchange``
both sit on ``records``), so they live here rather than in either app.
"""

import datetime

import pytest
from django.utils import timezone

from govhall.cases.services import applicant as applicant_actions
from govhall.cases.services import handling
from govhall.cases.tests import factories as f
from govhall.cases.tests.test_automation import RULES
from govhall.exchange.models import QualityCheck, QualityDay, QualityIssue
from govhall.exchange.services import ingest, spec
from govhall.exchange.tests.conftest import PENGJIANG
from govhall.records.models import ProcessRecord
from govhall.regions.models import Department, Post

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


def statuses(results):
    return [r.status for r in results]


def walk_local_cases():
    """Real cases through the case engine: the promised path with a correction, an
    instant case, a special procedure with an extension, a rejection, a withdrawal, a
    decision by rules, delivery at the counter and a rating."""
    dept = f.department("江门市民政局")
    clerk, reviewer, approver = (
        f.staff(p, dept) for p in (Post.CLERK, Post.REVIEWER, Post.APPROVER)
    )
    identity = f.applicant()
    case = f.submitted(f.item(dept), identity)
    handling.request_correction(
        case,
        clerk,
        items=[{"material_code": "N:房屋租赁合同", "name": "房屋租赁合同", "problem": "缺页"}],
    )
    stored = f.applications.store_file(identity.user, f.pdf("合同"), title="房屋租赁合同")
    applicant_actions.submit_correction(case, identity, files={"N:房屋租赁合同": stored})
    handling.accept(case, clerk)
    handling.complete_step(case, clerk, opinion="材料齐全")
    handling.start_special(case, reviewer, kind="expert_review", reason="需专家评审")
    handling.end_special(case, reviewer, result="评审通过")
    handling.extend(case, approver, days=5, reason="情况复杂")
    handling.return_step(case, reviewer, opinion="补充核查")
    handling.complete_step(case, clerk, opinion="已核查")
    handling.complete_step(case, reviewer, opinion="审核通过")
    handling.decide(case, approver, decision="approve", opinion="同意")
    handling.conclude(case, clerk, delivery="pickup")
    handling.deliver(case, clerk, collected_by="陈志明", note="窗口领取")
    applicant_actions.rate(case, identity, level=1, comment="很方便")

    instant = f.submitted(
        f.item(
            dept,
            name="临时救助申请",
            case_type="1",
            promised_limit_days=0,
            steps=[{"name": "受理即办", "post": "clerk", "time_limit_days": 0}],
        )
    )
    handling.accept(instant, clerk)
    refused = f.submitted(f.item(dept, name="特困人员认定"))
    handling.reject(refused, clerk, reason="不属于本部门职权范围")
    withdrawn_by = f.applicant()
    withdrawn = f.submitted(f.item(dept, name="临时救助金发放"), withdrawn_by)
    applicant_actions.withdraw(withdrawn, withdrawn_by, reason="不需要了")
    f.submitted(f.item(dept, name="高龄津贴申请", decision_rules=RULES))
    return dept


def test_every_record_the_case_engine_writes_conforms_to_the_schema():
    dept = walk_local_cases()
    records = list(ProcessRecord.objects.filter(source="local").order_by("pk"))
    events = {r.event for r in records}
    assert events >= {
        "submit",
        "request_correction",
        "submit_correction",
        "accept",
        "reject",
        "complete_step",
        "return_step",
        "start_special",
        "end_special",
        "extend",
        "decide",
        "auto_decide",
        "conclude",
        "withdraw",
        "deliver",
        "rate",
    }
    for record in records:
        assert spec.schema_errors(record.payload) == {}, (record.event, record.payload)
        payload, occurred, errors = spec.check(record.payload)
        assert errors == {}
        assert payload["event"] == record.event
        # the event the engine names is the one a receiver derives without it
        stripped = {k: v for k, v in record.payload.items() if k != "event"}
        assert spec.derive_event(stripped) == record.event or record.event in (
            "return_step",
            "auto_decide",
            "request_review",
        )
        assert abs(occurred - record.occurred_at) < datetime.timedelta(seconds=1)

    # pushed back by a city system, the hall's own records are plain duplicates: the
    # receiver's normal form is the engine's, so no conflicting content is reported
    from govhall.exchange.services import clients

    city, _ = clients.register(
        "江门市网上办事分厅", "jiangmen-hall", "branch_hall", [dept.region_id]
    )
    results = ingest.ingest(city, [r.payload for r in records])
    assert {r.status for r in results} == {"duplicate"}
    assert not city.quality_issues.exists()


def test_a_record_id_stored_from_any_source_is_a_duplicate(county, now):
    client, _ = county
    case = f.submitted(f.item(Department.objects.get(region_id=PENGJIANG, name="蓬江区民政局")))
    local = ProcessRecord.objects.get(case_number=case.number)
    same = dict(local.payload)
    changed = {**local.payload, "state": "in_progress"}
    results = ingest.ingest(client, [same], now=now)
    assert statuses(results) == ["duplicate"]
    assert not QualityIssue.objects.exists()
    results = ingest.ingest(client, [changed], now=now)
    assert statuses(results) == ["duplicate"] and results[0].errors == {}
    issue = QualityIssue.objects.get()
    assert issue.rule == QualityCheck.CONFLICTING_DUPLICATE and issue.client == client
    assert issue.record_id == local.record_id and "state" in issue.message
    local.refresh_from_db()
    assert local.payload["state"] == "submitted" and local.source == "local"  # first one kept
    # the same conflict again: one issue per record and rule, but the day counts it again
    ingest.ingest(client, [changed], now=now)
    assert QualityIssue.objects.count() == 1
    day = QualityDay.objects.get(client=client)
    assert (day.received, day.duplicates, day.with_issues) == (3, 3, 2)
