"""The one definition of the stream's events, and appending a record with its outbox row."""

import datetime

import pytest

from govhall.records import events
from govhall.records.models import MessageType, OutboxMessage, ProcessRecord
from govhall.records.services import stream


def test_every_event_follows_only_known_events_that_are_not_itself():
    for event in events.EVENTS:
        assert set(event.follows) <= set(events.CODES) - {event.code}, event.code
        assert event.code == "submit" or "submit" in event.follows, event.code


def test_each_message_type_has_its_events_and_one_default():
    assert {e.message_type for e in events.EVENTS} == set(MessageType.values)
    for message_type in MessageType.values:
        defaults = [e for e in events.of_type(message_type) if e.default]
        assert len(defaults) == 1, message_type
        assert events.default_for(message_type) == defaults[0].code
    assert events.default_for("X") == ""


def test_labels_are_chinese_and_distinct_and_unknown_codes_show_as_they_are():
    labels = [str(e.label) for e in events.EVENTS]
    assert len(set(labels)) == len(labels)
    assert events.label("complete_step") == "审批环节"
    assert events.label("no_such_event") == "no_such_event"


def payload(event: str, message_type: str) -> dict:
    return {
        "format": events.FORMAT_VERSION,
        "case_number": "440703TEST20261203000001",
        "implementation_code": "11440703TEST0001",
        "case_type": "2",
        "channel": "online",
        "message_type": message_type,
        "event": event,
        "occurred_at": "2026-12-03T10:00:00+08:00",
        "department": {"code": "11440703MB2C12345X", "name": "蓬江区民政局"},
        "region_code": "440703",
        "state": "in_progress",
        "visits": 0,
        "details": {},
    }


@pytest.mark.django_db
def test_a_local_record_is_stored_with_its_outbox_row_and_its_id_in_the_payload():
    at = datetime.datetime(2026, 12, 3, 2, 0, tzinfo=datetime.UTC)
    record = stream.append(payload("accept", MessageType.ACCEPTANCE), occurred_at=at)
    stored = ProcessRecord.objects.get(pk=record.pk)
    assert (stored.event, stored.message_type, stored.source) == ("accept", "2", "local")
    assert stored.department_code == "11440703MB2C12345X" and stored.occurred_at == at
    assert stored.payload["record_id"] == str(stored.record_id)
    assert OutboxMessage.objects.filter(record=stored, delivered_at=None).exists()


@pytest.mark.django_db
def test_an_event_under_another_message_type_is_not_stored():
    at = datetime.datetime(2026, 12, 3, 2, 0, tzinfo=datetime.UTC)
    with pytest.raises(ValueError, match="accept"):
        stream.append(payload("accept", MessageType.CONCLUSION), occurred_at=at)
    with pytest.raises(KeyError):
        stream.append(payload("approve", MessageType.APPROVAL_STEP), occurred_at=at)
    assert not ProcessRecord.objects.exists()
