"""The public progress query page: a matching pair shows progress, anything else 未找到."""

import pytest
from django.urls import reverse

from govhall.regions.models import Post

from ..services import handling
from . import factories as f

pytestmark = pytest.mark.django_db


def test_progress_query_matches_only_the_right_pair(client):
    dept = f.department("江门市民政局")
    identity, other = f.applicant(), f.applicant()
    case = f.submitted(f.item(dept), identity)
    handling.accept(case, f.staff(Post.CLERK, dept))
    url = reverse("cases:progress")
    assert client.get(url).status_code == 200

    found = client.post(
        url, {"case_number": case.number, "applicant_id": identity.person.id_number}
    )
    text = found.content.decode()
    assert found.status_code == 200
    assert "办理中" in text and "承办" in text and "受理" in text and case.number in text
    assert identity.person.id_number not in text  # the ID number is not echoed back

    wrong_person = client.post(
        url, {"case_number": case.number, "applicant_id": other.person.id_number}
    )
    unknown = client.post(
        url, {"case_number": "4407" + "0" * 25, "applicant_id": identity.person.id_number}
    )
    for response in (wrong_person, unknown):
        assert response.status_code == 404
        assert "未找到" in response.content.decode()
        assert "办理中" not in response.content.decode()
    assert _result(wrong_person) == _result(unknown)


def _result(response) -> str:
    text = response.content.decode()
    return text[text.index("<h1>") : text.index('<form method="post" novalidate')]


def test_progress_query_names_the_fields_it_needs(client):
    response = client.post(reverse("cases:progress"), {"case_number": "", "applicant_id": "123"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "“办件编号”为必填项。" in text
    assert "“申请人证件号码”须为有效的身份证号码或统一社会信用代码。" in text


def test_the_progress_page_is_throttled_like_the_api(client, settings):
    from django.core.cache import cache

    cache.clear()
    for _ in range(30):
        client.post("/progress/", {"case_number": "X", "applicant_id": "Y"})
    response = client.post("/progress/", {"case_number": "X", "applicant_id": "Y"})
    assert response.status_code == 429
    assert "查询过于频繁" in response.content.decode()
    cache.clear()
