"""Staff read only their departments' and regions' cases: a Chaozhou case is "not found"
for Jiangmen staff on every workbench URL, and nothing about it changes."""

import pytest

from govhall.cases.models import CaseState
from govhall.cases.tests import factories as f
from govhall.records.models import ProcessRecord
from govhall.regions.models import Post

from .staff_support import (
    case_url,
    civil_affairs,
    clerk,
    reload,
    signed_in,
    staff,
    status_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("desk")]


@pytest.fixture
def chaozhou_case():
    return f.submitted(f.item(civil_affairs(f.CHAOZHOU), name="临时救助申请"))


def workbench_urls(case) -> list[str]:
    material = case.application.materials.exclude(file=None).first()
    return [
        case_url(case),
        f"/workbench/cases/{case.number}/files/{material.file.public_id}/",
        f"/workbench/counter/taken/{case.number}/",
    ]


@pytest.mark.parametrize(
    "who",
    [
        lambda: clerk(civil_affairs()),
        lambda: staff(Post.APPROVER, civil_affairs()),
        # A supervisor reaches every case of Jiangmen's regions — and no further.
        lambda: staff(Post.SUPERVISOR, f.department("江门市监察局")),
    ],
    ids=["clerk", "approver", "supervisor"],
)
def test_jiangmen_staff_cannot_read_or_touch_a_chaozhou_case(client, chaozhou_case, who):
    signed_in(client, who())
    for url in workbench_urls(chaozhou_case):
        assert status_of(client, url) == 404, url
    records = ProcessRecord.objects.filter(case_number=chaozhou_case.number).count()
    for action in ("accept", "reject", "request_correction", "decide", "conclude", "deliver"):
        response = client.post(case_url(chaozhou_case, action), {f"{action}-reason": "越权尝试"})
        assert response.status_code == 404, action
    assert reload(chaozhou_case).state == CaseState.SUBMITTED
    assert ProcessRecord.objects.filter(case_number=chaozhou_case.number).count() == records
    assert chaozhou_case.number not in client.get("/workbench/cases/").content.decode()
    assert chaozhou_case.number not in client.get("/workbench/cases/all/").content.decode()


def test_chaozhou_staff_read_the_same_urls(client, chaozhou_case):
    signed_in(client, clerk(civil_affairs(f.CHAOZHOU)))
    for url in workbench_urls(chaozhou_case):
        assert status_of(client, url) == 200, url


def test_a_file_is_served_only_under_the_case_it_belongs_to(client):
    dept = civil_affairs()
    item = f.item(dept)
    first, second = f.submitted(item), f.submitted(item)
    signed_in(client, clerk(dept))
    other = second.application.materials.exclude(file=None).first().file
    assert status_of(client, f"/workbench/cases/{first.number}/files/{other.public_id}/") == 404
    assert status_of(client, f"/workbench/cases/{second.number}/files/{other.public_id}/") == 200
    assert status_of(client, "/workbench/cases/no*such/") == 404
