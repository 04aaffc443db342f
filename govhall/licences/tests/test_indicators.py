"""证照电子化率 on a data set computed by hand: two departments of 蓬江区 and one of 江门市,
rolled up to the county and the city; the API scoped to the caller's reach.

Due types (published items naming an active type of the 通用目录):
  A 蓬江区民政局  T1, T2        (T4 inactive and T9 unknown do not count)
  B 蓬江区公安局  T3
  C 江门市民政局  T1, T2
Issued electronically this month:
  A  T1 through a concluded case; T2 only issued by hand (neither case nor digitised): 1/2
  B  T3 digitised; T2 digitised too, but B is not due T2:                               1/1
  C  T2 through a case, but dated two years ago; T1 digitised two years ago and
     annotated this month (only version 1 counts):                                      0/2
County 440703: 2/3. City 440700: 2/5. Without a period C's T1 and T2 count: city 4/5.
"""

import datetime

import pytest
from django.core.management import call_command
from django.urls import Resolver404, include, path, resolve
from django.utils import timezone

from govhall import urls as site_urls
from govhall.cases.tests import factories as cf
from govhall.regions.models import Post

from ..api.indicators import ElectronicRateView
from ..models import VersionKind
from ..services import indicators, issuing
from . import factories as f

URL = "/api/v1/licences/indicators/electronic-rate"


def _wired() -> bool:
    try:
        return getattr(resolve(URL).func, "view_class", None) is ElectronicRateView
    except Resolver404:
        return False


# Until licences.api.urls includes indicator_urls, these tests add it themselves.
urlpatterns = (
    site_urls.urlpatterns
    if _wired()
    else [path("api/v1/", include("govhall.licences.api.indicator_urls")), *site_urls.urlpatterns]
)
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

T1, T2, T3, T4, T9 = (f"{f.DEFINING_BODY_CODE}{n:03d}" for n in (11, 12, 13, 14, 19))


def person():
    return issuing.Holder.of_person(cf.applicant().person)


@pytest.fixture
def data(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    a = cf.dept_like("民政", cf.PENGJIANG)
    b = cf.dept_like("公安", cf.PENGJIANG)
    c = cf.department("江门市民政局")
    chaozhou = cf.department("潮州市民政局", cf.CHAOZHOU)
    f.licence_type(T1, "类型一", issuers=[a, c], number_prefix="一")
    f.licence_type(T2, "类型二", issuers=[a, b, c], number_prefix="二")
    f.licence_type(T3, "类型三", issuers=[b], number_prefix="三")
    f.licence_type(T4, "类型四", issuers=[a], number_prefix="四", is_active=False)
    items = {}
    for dept, codes in ((a, (T1, T2, T4, T9)), (b, (T3,)), (c, (T1, T2)), (chaozhou, (T1,))):
        for code in codes:
            items[dept.pk, code] = f.issuing_item(dept, code, name=f"事项{code[-3:]}")
    cf.item(b, name="不出证的事项")  # no result licence: not due

    f.concluded_case(a, item=items[a.pk, T1])
    issuing.issue(f.licence_type(T2), a, person(), data={"household_size": 1})
    for code in (T3, T2):
        issuing.issue(
            f.licence_type(code), b, person(), data={"household_size": 1},
            kind=VersionKind.DIGITISE, issue_date=datetime.date(2019, 5, 1),
            valid_from=datetime.date(2019, 5, 1), valid_until=datetime.date(2099, 1, 1),
        )  # fmt: skip
    two_years_ago = timezone.localdate().replace(day=1, month=1) - datetime.timedelta(days=400)
    old_case = cf.submitted(items[c.pk, T2])
    issuing.issue(
        f.licence_type(T2), c, person(), data={"household_size": 2}, case=old_case,
        issue_date=two_years_ago, valid_from=two_years_ago, valid_until=datetime.date(2099, 1, 1),
    )  # fmt: skip
    digitised = issuing.issue(
        f.licence_type(T1), c, person(), data={"household_size": 2},
        kind=VersionKind.DIGITISE, valid_until=datetime.date(2099, 1, 1),
    )  # fmt: skip
    long_ago = timezone.now() - datetime.timedelta(days=800)
    digitised.versions.filter(version=1).update(issued_at=long_ago)
    issuing.annotate(digitised, cf.staff(Post.APPROVER, c), text="年检合格")
    return a, b, c


def by_code(rows, key):
    return {getattr(r, key): r for r in rows}


def test_rates_by_department_and_rolled_up_by_region(data):
    a, b, c = data
    today = timezone.localdate()
    result = indicators.electronic_rate("440700", year=today.year, month=today.month)
    assert result.period.date_from == today.replace(day=1)

    departments = by_code(result.departments, "department_code")
    assert set(departments) == {a.credit_code, b.credit_code, c.credit_code}
    row = departments[a.credit_code]
    assert (row.numerator, row.denominator, row.rate) == (1, 2, 0.5)
    assert row.due_type_codes == [T1, T2] and row.issued_type_codes == [T1]
    row = departments[b.credit_code]
    assert (row.numerator, row.denominator, row.rate) == (1, 1, 1.0)
    assert row.issued_type_codes == [T3]
    row = departments[c.credit_code]
    assert (row.numerator, row.denominator, row.rate) == (0, 2, 0.0)

    regions = by_code(result.regions, "region_code")
    assert set(regions) == {"440700", "440703"}
    county, city = regions["440703"], regions["440700"]
    assert (county.numerator, county.denominator, county.rate) == (2, 3, 0.6667)
    assert sorted(county.department_codes) == sorted([a.credit_code, b.credit_code])
    assert {"department_code": b.credit_code, "type_code": T3} in county.issued
    assert (city.numerator, city.denominator, city.rate) == (2, 5, 0.4)

    # The whole history: C's case-issued T2 and digitised T1 now count.
    always = by_code(indicators.electronic_rate("440700").regions, "region_code")["440700"]
    assert (always.numerator, always.denominator) == (4, 5)
    # Last year: A's case was concluded this year, B digitised this year.
    last_year = indicators.electronic_rate("440703", year=today.year - 1)
    assert [(r.region_code, r.numerator, r.denominator) for r in last_year.regions] == [
        ("440703", 0, 3)
    ]
    # One department asked for by name, even one with nothing due.
    other = cf.dept_like("人力资源", cf.PENGJIANG)
    (row,) = indicators.electronic_rate(department=other).departments
    assert (row.numerator, row.denominator, row.rate) == (0, 0, None)


def test_bad_parameters_name_the_field(data):
    from django.core.exceptions import ValidationError

    cases = [
        ({"month": 3}, "year", "按月统计时须同时填写“年份”。"),
        ({"year": 2026, "month": 13}, "month", "“月份”须在1至12之间。"),
        ({"region_code": "449999"}, "region", "区划代码“449999”不存在。"),
    ]
    for kwargs, field, message in cases:
        with pytest.raises(ValidationError) as raised:
            indicators.electronic_rate(**kwargs)
        assert raised.value.message_dict == {field: [message]}


def test_api_is_scoped_to_the_callers_reach(data, client):
    a, _b, c = data
    today = timezone.localdate()
    query = {"year": today.year, "month": today.month}

    client.force_login(cf.staff(Post.SUPERVISOR, c))  # a city supervisor sees the city
    body = client.get(URL, {"region": "440700", **query}).json()
    assert {r["region_code"]: (r["numerator"], r["denominator"]) for r in body["regions"]} == {
        "440700": (2, 5),
        "440703": (2, 3),
    }
    assert body["period"]["date_from"] == today.replace(day=1).isoformat()
    row = next(r for r in body["departments"] if r["department_code"] == a.credit_code)
    assert row == {
        "department_code": a.credit_code,
        "department_name": a.name,
        "region_code": "440703",
        "numerator": 1,
        "denominator": 2,
        "rate": 0.5,
        "due_type_codes": [T1, T2],
        "issued_type_codes": [T1],
    }

    client.force_login(cf.staff(Post.CLERK, a))  # a county clerk sees their department only
    body = client.get(URL, query).json()
    assert [r["department_code"] for r in body["departments"]] == [a.credit_code]
    assert body["regions"] == []
    refused = client.get(URL, {"department": c.credit_code})
    assert refused.status_code == 403
    assert refused.json()["errors"][0] == {
        "field": "department",
        "code": "out_of_scope",
        "message": "所查询的部门或区划不在您的查看范围内。",
    }
    assert client.get(URL, {"region": "445100"}).status_code == 403
    bad = client.get(URL, {"year": "二〇二六"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "year"
    bad = client.get(URL, {"month": "3"})
    assert bad.json()["errors"][0] == {
        "field": "year",
        "code": "required",
        "message": "按月统计时须同时填写“年份”。",
    }

    client.force_login(cf.applicant().user)
    assert client.get(URL).status_code == 403
    client.logout()
    assert client.get(URL).status_code in (401, 403)


def test_schema_documents_the_endpoint_without_warnings(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--urlconf", __name__,
        "--format", "openapi-json", "--file", str(tmp_path / "schema.json"),
    )  # fmt: skip
    import json

    schema = json.loads((tmp_path / "schema.json").read_text())
    operation = schema["paths"][URL]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"region", "department", "year", "month"}
    assert {"200", "400", "403"} <= set(operation["responses"])
