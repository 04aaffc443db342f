"""How many SQL statements an application costs, asserted so they cannot creep back.

The draft path (start, save the answers, attach three materials, submit) and the
one-call path (``applications.apply``), counted as in production: outside a test
transaction (so an ``atomic`` block is BEGIN/COMMIT, not a savepoint, and nested blocks'
savepoints count), on a warm process — the applicant's second application, as the
catalogue and calendar reads of the first are the same for every later one.

Goal (issue: an application costs what it must): the draft path ≤ 30 statements, counted
with transaction control as ``python -m bench cases`` counts them (it was 56). The
one-call path is held at what it issues now.
"""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ..models import Application
from ..services import applications
from . import factories as f

CONTACT = {"contact_phone": "13800138000", "delivery": "electronic"}
THREE = [
    {"code": f"M0{n}", "name": name, "required": True, "source": "applicant", "media": "both"}
    for n, name in enumerate(("申请书", "房屋租赁合同", "收入证明"), start=1)
]
DRAFT_PATH_MAX = 30
# 18 statements of work between BEGIN and COMMIT, then the read and write of the SMS
# task, which the test settings run at once (a worker's, in production)
SUBMIT = 22
ONE_CALL_MAX = 22


def statements(seen) -> int:
    """Every statement sent, transaction control (BEGIN, COMMIT, savepoints) included."""
    return len(seen.captured_queries)


def files_for(identity, item) -> dict:
    probe = Application(item=item)
    return {
        need.key: applications.store_file(identity.user, f.pdf(need.name), title=need.name)
        for need in applications.material_needs(probe)
        if need.required and not need.fetched_by_hall
    }


def draft_path(identity, item, files) -> dict[str, int]:
    counts = {}
    with CaptureQueriesContext(connection) as seen:
        application = applications.start(identity, item=item)
    counts["start"] = statements(seen)
    with CaptureQueriesContext(connection) as seen:
        applications.save_answers(application, dict(f.ANSWERS), contact=CONTACT)
    counts["save_answers"] = statements(seen)
    with CaptureQueriesContext(connection) as seen:
        for key, stored in files.items():
            applications.attach(application, key, file=stored)
    counts["attach ×3"] = statements(seen)
    with CaptureQueriesContext(connection) as seen:
        (case,) = applications.submit(application, identity, idempotency_key=uuid.uuid4().hex)
    counts["submit"] = statements(seen)
    assert case.state == "submitted"
    return counts


def one_call(identity, item, files) -> int:
    with CaptureQueriesContext(connection) as seen:
        _application, (case,) = applications.apply(
            identity,
            item=item,
            answers=dict(f.ANSWERS),
            contact=CONTACT,
            materials=files,
            idempotency_key=uuid.uuid4().hex,
        )
    assert case.state == "submitted"
    return statements(seen)


@pytest.mark.usefixtures("transactional_reference_data")
def test_statements_per_application():
    identity, item = f.applicant(), f.item(materials=THREE)
    files = files_for(identity, item)
    assert len(files) == 3
    draft_path(identity, item, files)  # warm: the first application reads the catalogue
    counts = draft_path(identity, item, files)
    total = sum(counts.values())
    assert total <= DRAFT_PATH_MAX, counts
    assert counts == {"start": 1, "save_answers": 1, "attach ×3": 6, "submit": SUBMIT}, counts
    one_call(identity, item, files)
    single = one_call(identity, item, files)
    assert single <= ONE_CALL_MAX
