"""The data-quality rules on accepted records, and the day's score."""

import datetime

import pytest
from django.utils import timezone

from ..models import QualityCheck, QualityDay, QualityIssue
from ..services import ingest, quality

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)
NOW = datetime.datetime(2026, 12, 3, 12, 0, tzinfo=datetime.UTC)


def issues(rule=None):
    rows = QualityIssue.objects.order_by("pk")
    if rule:
        rows = rows.filter(rule=rule)
    return list(rows)


def rules_of(record):
    return set(
        QualityIssue.objects.filter(record_id=record["record_id"]).values_list("rule", flat=True)
    )


def test_a_clean_case_has_no_issue(county, story):
    client, _ = county
    ingest.ingest(client, story(1).whole(NOW - 6 * HOUR), now=NOW)
    assert issues() == []
    day = QualityDay.objects.get(client=client, day=timezone.localdate(NOW))
    assert (day.received, day.accepted, day.with_issues, day.late) == (5, 5, 0, 0)
    assert day.score == 100.0


def test_unknown_implementation_code(county, story):
    client, _ = county
    record = story(1).submit(NOW, implementation_code="11440703MB2C93751JJF99999000")
    ingest.ingest(client, [record], now=NOW)
    (issue,) = issues()
    assert issue.rule == QualityCheck.UNKNOWN_ITEM
    assert "11440703MB2C93751JJF99999000" in issue.message and "事项目录" in issue.message


def test_times_in_the_future_and_late_pushes(county, story):
    client, _ = county
    ahead = story(1).submit(NOW + 10 * MINUTE)
    slightly_ahead = story(2).submit(NOW + 3 * MINUTE)  # clocks differ a little
    late = story(3).submit(NOW - 13 * HOUR)
    in_time = story(4).submit(NOW - 11 * HOUR)
    ingest.ingest(client, [ahead, slightly_ahead, late, in_time], now=NOW)
    assert rules_of(ahead) == {"future_time"}
    assert rules_of(slightly_ahead) == set() and rules_of(in_time) == set()
    assert rules_of(late) == {"late_push"}
    (message,) = [i.message for i in issues("late_push")]
    assert "13.0小时后才报送" in message and "应在12小时内报送" in message
    assert "2026-12-03 07:00:00" in message  # 13 h before 20:00 Beijing time
    day = QualityDay.objects.get(client=client)
    assert (day.accepted, day.late, day.with_issues) == (4, 1, 2)
    assert day.score == 50.0


def test_out_of_order_within_the_batch(county, story):
    client, _ = county
    case = story(1)
    submit = case.submit(NOW - 2 * HOUR)
    accept = case.accept(NOW - 3 * HOUR)  # accepted before it was applied for
    ingest.ingest(client, [submit, accept], now=NOW)
    assert rules_of(accept) == {"out_of_order"} and rules_of(submit) == set()
    (issue,) = issues()
    assert issue.message == (
        "“受理”的发生时间2026-12-03 17:00:00早于其前序“申办”的发生时间2026-12-03 18:00:00。"
    )


def test_out_of_order_against_records_already_stored(county, story):
    client, _ = county
    case = story(1)
    accept = case.accept(NOW - 3 * HOUR)
    ingest.ingest(client, [accept], now=NOW)  # the acceptance came first …
    assert issues() == []
    submit = case.submit(NOW - 2 * HOUR)  # … then an application dated after it
    conclude = case.conclude(NOW - 4 * HOUR)  # and a conclusion before the acceptance
    ingest.ingest(client, [submit, conclude], now=NOW)
    assert rules_of(submit) == {"out_of_order"}
    assert "晚于其后续“受理”" in issues("out_of_order")[0].message
    assert "out_of_order" in rules_of(conclude)
    assert rules_of(accept) == set()  # stored records are not flagged afresh


def test_a_conclusion_without_acceptance_and_a_promised_case_without_steps(county, story):
    client, _ = county
    bare = story(1)
    records = [bare.submit(NOW - 3 * HOUR), bare.conclude(NOW - 2 * HOUR)]
    ingest.ingest(client, records, now=NOW)
    assert rules_of(records[1]) == {"no_acceptance", "missing_steps"}
    assert issues("no_acceptance")[0].message == (
        f"办件{bare.number}已办结，但没有受理信息（信息类型2），请补报受理信息。"
    )

    instant = story(2)
    accepted = [
        instant.submit(NOW - 3 * HOUR, case_type="1"),
        instant.accept(NOW - 2 * HOUR, case_type="1"),
        instant.conclude(NOW - HOUR, case_type="1"),
    ]
    ingest.ingest(client, accepted, now=NOW)
    assert rules_of(accepted[2]) == set()  # 即办件: no approval step needed


def test_a_case_decided_by_rules_needs_no_acceptance(county, story):
    client, _ = county
    case = story(1)
    decided = case.record(
        "3",
        NOW - 2 * HOUR,
        "decided",
        event="auto_decide",
        details={"decision": "approve", "reason": "符合全部秒批规则。", "rules": []},
    )
    records = [case.submit(NOW - 3 * HOUR), decided, case.conclude(NOW - HOUR)]
    ingest.ingest(client, records, now=NOW)
    assert issues() == []


def test_acceptance_already_stored_counts(county, story):
    client, _ = county
    case = story(1)
    ingest.ingest(client, case.whole(NOW - 6 * HOUR)[:4], now=NOW)
    conclusion = case.conclude(NOW - HOUR)
    ingest.ingest(client, [conclusion], now=NOW)
    assert issues() == []


def test_one_issue_per_record_and_rule_and_only_for_accepted_records(county, story):
    client, _ = county
    late = story(1).submit(NOW - 20 * HOUR)
    ingest.ingest(client, [late], now=NOW)
    ingest.ingest(client, [late], now=NOW + HOUR)  # a duplicate: not checked again
    assert len(issues("late_push")) == 1
    refused = {**story(2).submit(NOW - 20 * HOUR), "channel": "fax"}
    ingest.ingest(client, [refused], now=NOW)
    assert rules_of(refused) == set()


def test_the_score_and_the_last_30_days(county, story):
    client, _ = county
    today = timezone.localdate(NOW)
    for days_ago in (0, 1, 29, 30):
        quality.count_day(
            client, today - datetime.timedelta(days=days_ago), received=4, accepted=3, rejected=1
        )
    quality.count_day(client, today, with_issues=1, late=1)
    shown = quality.recent_days(client, until=today)
    assert [d.day for d in shown] == [today - datetime.timedelta(days=n) for n in (0, 1, 29)]
    assert shown[0].score == 50.0 and shown[1].score == 75.0
    assert QualityDay(client=client, day=today).score is None
    with pytest.raises(TypeError):
        quality.count_day(client, today, unknown=1)


def test_check_reads_the_history_itself_when_not_given(county, story):
    client, _ = county
    case = story(1)
    ingest.ingest(client, [case.accept(NOW - 3 * HOUR)], now=NOW)
    from govhall.records.models import ProcessRecord

    submit = case.submit(NOW - 2 * HOUR)
    ingest.ingest(client, [submit], now=NOW)
    row = ProcessRecord.objects.get(record_id=submit["record_id"])
    findings = quality.check([row], now=NOW)
    assert [f.rule for f in findings] == ["out_of_order"]
