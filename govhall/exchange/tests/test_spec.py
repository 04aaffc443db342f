"""The exchange format's JSON Schema: the files, its event lists (the records app's event
definitions), the derived event, and the Chinese errors a sender gets. That every record
the case engine writes conforms: ``tests/integration/test_case_records_exchange.py``."""

import copy
import datetime
import uuid

import pytest
from jsonschema import Draft202012Validator

from govhall.records import events
from govhall.records.models import MessageType

from ..services import spec
from .conftest import CaseStory, case_number

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 3, 10, 0, tzinfo=datetime.UTC)


def test_the_schema_files_are_valid_draft_2020_12():
    assert spec.schema_names() == (
        "process-record-1.0.json",
        "process-record-batch-1.0.json",
    )
    for name in spec.schema_names():
        schema = spec.load_schema(name)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        Draft202012Validator.check_schema(schema)
    record = spec.load_schema(spec.RECORD_SCHEMA)
    assert record["properties"]["format"]["const"] == "1.0"
    assert record["properties"]["message_type"]["enum"] == list(spec.MESSAGE_TYPES)


def test_the_schemas_event_lists_are_the_event_definitions():
    record = spec.load_schema(spec.RECORD_SCHEMA)
    assert record["properties"]["event"]["enum"] == list(events.CODES)
    by_type = {
        rule["if"]["properties"]["message_type"]["const"]: rule["then"]["properties"]["event"]
        for rule in record["allOf"]
        if "message_type" in rule["if"]["properties"]
    }
    assert set(by_type) == set(MessageType.values)
    for message_type, allowed in by_type.items():
        assert allowed["enum"] == [e.code for e in events.of_type(message_type)], message_type
    assert {e.code: e.message_type for e in events.EVENTS} == spec.EVENT_MESSAGE_TYPES


@pytest.mark.parametrize(
    ("message_type", "details", "event"),
    [
        ("0", {}, "submit"),
        ("1", {}, "pre_accept"),
        ("2", {"accepted": True}, "accept"),
        ("2", {}, "accept"),
        ("2", {"accepted": False, "opinion": "不属于本部门"}, "reject"),
        ("3", {"step_code": "1"}, "complete_step"),
        ("3", {"decision": "approve"}, "decide"),
        ("4", {"conclusion_code": "0"}, "conclude"),
        ("4", {"conclusion_code": "2"}, "withdraw"),
        ("5", {"procedure": "hearing"}, "start_special"),
        ("5", {"procedure": "extension", "days": 5}, "extend"),
        ("6", {"procedure": "hearing"}, "end_special"),
        ("7", {"items": [{"name": "申请书", "problem": "缺签名"}]}, "request_correction"),
        ("8", {}, "submit_correction"),
        ("9", {}, "deliver"),
        ("R", {"level": 1}, "rate"),
    ],
)
def test_the_event_is_derived_when_absent(message_type, details, event):
    assert spec.derive_event({"message_type": message_type, "details": details}) == event


@pytest.fixture
def good(item, civil_affairs):
    story = CaseStory(item, civil_affairs, case_number(civil_affairs, 1))
    return story


def test_a_clear_id_number_anywhere_in_the_applicant_is_refused(good):
    record = good.submit(NOW)
    assert spec.schema_errors(record) == {}
    cases = {
        "id_key": "440703199001011234",
        "name": "陈志明440703199001011234",
        "contact_phone": "身份证440703199001011234",
    }
    for field, value in cases.items():
        bad = copy.deepcopy(record)
        bad["applicant"][field] = value
        errors = spec.schema_errors(bad)
        assert f"applicant.{field}" in errors, field
        assert "身份证号码" in errors[f"applicant.{field}"][0]
    company = copy.deepcopy(record)
    company["applicant"].update(kind="company", id_type="001", id_key="914403001922038216")
    assert spec.schema_errors(company) == {}  # a credit code of digits only is fine
    mixed = copy.deepcopy(record)
    mixed["applicant"]["id_type"] = "001"
    assert spec.schema_errors(mixed) == {"applicant.id_type": ["取值“001”无效，应为“111”。"]}


def test_the_applicant_travels_only_with_the_application(good):
    record = good.accept(NOW)
    record["applicant"] = good.submit(NOW)["applicant"]
    assert spec.schema_errors(record) == {
        "applicant": ["只有申办信息（message_type 0）可以携带申请人信息。"]
    }
    submission = good.submit(NOW)
    del submission["applicant"]
    assert spec.schema_errors(submission) == {"applicant": ["缺少必填字段。"]}


def test_errors_name_the_field_path_in_chinese(good):
    record = good.record(
        "7",
        NOW,
        "awaiting_correction",
        details={"items": [{"name": "", "problem": "缺签名"}], "note": 3},
    )
    record["format"] = "2.0"
    record["occurred_at"] = "2026-12-03 10:00:00"
    record["department"]["code"] = "123"
    record["extra"] = True
    del record["case_number"]
    assert spec.schema_errors(record) == {
        "format": ["取值“2.0”无效，应为“1.0”。"],
        "case_number": ["缺少必填字段。"],
        "occurred_at": [
            "格式不正确：ISO 8601 日期时间，须带时区（如 2026-11-22T10:15:03+08:00）。"
        ],
        "department.code": ["格式不正确：18位统一社会信用代码（GB 32100）。"],
        "extra": ["交换格式1.0没有这个字段。"],
        "details.items[0].name": ["不能为空。"],
        "details.note": ["类型错误：应为字符串。"],
    }


def test_event_and_message_type_must_agree(good):
    record = good.accept(NOW, event="conclude")
    assert spec.schema_errors(record) == {
        "event": ["取值“conclude”无效，应为以下之一：accept、reject。"]
    }
    decision = good.record("3", NOW, "decided", event="decide", details={})
    assert spec.schema_errors(decision) == {"details.decision": ["缺少必填字段。"]}
    refusal = good.record("2", NOW, "rejected", details={"accepted": False})
    assert spec.schema_errors(refusal) == {"details.opinion": ["缺少必填字段。"]}


def test_dates_must_be_real_and_times_carry_an_offset(good):
    record = good.accept(NOW)
    record["promised_due"] = "2026-02-30"
    record["occurred_at"] = "2026-12-03T25:00:00+08:00"
    _, _, errors = spec.check(record)
    assert errors == {
        "occurred_at": ["不是有效的日期时间。"],
        "promised_due": ["不是有效的日期。"],
    }
    naive = good.accept(NOW)
    naive["occurred_at"] = "2026-12-03T10:00:00"
    assert "occurred_at" in spec.schema_errors(naive)


def test_normal_form_keeps_one_spelling_of_the_same_record(good):
    record = good.accept(NOW)
    record["record_id"] = record["record_id"].upper()
    record["occurred_at"] = "2026-12-03T02:00:00Z"
    del record["visits"]
    payload, occurred, errors = spec.check(record)
    assert errors == {}
    assert payload["record_id"] == str(uuid.UUID(record["record_id"]))
    assert payload["occurred_at"] == "2026-12-03T10:00:00+08:00"
    assert payload["visits"] == 0 and payload["event"] == "accept"
    assert occurred == datetime.datetime(2026, 12, 3, 2, 0, tzinfo=datetime.UTC)


def test_the_compiled_and_the_full_validator_agree(good):
    """The fast path decides; the full validator explains. They must never disagree."""
    samples = [
        *good.whole(NOW),
        good.record("R", NOW, "concluded", details={"level": 6}),
        good.record("R", NOW, "concluded", details={"level": True}),
        good.record("5", NOW, "in_progress", event="extend", details={"procedure": "hearing"}),
        good.record("4", NOW, "withdrawn", event="withdraw", details={"conclusion_code": "0"}),
        good.record("9", NOW, "concluded", details={"delivery": "drone"}),
        good.record("6", NOW, "in_progress", details={"procedure": "hearing", "days": -1}),
        {**good.accept(NOW), "message_type": "X"},
        {**good.accept(NOW), "visits": 1.5},
        [],
        "record",
        None,
    ]
    validator = spec.full_validator()
    for sample in samples:
        full_ok = validator.is_valid(sample)
        assert (spec.schema_errors(sample) == {}) is full_ok, sample
    assert sum(1 for s in samples if validator.is_valid(s)) == 5  # the whole case
    # where Python's "$" lets a trailing line break through, the compiled check does not
    trailing = {**good.accept(NOW), "case_number": "440703\n"}
    assert validator.is_valid(trailing)
    assert spec.schema_errors(trailing) == {"case_number": ["不符合交换格式。"]}


def test_the_batch_schema_refers_to_the_record_schema(good):
    validator = spec.full_validator(spec.BATCH_SCHEMA)
    assert validator.is_valid({"records": good.whole(NOW)})
    assert not validator.is_valid({"records": []})
    assert not validator.is_valid({"records": [{**good.submit(NOW), "format": "0.9"}]})


def test_a_number_where_text_is_expected_is_named_as_such(good):
    record = {**good.accept(NOW), "message_type": 2, "format": 1.0}
    assert spec.schema_errors(record) == {
        "format": ["类型错误：应为字符串（加引号），取值为1.0之一。"],
        "message_type": [
            "类型错误：应为字符串（加引号），取值为0、1、2、3、4、5、6、7、8、9、R、P之一。"
        ],
    }
