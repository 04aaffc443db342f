"""Log records never carry an ID number in clear, and carry the request id."""

import io
import logging

import pytest
from django.test import Client

from govhall.core import context
from govhall.core.logging import MaskIdNumbersFilter, RequestIdFilter, mask_text

ID = "440703199001015140"
MASKED = "4407**********5140"


@pytest.fixture
def masked_log():
    """A logger whose handler has the filter, writing to a string."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskIdNumbersFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("govhall.tests.masking")
    logger.addHandler(handler)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)
    logger.propagate = True


@pytest.fixture
def console():
    """The console handler configured by settings.LOGGING, writing to a string for a while."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, MaskIdNumbersFilter) for f in h.filters)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


class TestMaskText:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            (f"申请人{ID}已提交", f"申请人{MASKED}已提交"),
            (f"id={ID}, ok", f"id={MASKED}, ok"),
            ("44070319900101514x", "4407**********514X"),
            ("440703900101514", "4407*******1514"),
            (f"{ID} and 440703900101514", f"{MASKED} and 4407*******1514"),
        ],
    )
    def test_id_numbers_are_masked(self, text, expected):
        assert mask_text(text) == expected

    @pytest.mark.parametrize(
        "text",
        [
            "91440300708461136T",  # a credit code is public
            "1234567890123456789012",  # a longer number is not an ID number
            "case 2026112100000001",  # 16 digits
            "no numbers here",
        ],
    )
    def test_other_text_is_left_alone(self, text):
        assert mask_text(text) == text


class TestMaskIdNumbersFilter:
    def test_arguments_are_masked(self, masked_log):
        logger, stream = masked_log
        logger.warning("申请人 %s 提交了 %d 份材料", ID, 3)
        assert stream.getvalue() == f"WARNING 申请人 {MASKED} 提交了 3 份材料\n"

    def test_the_message_itself_is_masked(self, masked_log):
        logger, stream = masked_log
        logger.info(f"lookup {ID}")
        assert ID not in stream.getvalue()
        assert MASKED in stream.getvalue()

    def test_a_traceback_repeating_the_input_is_masked(self, masked_log):
        logger, stream = masked_log
        try:
            raise ValueError(f"bad applicant {ID}")
        except ValueError:
            logger.exception("validation failed")
        output = stream.getvalue()
        assert "Traceback" in output
        assert f"ValueError: bad applicant {MASKED}" in output
        assert ID not in output

    def test_a_broken_format_call_does_not_raise_from_the_filter(self):
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "%s %s", ("only one",), None)
        assert MaskIdNumbersFilter().filter(record) is True

    def test_with_caplog(self, caplog):
        caplog.handler.addFilter(MaskIdNumbersFilter())
        with caplog.at_level(logging.INFO, logger="govhall.tests.caplog"):
            logging.getLogger("govhall.tests.caplog").info("身份证号 %s", ID)
        assert MASKED in caplog.text
        assert ID not in caplog.text


class TestConfiguredLogging:
    def test_the_console_handler_masks_and_stamps_the_request_id(self, console):
        with context.acting(request_id="req-logging-01"):
            logging.getLogger("govhall.tests.console").warning("查询 %s", ID)
        line = console.getvalue()
        assert MASKED in line
        assert ID not in line
        assert "[req-logging-01]" in line

    def test_django_request_log_of_a_404_is_masked_and_carries_the_request_id(self, db, console):
        response = Client().get(f"/api/v1/nothing/{ID}", HTTP_X_REQUEST_ID="req-logging-404")
        assert response.status_code == 404
        output = console.getvalue()
        assert "Not Found" in output
        assert MASKED in output
        assert ID not in output
        assert "[req-logging-404]" in output


class TestRequestIdFilter:
    def make_record(self):
        return logging.LogRecord("x", logging.INFO, __file__, 1, "message", (), None)

    def test_from_the_context(self):
        record = self.make_record()
        with context.acting(request_id="req-ctx-000001"):
            RequestIdFilter().filter(record)
        assert record.request_id == "req-ctx-000001"

    def test_outside_a_request(self):
        record = self.make_record()
        RequestIdFilter().filter(record)
        assert record.request_id == "-"

    def test_from_the_request_django_attaches(self):
        record = self.make_record()
        record.request = type("Request", (), {"request_id": "req-attached-01"})()
        RequestIdFilter().filter(record)
        assert record.request_id == "req-attached-01"
