"""``PlainBody``: a body it takes gives the serializer's ``validated_data``; every body the
serializer refuses, it leaves to the serializer (whose errors are the API's)."""

from __future__ import annotations

import itertools
import uuid

import pytest
from rest_framework import serializers

from govhall.cases.api.serializers.applications import ApplyRequest
from govhall.core.api.plain import PlainBody

FILE = uuid.UUID("0b9c7a52-4a4e-4d61-9d43-2f0d6c1e8a11")
BASE = {
    "item": "11440000MB2C92125X4442111900001",
    "answers": {"household_size": 3, "married": False, "note": "三口人"},
    "contact_name": "张三",
    "contact_phone": "13800000000",
    "delivery": "electronic",
    "materials": [{"key": "N:申请书", "locker_file": str(FILE)}],
}
MISSING = object()
VALUES = [
    MISSING, None, "", "   ", " 广州 ", "x" * 221, "y" * 20, "z" * 21, 0, 1, 1.5, True, False,
    "true", "1", [], {}, "\x00", "a\x00b", "\ud800", "a\tb", "a\u3000", "online", "mobile",
    "counter", "post", "pickup", "drone", str(FILE), FILE.hex, "{" + str(FILE) + "}",
    "urn:uuid:" + str(FILE), "not-a-uuid", str(FILE).upper(),
    {"_optional_items": ["A1"]}, {"_optional_items": "A1"}, {"_optional_items": [1]},
    {1: "a"}, [{"key": "N:申请书", "locker_file": str(FILE)}] * 2,
    [{"key": "N:申请书"}], [{"locker_file": str(FILE)}], [{"key": "", "locker_file": str(FILE)}],
    [{"key": " N:身份证 ", "locker_file": FILE.hex, "extra": 1}], ["N:申请书"], [None],
    [{"key": "N:申请书", "locker_file": "nope"}], [{"key": "k" * 221, "locker_file": str(FILE)}],
    [{"key": "N:a", "locker_file": str(FILE)}, {"key": "N:b", "locker_file": FILE.hex}],
]  # fmt: skip
FIELDS = [
    "item", "bundle", "channel", "answers", "contact_name", "contact_phone", "delivery",
    "delivery_address", "licence_consent", "materials", "unknown",
]  # fmt: skip


def _bodies():
    yield BASE
    yield {**BASE, "item": "", "bundle": "ONE-THING-1"}
    yield {k: v for k, v in BASE.items() if k not in ("materials", "delivery")}
    yield ["not", "an", "object"]
    yield None
    for field, value in itertools.product(FIELDS, VALUES):
        body = dict(BASE)
        if value is MISSING:
            body.pop(field, None)
        else:
            body[field] = value
        yield body
    for first, second in itertools.product(VALUES[:12], repeat=2):  # item and bundle
        body = {k: v for k, v in BASE.items() if k != "item"}
        for field, value in (("item", first), ("bundle", second)):
            if value is not MISSING:
                body[field] = value
        yield body


def _plain(data):
    """Nested ``OrderedDict``s as dicts, and the value's type kept in the comparison."""
    if isinstance(data, dict):
        return {k: _plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_plain(v) for v in data]
    return (type(data).__mro__[-2], data)


def test_a_plain_body_gives_the_serializers_data_and_any_other_is_left_to_it():
    plain = PlainBody(ApplyRequest)
    taken = refused = 0
    for body in _bodies():
        serializer = ApplyRequest(data=body)
        quick = plain(body)
        if serializer.is_valid():
            if quick is not None:
                taken += 1
                assert _plain(quick) == _plain(dict(serializer.validated_data)), body
        else:
            refused += 1
            assert quick is None, (body, serializer.errors)
    assert taken > 100 and refused > 100, (taken, refused)


def test_the_plain_path_is_taken_for_an_ordinary_application():
    data = PlainBody(ApplyRequest)(BASE)
    assert data is not None
    assert data["channel"] == "online" and data["licence_consent"] is False
    assert data["contact_name"] == "张三" and data["delivery_address"] == ""
    assert data["materials"] == [{"key": "N:申请书", "locker_file": FILE}]
    assert data["answers"] == BASE["answers"] and data["item"] == BASE["item"]


def test_a_field_it_cannot_check_is_refused_when_built():
    class Counted(serializers.Serializer):
        count = serializers.IntegerField()

    with pytest.raises(TypeError):
        PlainBody(Counted)
