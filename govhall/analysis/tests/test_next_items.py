"""The next service: declared follow-ons first, then co-occurrence in case history (built
offline from the analysis store), each with its reason, on the personal page and pushed."""

import datetime
import uuid

import pytest
from django.urls import reverse

from govhall.analysis import jobs
from govhall.analysis.models import NextItem
from govhall.analysis.services import export, recommend
from govhall.cases.tests import factories as f
from govhall.licences.tests import factories as lf
from govhall.records.models import ProcessRecord
from govhall.spaces import jobs as space_jobs
from govhall.spaces.models import Push
from govhall.spaces.tests.helpers import _private_media, signed_in  # noqa: F401

pytestmark = pytest.mark.django_db
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture(autouse=True)
def analysis_dir(settings, tmp_path):
    settings.GOVHALL_ANALYSIS_DIR = tmp_path / "analysis"


def applied(person, item, day):
    ProcessRecord.objects.create(
        record_id=uuid.uuid4(), case_number=f"H-{person}-{day}",
        implementation_code=item.implementation_code, message_type="0", event="submit",
        occurred_at=datetime.datetime(2026, 3, day, 10, tzinfo=SHANGHAI), region_code="440700",
        department_code=item.department.credit_code, source="test",
        payload={"applicant": {"kind": "person", "id_key": f"key-{person}"}},
    )  # fmt: skip


def test_rank_puts_declared_follow_ons_first_then_history_without_repeats():
    history = {"A": ["B", "C", "D"]}
    assert recommend.rank("A", ["C"], history) == ["C", "B", "D"]
    assert recommend.rank("A", [], history, limit=2) == ["B", "C"]
    assert recommend.rank("A", ["A"], {}, exclude=["B"]) == []


def test_what_applicants_did_next_is_recommended_with_its_reason():
    dept = f.department("江门市民政局")
    declared = f.item(dept, name="临时救助申请")
    usual = f.item(dept, name="医疗救助申请")
    rare = f.item(dept, name="残疾人两项补贴")
    first = f.item(
        dept,
        name="最低生活保障审核确认",
        relations=[{"kind": "follow_on", "target": declared.implementation_code}],
    )
    # Case history: 5 applicants of 低保; 4 applied for 医疗救助 next, 1 for the subsidy.
    for person in range(5):
        applied(person, first, 1)
        applied(person, usual if person < 4 else rare, 10)
    export.export_records()
    assert jobs.build_next_items() == {"pairs": 1}  # the single 残疾人 pair is too rare
    row = NextItem.objects.get()
    assert (row.from_code, row.to_code, row.applicants, row.base) == (
        first.implementation_code, usual.implementation_code, 4, 5,
    )  # fmt: skip
    assert row.to_name == "医疗救助申请"

    me = f.applicant()
    case, _clerk = lf.concluded_case(dept, me, first)
    got = recommend.for_case(case)
    assert [(r.item, r.source) for r in got] == [(declared, "relation"), (usual, "history")]
    assert got[1].reason == (
        "办理“最低生活保障审核确认”的人通常接着办理“医疗救助申请”（5位申请人中有4位，占80%）。"
    )
    html = signed_in(me).get(reverse("spaces:home")).content.decode()
    assert usual.get_absolute_url() in html and got[1].reason in html
    space_jobs.send_pushes()
    reasons = sorted(Push.objects.filter(user=me.user).values_list("reason", flat=True))
    assert got[1].reason in reasons and len(reasons) == 2
