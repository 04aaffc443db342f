"""ID numbers never appear unmasked in the logs (the real console handler's output is
grepped), in the audit log, in the session store or on the pages."""

import io
import logging

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from govhall.accounts.services import legacy
from govhall.core.identifiers import mask_id_number
from govhall.core.logging import MaskIdNumbersFilter
from govhall.core.models import AuditEntry

from .factories import DEFAULT_PASSWORD, PersonFactory, id_number_for
from .helpers import last_code
from .test_registration import ID_NUMBER, registration_data


@pytest.fixture
def log_output():
    """Everything the configured masking handlers write, at DEBUG level."""
    root = logging.getLogger()
    handlers = [
        h
        for h in root.handlers
        if isinstance(h, logging.StreamHandler)
        and any(isinstance(f, MaskIdNumbersFilter) for f in h.filters)
    ]
    assert handlers, "settings.LOGGING must mask ID numbers on the console handler"
    buffer = io.StringIO()
    previous = [(h, h.setStream(buffer)) for h in handlers]
    old_level = root.level
    root.setLevel(logging.DEBUG)
    yield buffer
    root.setLevel(old_level)
    for handler, stream in previous:
        handler.setStream(stream)


@pytest.mark.django_db
def test_id_numbers_never_reach_logs_audit_or_sessions_unmasked(client, log_output):
    numbers = [ID_NUMBER]
    # Registration, phone verification and a wrong code.
    client.post(reverse("accounts:register"), registration_data())
    client.post(reverse("accounts:register-verify"), {"code": "999999"})
    client.post(reverse("accounts:register-verify"), {"code": last_code("13712345678")})
    # Failed and locked sign-ins typed with the ID number.
    for _ in range(6):
        client.post(reverse("accounts:login"), {"username": ID_NUMBER, "password": "nope-nope-1"})
    # A person, a 404 whose path carries an ID number, a bad-registration attempt.
    person = PersonFactory()
    numbers.append(person.id_number)
    client.get(f"/account/lookup/{person.id_number}/")
    client.post(reverse("accounts:register"), registration_data(id_number=person.id_number))
    client.post(
        reverse("accounts:login"), {"username": person.id_number, "password": DEFAULT_PASSWORD}
    )
    client.get(reverse("accounts:home"))
    # A legacy import with a conflict and an invalid row.
    third = id_number_for(777, "440705")
    numbers.append(third)
    data = (
        f"id_number,name,mobile,password_hash\n{third},甲,,\n{third},乙,,\n{third[:-1]}0,丙,,\n"
    ).encode()
    legacy.import_accounts(data, source_system="测试")

    logging.getLogger("govhall.test").warning("manual check %s", person.id_number)
    output = log_output.getvalue()
    assert mask_id_number(person.id_number) in output  # the log did see the numbers…
    for number in numbers:
        assert number not in output  # …but only masked
        assert number.lower() not in output

    audit_text = " ".join(
        f"{e.object_repr} {e.before} {e.after} {e.reason}" for e in AuditEntry.objects.all()
    )
    assert mask_id_number(ID_NUMBER) in audit_text
    for number in numbers:
        assert number not in audit_text
    sessions = " ".join(s.session_data for s in Session.objects.all())
    decoded = " ".join(str(s.get_decoded()) for s in Session.objects.all())
    for number in numbers:
        assert number not in sessions and number not in decoded
