"""The monitoring API on the Chaozhou month of test_dashboard (figures by hand there)."""

from __future__ import annotations

import pytest

from .test_dashboard import chaozhou, chaozhou_supervisor, jiangmen_supervisor  # noqa: F401

pytestmark = pytest.mark.django_db

URL = "/api/v1/monitoring/regions/445100/"


def figure(figures: list[dict], indicator: str) -> dict:
    return next(f for f in figures if f["indicator"] == indicator)


def test_region_indicators_with_units_departments_and_targets(client, chaozhou):  # noqa: F811
    client.force_login(chaozhou_supervisor())
    body = client.get(URL + "indicators", {"month": "2017-06"}).json()
    assert body["region_name"] == "潮州市" and body["item_type"] == "XK"
    whole = figure(body["figures"], "online_apply")
    assert (whole["numerator"], whole["denominator"], whole["rate"]) == (6, 9, 66.7)
    city = body["units"][0]
    assert city["kind"] == "departments" and city["volume"] == 4
    online = figure(city["figures"], "online_apply")
    assert (online["rate"], online["target"], online["status"]) == (75.0, 70.0, "met")
    assert "潮府办函〔2017〕135号" in online["target_source"]
    concluded = figure(city["figures"], "online_conclude")
    assert (concluded["rate"], concluded["status"]) == (50.0, "below")
    counties = {u["code"]: u for u in body["units"] if u["kind"] == "region"}
    assert figure(counties["445103"]["figures"], "online_apply")["rate"] == 66.7
    assert sum(u["volume"] for u in body["units"]) == 9
    assert {d["kind"] for d in body["departments"]} == {"department"}

    counties = client.get(URL + "indicators", {"month": "2017-06", "level": "county"}).json()
    # 湘桥 2 + 潮安 3 cases; 3 of them applied online
    level = figure(counties["figures"], "online_apply")
    assert (level["numerator"], level["denominator"]) == (3, 5)


def test_behind_lists_the_counted_cases(client, chaozhou):  # noqa: F811
    client.force_login(chaozhou_supervisor())
    response = client.get(
        URL + "behind",
        {"month": "2017-06", "indicator": "online_apply", "scope": "departments"},
    )
    assert response.status_code == 200
    assert sorted(response.json()["case_numbers"]) == ["CZ-A-1", "CZ-A-2", "CZ-B-2"]
    denominator = client.get(
        URL + "behind",
        {"month": "2017-06", "indicator": "online_apply", "part": "denominator"},
    ).json()
    assert denominator["count"] == 9 and "JM-1" not in denominator["case_numbers"]


def test_bad_input_names_the_field_and_other_regions_are_not_found(client, chaozhou):  # noqa: F811
    client.force_login(chaozhou_supervisor())
    bad = client.get(URL + "indicators", {"month": "2017-13"})
    assert bad.status_code == 400
    assert "month" in bad.content.decode() and "YYYY-MM" in bad.content.decode()
    level = client.get(URL + "indicators", {"month": "2017-06", "level": "galaxy"})
    assert level.status_code == 400 and "level" in level.content.decode()
    wrong = client.get(URL + "behind", {"month": "2017-06", "indicator": "nonsense"})
    assert wrong.status_code == 400 and "indicator" in wrong.content.decode()

    client.force_login(jiangmen_supervisor())
    assert client.get(URL + "indicators", {"month": "2017-06"}).status_code == 404
    assert (
        client.get(URL + "behind", {"month": "2017-06", "indicator": "online_apply"}).status_code
        == 404
    )
    client.logout()
    assert client.get(URL + "indicators", {"month": "2017-06"}).status_code in (401, 403)


def test_a_citizens_token_is_told_this_is_the_monitoring_api(client):
    """Not the case API's wording: the refusal names the interface the caller asked for."""
    from tests.common import applicant
    from tests.factories import bearer_header

    citizen = applicant()
    response = client.get(
        "/api/v1/monitoring/regions/445100/indicators?month=2017-06",
        **bearer_header(citizen.user),
    )
    assert response.status_code == 403
    (error,) = response.json()["errors"]
    assert error["code"] == "staff_only"
    assert "数据监测接口" in error["message"] and "办件办理" not in error["message"]
