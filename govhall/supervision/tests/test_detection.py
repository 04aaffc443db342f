"""The warning rules on the record stream (pushed and local alike) and the time scan."""

from __future__ import annotations

import datetime

import pytest

from govhall.core.models.audit import AuditEntry
from govhall.core.services import calendar
from govhall.records.models import ProcessRecord
from tests import common as f

from ..models import Card, CaseWatch, Rule, Warning, WarningState
from ..services import detection, rules
from . import helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def item():
    return f.item(h.civil_affairs(), name="城乡居民最低生活保障申请")


@pytest.fixture
def client():
    return h.county_client()


def codes(number: str) -> set[str]:
    return set(
        Warning.objects.filter(case_number=number)
        .exclude(state=WarningState.WITHDRAWN)
        .values_list("rule_code", flat=True)
    )


def test_pushed_conclusion_without_acceptance_raises_once(item, client):
    story = h.story(item, 1)
    start = h.hours_ago(5)
    hour = datetime.timedelta(hours=1)
    batch = [story.submit(start), story.conclude(start + hour)]
    assert h.push(client, batch) == ["accepted", "accepted"]
    detection.watch()
    warning = Warning.objects.get(case_number=story.number, rule_code="LC01")
    assert warning.card == Card.RED
    assert warning.department_code == h.civil_affairs().credit_code
    assert warning.region_code == h.PENGJIANG
    assert warning.source == "pengjiang-hall"
    assert warning.record_ids == [batch[1]["record_id"]]
    assert warning.trail.count() == 1
    assert AuditEntry.objects.filter(
        object_type="supervision.warning", object_id=str(warning.pk)
    ).exists()
    # The same records again are duplicates; a second run raises nothing new.
    assert h.push(client, batch) == ["duplicate", "duplicate"]
    detection.watch()
    detection.watch()
    assert Warning.objects.filter(case_number=story.number, rule_code="LC01").count() == 1
    assert warning.trail.count() == 1


def test_later_acceptance_withdraws_the_card(item, client):
    story = h.story(item, 2)
    start = h.hours_ago(5)
    hour = datetime.timedelta(hours=1)
    h.push(client, [story.submit(start), story.conclude(start + 2 * hour)])
    detection.watch()
    assert "LC01" in codes(story.number)
    # The branch hall sends the acceptance it had missed: the trigger was wrong.
    h.push(client, [story.accept(start + hour)])
    detection.watch()
    warning = Warning.objects.get(case_number=story.number, rule_code="LC01")
    assert warning.state == WarningState.WITHDRAWN
    assert [s.action for s in warning.trail.all()] == ["raise", "withdraw"]


def test_refusal_without_reason(item, client):
    story = h.story(item, 3)
    start = h.hours_ago(6)
    hour = datetime.timedelta(hours=1)
    refused = story.record(
        "2",
        start + hour,
        "rejected",
        details=story.step("0", "受理", start + hour, accepted=False, opinion="无"),
    )
    assert h.push(client, [story.submit(start), refused]) == ["accepted", "accepted"]
    denied = h.story(item, 4)
    deny = denied.record(
        "3",
        start + 3 * hour,
        "decided",
        details=denied.step("3", "批准", start + 3 * hour, decision="deny", reason=""),
    )
    reasoned = h.story(item, 5)
    explained = reasoned.record(
        "2",
        start + hour,
        "rejected",
        details=reasoned.step(
            "0", "受理", start + hour, accepted=False, opinion="申请人不属于本行政区域户籍"
        ),
    )
    h.push(
        client,
        [
            denied.submit(start),
            denied.accept(start + hour),
            denied.approve_step(start + 2 * hour),
            deny,
            reasoned.submit(start),
            explained,
        ],
    )
    detection.watch()
    assert Warning.objects.get(case_number=story.number, rule_code="NR01").step_key == "acceptance"
    assert Warning.objects.get(case_number=denied.number, rule_code="NR01").step_key == "decision"
    assert "NR01" not in codes(reasoned.number)


def test_content_and_process_rules(item, client):
    start = h.hours_ago(8)
    hour = datetime.timedelta(hours=1)
    story = h.story(item, 6)
    notice = story.record(
        "7",
        start + hour,
        "awaiting_correction",
        details={"items": [{"material_code": "M01", "name": "居民身份证", "problem": "模糊"}]},
    )
    second = story.record(
        "7",
        start + 2 * hour,
        "awaiting_correction",
        details={"items": [{"material_code": "", "name": "无犯罪记录证明", "problem": "缺少"}]},
    )
    h.push(client, [story.submit(start), notice, second])
    # A fee on a free item, and 批准 with 审核 skipped (the catalogue has 承办→审核→批准).
    paid = h.story(item, 7)
    conclusion = paid.conclude(start + 5 * hour)
    conclusion["details"]["fee"] = 50
    h.push(
        client,
        [
            paid.submit(start),
            paid.accept(start + hour),
            paid.approve_step(start + 2 * hour),
            paid.decide(start + 3 * hour),
            conclusion,
        ],
    )
    # The handler is the applicant; and a step dated before the acceptance.
    own = h.story(item, 8)
    accept = own.accept(start + 2 * hour)
    accept["details"]["handler"] = "陈志明"
    early_step = own.approve_step(start + hour)
    h.push(client, [own.submit(start), accept, early_step])
    detection.watch()
    assert {"NR02", "NR03"} <= codes(story.number)
    extra = Warning.objects.get(case_number=story.number, rule_code="NR03")
    assert "无犯罪记录证明" in extra.detail and "居民身份证" not in extra.detail
    assert {"NR04", "LC02"} <= codes(paid.number)
    assert "审核" in Warning.objects.get(case_number=paid.number, rule_code="LC02").detail
    assert {"LC03", "LC02"} <= codes(own.number)
    # A clean whole case raises no stream card.
    clean = h.story(item, 9)
    whole = clean.whole(start)
    whole.insert(
        3,
        clean.record(
            "3",
            start + 2.5 * hour,
            "in_progress",
            details=clean.step("2", "审核", start + 2.5 * hour),
        ),
    )
    h.push(client, whole)
    detection.watch()
    assert codes(clean.number) == set()


def test_late_push(item, client):
    story = h.story(item, 10)
    start = h.hours_ago(30)
    h.push(client, [story.submit(start), story.accept(start + datetime.timedelta(hours=1))])
    detection.watch()
    warning = Warning.objects.get(case_number=story.number, rule_code="LC04")
    assert warning.card == Card.YELLOW and len(warning.record_ids) == 2


def test_local_and_pushed_take_the_same_path():
    department = h.civil_affairs()
    now = h.hours_ago(2)
    h.local_record("L-1", department, "submit", "0", now)
    h.local_record(
        "L-1", department, "conclude", "4", now, state="concluded", details={"conclusion_code": "0"}
    )
    detection.watch()
    warning = Warning.objects.get(case_number="L-1", rule_code="LC01")
    assert warning.source == "local"
    assert not CaseWatch.objects.get(case_number="L-1").is_open


def next_working_day(day: datetime.date, n: int = 1) -> datetime.date:
    return calendar.add_working_days(day, n).due_date


def test_time_scan_yellow_then_red_once():
    department = h.civil_affairs()
    today = detection.today()
    due = next_working_day(today)
    applied = h.hours_ago(24 * 12)
    h.local_record("T-1", department, "submit", "0", applied, state="submitted")
    h.local_record(
        "T-1",
        department,
        "accept",
        "2",
        applied,
        promised_due=due,
        statutory_due=next_working_day(today, 15),
    )
    detection.watch()
    assert detection.scan(today) == {"raised": 1, "withdrawn": 0}
    yellow = Warning.objects.get(case_number="T-1")
    assert (yellow.rule_code, yellow.card) == ("SX02", Card.YELLOW)
    assert detection.scan(today) == {"raised": 0, "withdrawn": 0}
    later = next_working_day(due)
    assert detection.scan(later)["raised"] == 1
    red = Warning.objects.get(case_number="T-1", rule_code="SX03")
    assert red.card == Card.RED and "超期1个工作日" in red.detail
    assert detection.scan(later)["raised"] == 0


def test_time_scan_skips_suspended_and_closed_and_withdraws_on_extension():
    department = h.civil_affairs()
    today = detection.today()
    past = today - datetime.timedelta(days=20)
    applied = h.hours_ago(24 * 30)
    h.local_record("T-2", department, "submit", "0", applied, state="submitted")
    h.local_record(
        "T-2",
        department,
        "accept",
        "2",
        applied,
        promised_due=past,
        statutory_due=past,
        state="suspended",
    )
    h.local_record("T-3", department, "submit", "0", applied, state="submitted")
    h.local_record("T-3", department, "accept", "2", applied, promised_due=past, statutory_due=past)
    h.local_record(
        "T-3",
        department,
        "conclude",
        "4",
        applied,
        state="concluded",
        details={"conclusion_code": "0"},
    )
    h.local_record("T-4", department, "submit", "0", applied, state="submitted")
    h.local_record(
        "T-4",
        department,
        "accept",
        "2",
        applied,
        promised_due=next_working_day(today),
        statutory_due=next_working_day(today, 20),
    )
    detection.watch()
    detection.scan(today)
    assert not Warning.objects.filter(case_number__in=["T-2", "T-3"]).exists()
    assert Warning.objects.get(case_number="T-4").state == WarningState.RAISED
    # The time limit is extended: the yellow card no longer holds.
    h.local_record(
        "T-4",
        department,
        "extend",
        "5",
        h.hours_ago(1),
        promised_due=next_working_day(today, 10),
        statutory_due=next_working_day(today, 30),
        details={"days": 10},
    )
    detection.watch()
    assert detection.scan(today)["withdrawn"] == 1
    assert Warning.objects.get(case_number="T-4").state == WarningState.WITHDRAWN


def test_acceptance_overdue():
    department = h.civil_affairs()
    today = detection.today()
    h.local_record("T-5", department, "submit", "0", h.hours_ago(24 * 10), state="submitted")
    h.local_record("T-6", department, "submit", "0", h.hours_ago(2), state="submitted")
    detection.watch()
    detection.scan(today)
    assert Warning.objects.get(case_number="T-5").rule_code == "SX01"
    assert not Warning.objects.filter(case_number="T-6").exists()


def test_region_version_of_a_rule_applies_there_only():
    department = h.civil_affairs()
    base = Rule.objects.get(code="SX02", region_code="")
    tighter = rules.revise(base, None, region_code="440700", threshold_days=3)
    assert (tighter.version, tighter.threshold_days) == (1, 3)
    again = rules.revise(tighter, None, threshold_days=4)
    assert again.version == 2
    today = detection.today()
    h.local_record(
        "T-7",
        department,
        "accept",
        "2",
        h.hours_ago(3),
        promised_due=next_working_day(today, 4),
        statutory_due=next_working_day(today, 20),
    )
    chaozhou = f.dept_like("民政", h.CHAOZHOU)
    h.local_record(
        "T-8",
        chaozhou,
        "accept",
        "2",
        h.hours_ago(3),
        promised_due=next_working_day(today, 4),
        statutory_due=next_working_day(today, 20),
    )
    detection.watch()
    detection.scan(today)
    assert Warning.objects.get(case_number="T-7").rule_id == again.pk
    assert not Warning.objects.filter(case_number="T-8").exists()


def test_revise_refuses_bad_values():
    base = Rule.objects.get(code="SX02", region_code="")
    for changes, field in [
        ({"card": "blue"}, "card"),
        ({"threshold_days": -1}, "threshold_days"),
        ({"response_days": 0}, "response_days"),
        ({"pattern": "due_near"}, "pattern"),
    ]:
        with pytest.raises(Exception) as caught:
            rules.revise(base, None, **changes)
        assert caught.value.field == field
    assert Rule.objects.filter(code="SX02").count() == 1


def test_escalation_yellow_to_red_then_up():
    department = h.civil_affairs()
    today = detection.today()
    h.local_record(
        "T-9",
        department,
        "accept",
        "2",
        h.hours_ago(3),
        promised_due=next_working_day(today),
        statutory_due=next_working_day(today, 20),
    )
    detection.watch()
    detection.scan(today)
    warning = Warning.objects.get(case_number="T-9")
    after_due = next_working_day(warning.due_date)
    assert detection.escalate(after_due) == {"reddened": 1, "sent_up": 0}
    warning.refresh_from_db()
    assert warning.card == Card.RED and warning.due_date > after_due
    later = next_working_day(warning.due_date)
    assert detection.escalate(later) == {"reddened": 0, "sent_up": 1}
    warning.refresh_from_db()
    assert warning.escalated_to == "440700"
    assert detection.escalate(next_working_day(later, 10)) == {"reddened": 0, "sent_up": 0}
    assert [s.action for s in warning.trail.all()] == ["raise", "escalate", "escalate"]


def test_records_table_untouched():
    """Supervision only reads the stream."""
    department = h.civil_affairs()
    h.local_record("T-10", department, "submit", "0", h.hours_ago(2))
    before = ProcessRecord.objects.count()
    detection.watch()
    assert ProcessRecord.objects.count() == before


def test_statutory_limit_near_and_passed():
    department = h.civil_affairs()
    today = detection.today()
    statutory = next_working_day(today)
    # The promised limit is far off (an extension moved it), the statutory one is close.
    h.local_record(
        "T-11",
        department,
        "accept",
        "2",
        h.hours_ago(3),
        promised_due=next_working_day(today, 30),
        statutory_due=statutory,
    )
    detection.watch()
    detection.scan(today)
    assert codes("T-11") == {"SX04"}
    detection.scan(next_working_day(statutory))
    assert codes("T-11") == {"SX04", "SX05"}
    red = Warning.objects.get(case_number="T-11", rule_code="SX05")
    assert red.card == Card.RED and "法定时限" in red.detail
