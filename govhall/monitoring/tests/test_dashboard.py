"""The workbench dashboards (/workbench/monitoring/) on a hand-built month of Chaozhou.

June 2017, 行政许可 (targets: 潮府办函〔2017〕135号 for the city departments and the
counties, 粤办函〔2016〕186号 for the city as a whole), process records written directly:

city departments (445100), department A (a catalogue item of its own):
    CZ-A-1 online 0 visits, CZ-A-2 mobile 1 visit;
department B: CZ-B-1 counter 2 visits, CZ-B-2 online 2 visits;
湘桥区 (445102): CZ-XQ-1 online 0 visits, CZ-XQ-2 counter 1 visit;
潮安区 (445103): CZ-CA-1 online 1 visit, CZ-CA-2 online 0, CZ-CA-3 kiosk 2 visits;
饶平县: nothing. Besides: CZ-A-MAY (May, online 0 visits), CZ-A-OPEN (not concluded),
and a Jiangmen case JM-1 that no Chaozhou number may include.

By hand: city departments 业务量 4, online 3 (75.0% ≥ 70 达标), fully online 2 (50.0% <
65 未达标), ≤ 1 visit 2 of 3 online (66.7% < 82), zero visits 1 of 3 (33.3% ≥ 12);
湘桥 online 1/2 = 50.0% < 60; 潮安 2/3 = 66.7% ≥ 60; the city as a whole online 6/9 = 66.7%.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import subprocess
import zlib
from decimal import Decimal
from html import unescape

import pytest
from openpyxl import load_workbook

from govhall.monitoring.models import Indicator, Target, TargetScope
from govhall.monitoring.services import refresh, targets
from govhall.regions.models import Department, Post
from tests import common as cf
from tests.factories import UserFactory

from . import records

pytestmark = pytest.mark.django_db

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
CHAOZHOU, XIANGQIAO, CHAOAN = "445100", "445102", "445103"
BASE = "/workbench/monitoring"
JUNE = "month=2017-06"


def at(month: int, day: int, hour: int = 10, year: int = 2017) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=SHANGHAI)


def write(number, code, department, region_code, message_type, event, when, **extra):
    """One process record, as a branch hall would push it."""
    extra.setdefault("source", "branch-hall")
    return records.record(number, code, department, region_code, message_type, event, when, **extra)


def case(number, department, *, channel="online", visits=0, concluded=None, code=None, day=12):
    """Applied, accepted, one step and (when ``concluded``) the conclusion."""
    return records.case(
        number,
        department=department,
        channel=channel,
        visits=visits,
        concluded=concluded,
        applied=(concluded or at(6, day)) - datetime.timedelta(days=3),
        code=code or f"{department.credit_code}XK{zlib.crc32(number.encode()) % 10**8:08d}",
        source="branch-hall",
    )


def departments_of(region_code: str) -> list[Department]:
    return list(
        Department.objects.filter(region_id=region_code, is_active=True)
        .select_related("region")
        .order_by("pk")
    )


@pytest.fixture
def chaozhou(settings):
    settings.GOVHALL_STAFF_TOTP_REQUIRED = False
    targets.load_seed_targets()  # a live-server test's flush may have emptied them
    a, b = departments_of(CHAOZHOU)[:2]
    item = cf.item(a, name="潮州测试许可事项")
    june = at(6, 20)
    case("CZ-A-1", a, channel="online", visits=0, concluded=june, code=item.implementation_code)
    case("CZ-A-2", a, channel="mobile", visits=1, concluded=june, code=item.implementation_code)
    case("CZ-B-1", b, channel="counter", visits=2, concluded=june)
    case("CZ-B-2", b, channel="online", visits=2, concluded=june)
    case("CZ-XQ-1", departments_of(XIANGQIAO)[0], channel="online", visits=0, concluded=june)
    case("CZ-XQ-2", departments_of(XIANGQIAO)[0], channel="counter", visits=1, concluded=june)
    case("CZ-CA-1", departments_of(CHAOAN)[0], channel="online", visits=1, concluded=june)
    case("CZ-CA-2", departments_of(CHAOAN)[0], channel="online", visits=0, concluded=june)
    case("CZ-CA-3", departments_of(CHAOAN)[0], channel="kiosk", visits=2, concluded=june)
    case("CZ-A-MAY", a, channel="online", visits=0, concluded=at(5, 20))
    case("CZ-A-OPEN", a, channel="online", visits=0, concluded=None)
    case("JM-1", cf.department("江门市民政局"), channel="online", visits=0, concluded=june)
    return {"a": a, "b": b, "item": item}


def supervisor(department: Department):
    return cf.staff(Post.SUPERVISOR, department)


def chaozhou_supervisor():
    return supervisor(departments_of(CHAOZHOU)[-1])


def jiangmen_supervisor():
    return supervisor(cf.department("江门市监察局"))


def signed_in(client, user):
    client.force_login(user)
    return client


def text(fragment: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def row_of(html: str, marker: str) -> str:
    """The visible text of the table row carrying ``data-unit="<marker>"``."""
    match = re.search(rf'<tr data-unit="{re.escape(marker)}">(.*?)</tr>', html, re.S)
    assert match, f"no row {marker}"
    return text(match.group(1))


def card_of(html: str, indicator: str) -> str:
    match = re.search(
        rf'<li class="figure-card [^"]*" data-indicator="{indicator}">(.*?)</li>', html, re.S
    )
    assert match, f"no card {indicator}"
    return text(match.group(1))


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def csv_rows(response) -> list[list[str]]:
    data = body(response)
    assert data.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM for Excel"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


# --- figures on the pages -------------------------------------------------------------------


def test_city_view_shows_exact_figures_targets_and_status(client, chaozhou):
    signed_in(client, chaozhou_supervisor())
    response = client.get(f"{BASE}/regions/{CHAOZHOU}/?{JUNE}")
    assert response.status_code == 200
    html = response.content.decode()

    # The city as a whole: 6 of 9 applied online; the province plan's 50% for the city.
    card = card_of(html, Indicator.ONLINE_APPLY)
    assert card.startswith("上网办理率 66.7% 6 / 9 件 目标 50% · ✓ 达标")
    assert "粤办函〔2016〕186号（2016年目标）" in card

    # The ranking by 上网办理率: city departments, 潮安, 湘桥, then 饶平 without cases.
    rows = [(r.name, r.rank, r.cell.rate) for r in response.context["units"]]
    assert rows == [
        ("潮州市市直部门", 1, 75.0),
        ("潮安区", 2, 66.7),
        ("湘桥区", 3, 50.0),
        ("饶平县", None, None),
    ]
    assert row_of(html, f"{CHAOZHOU}-departments") == "1 潮州市市直部门 4 3 4 75% 70% ✓ 达标"
    assert row_of(html, f"{XIANGQIAO}-region") == "3 湘桥区 2 1 2 50% 60% ✗ 未达标"
    assert row_of(html, f"{CHAOAN}-region") == "2 潮安区 3 2 3 66.7% 60% ✓ 达标"
    assert row_of(html, "445122-region") == "— 饶平县 0 0 0 — 60% – 无数据"

    # Ranked by another indicator, lowest first: 网上办结率, the city departments' 2/4 ties
    # with 湘桥's 1/2 (both rank 1), then 潮安's 2/3.
    response = client.get(f"{BASE}/regions/{CHAOZHOU}/?{JUNE}&indicator=online_conclude&order=asc")
    html = response.content.decode()
    assert row_of(html, f"{CHAOZHOU}-departments") == "1 潮州市市直部门 4 2 4 50% 65% ✗ 未达标"
    assert row_of(html, f"{XIANGQIAO}-region") == "1 湘桥区 2 1 2 50% 55% ✗ 未达标"
    assert row_of(html, f"{CHAOAN}-region") == "3 潮安区 3 2 3 66.7% 55% ✓ 达标"
    assert [r.name for r in response.context["units"]] == [
        "潮州市市直部门",
        "湘桥区",
        "潮安区",
        "饶平县",
    ]

    # Each number links to the cases behind it; each county to its own view.
    assert (
        f"/workbench/monitoring/regions/{CHAOZHOU}/behind/?indicator=online_conclude"
        "&amp;part=numerator&amp;scope=departments&amp;month=2017-06&amp;item_type=XK" in html
    )
    assert f'href="/workbench/monitoring/regions/{XIANGQIAO}/?month=2017-06' in html


def test_city_view_has_department_list_trend_freshness_and_accessible_charts(client, chaozhou):
    signed_in(client, chaozhou_supervisor())
    response = client.get(f"{BASE}/regions/{CHAOZHOU}/?{JUNE}")
    html = response.content.decode()
    a, b = chaozhou["a"], chaozhou["b"]

    assert row_of(html, a.credit_code) == f"1 {a.name} 2 2 2 100% 70% ✓ 达标"
    assert row_of(html, b.credit_code) == f"2 {b.name} 2 1 2 50% 70% ✗ 未达标"
    assert f'href="/workbench/monitoring/departments/{a.credit_code}/?month=2017-06' in html

    # The trend: 12 months up to June, May with its one case, June with nine.
    trend = {row.label: row for row in response.context["trend"]}
    assert list(trend)[::11] == ["2016-07", "2017-06"]
    may = {c.indicator: (c.figure.numerator, c.figure.denominator) for c in trend["2017-05"].cells}
    june = {c.indicator: (c.figure.numerator, c.figure.denominator) for c in trend["2017-06"].cells}
    assert may[Indicator.ONLINE_APPLY] == (1, 1)
    assert june[Indicator.ONLINE_APPLY] == (6, 9)
    assert june[Indicator.VISITS_ZERO] == (3, 6)

    # Both charts: a role="img" summary, the options as JSON, and the data tables.
    assert 'id="units-chart" role="img" aria-label="条形图：潮州市2017-06各单位上网办理率。' in html
    assert "最高潮州市市直部门 75%" in html
    assert 'id="trend-chart" role="img"' in html
    assert '<script id="units-options" type="application/json">' in html
    assert 'id="units-table"' in html and 'id="trend-table"' in html
    assert "vendor/echarts/echarts.min.js" in html and "cdn" not in html.lower()
    # Data freshness: every record folded.
    assert "过程信息已全部汇总" in html and refresh.lag() == 0


def test_refresh_folds_records_that_arrive_between_views(client, chaozhou):
    signed_in(client, chaozhou_supervisor())
    client.get(f"{BASE}/regions/{CHAOZHOU}/?{JUNE}")
    case("CZ-XQ-3", departments_of(XIANGQIAO)[0], channel="online", visits=0, concluded=at(6, 25))
    assert refresh.lag() == 4
    html = client.get(f"{BASE}/regions/{CHAOZHOU}/?{JUNE}").content.decode()
    assert row_of(html, f"{XIANGQIAO}-region") == "2 湘桥区 3 2 3 66.7% 60% ✓ 达标"


def test_default_view_is_the_users_top_region_or_own_department(client, chaozhou):
    province = supervisor(Department.objects.get(region_id="440000", name="广东省监察厅"))
    signed_in(client, province)
    assert client.get(f"{BASE}/").url == f"{BASE}/regions/440000/"
    html = client.get(f"{BASE}/regions/440000/?{JUNE}").content.decode()
    # The province sees Chaozhou and Jiangmen as cities: 10 cases in June (9 + JM-1).
    assert card_of(html, Indicator.ONLINE_APPLY).startswith("上网办理率 70% 7 / 10 件")
    assert "潮州市" in row_of(html, f"{CHAOZHOU}-region")

    signed_in(client, chaozhou_supervisor())
    assert client.get(f"{BASE}/").url == f"{BASE}/regions/{CHAOZHOU}/"

    clerk = cf.staff(Post.CLERK, chaozhou["a"])
    signed_in(client, clerk)
    assert client.get(f"{BASE}/").url == f"{BASE}/departments/{chaozhou['a'].credit_code}/"


def test_department_view_figures_trend_and_items(client, chaozhou):
    a, item = chaozhou["a"], chaozhou["item"]
    signed_in(client, cf.staff(Post.CLERK, a))
    response = client.get(f"{BASE}/departments/{a.credit_code}/?{JUNE}")
    assert response.status_code == 200
    html = response.content.decode()
    assert card_of(html, Indicator.ONLINE_APPLY).startswith("上网办理率 100% 2 / 2 件 目标 70%")
    assert "潮府办函〔2017〕135号（2017年目标）" in card_of(html, Indicator.ONLINE_APPLY)
    assert card_of(html, Indicator.VISITS_ZERO).startswith(
        "零跑动比率 50% 1 / 2 件 目标 12% · ✓ 达标"
    )
    # The department's published item: depth 3, no visit, so counted as fully online.
    assert card_of(html, Indicator.ONLINE_FULL).startswith("网上全流程办理率 100% 1 / 1 项事项")
    assert item.implementation_code in html and item.name in html
    trend = {row.label: row for row in response.context["trend"]}
    may = {c.indicator: (c.figure.numerator, c.figure.denominator) for c in trend["2017-05"].cells}
    assert may[Indicator.ONLINE_APPLY] == (1, 1)


# --- behind a number -------------------------------------------------------------------------


def listed(response) -> list[str]:
    return re.findall(r'href="/workbench/monitoring/cases/([^/"]+)/"', response.content.decode())


def test_drill_down_lists_exactly_the_cases_behind_a_figure(client, chaozhou):
    signed_in(client, chaozhou_supervisor())
    url = f"{BASE}/regions/{CHAOZHOU}/behind/?{JUNE}&item_type=XK&indicator=online_apply"
    numerator = client.get(f"{url}&part=numerator&scope=total")
    assert numerator.status_code == 200
    assert sorted(listed(numerator)) == [
        "CZ-A-1",
        "CZ-A-2",
        "CZ-B-2",
        "CZ-CA-1",
        "CZ-CA-2",
        "CZ-XQ-1",
    ]
    denominator = client.get(f"{url}&part=denominator&scope=total")
    assert len(listed(denominator)) == 9 and "JM-1" not in listed(denominator)
    assert "CZ-A-MAY" not in listed(denominator) and "CZ-A-OPEN" not in listed(denominator)

    departments = client.get(f"{url}&part=numerator&scope=departments")
    assert sorted(listed(departments)) == ["CZ-A-1", "CZ-A-2", "CZ-B-2"]
    html = departments.content.decode()
    assert "网上（电脑端、移动端）申办并已办结的办件" in html
    assert chaozhou["a"].name in html and "潮州测试许可事项" in html

    one = client.get(
        f"{BASE}/regions/{CHAOZHOU}/behind/?{JUNE}&indicator=visits_zero&part=numerator"
        f"&department={chaozhou['b'].credit_code}"
    )
    assert listed(one) == []
    one = client.get(
        f"{BASE}/regions/{CHAOZHOU}/behind/?{JUNE}&indicator=visits_le1&part=denominator"
        f"&department={chaozhou['b'].credit_code}"
    )
    assert listed(one) == ["CZ-B-2"]


def test_drill_down_of_an_item_indicator_lists_the_items(client, chaozhou):
    signed_in(client, chaozhou_supervisor())
    item = chaozhou["item"]
    response = client.get(
        f"{BASE}/regions/{CHAOZHOU}/behind/?{JUNE}&indicator=online_full&part=numerator"
        "&scope=departments"
    )
    html = response.content.decode()
    assert item.implementation_code in html and f'href="{item.get_absolute_url()}"' in html
    rows = csv_rows(
        client.get(
            f"{BASE}/regions/{CHAOZHOU}/behind/?{JUNE}&indicator=online_full&part=numerator"
            "&scope=departments&format=csv"
        )
    )
    assert rows[0][:2] == ["实施编码", "事项名称"]
    assert [r[0] for r in rows[1:]] == [item.implementation_code]


def test_exports_of_the_units_table_and_of_a_drill_down(client, chaozhou):
    signed_in(client, chaozhou_supervisor())
    response = client.get(f"{BASE}/regions/{CHAOZHOU}/?{JUNE}&format=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "monitoring-445100-2017-06-units.csv" in response["Content-Disposition"]
    rows = csv_rows(response)
    header = rows[0]
    assert header[:5] == ["排名", "单位", "类别", "代码", "业务量（件）"]
    first = header.index("上网办理率分子")
    assert header[first : first + 5] == [
        "上网办理率分子",
        "上网办理率分母",
        "上网办理率（%）",
        "上网办理率目标（%）",
        "上网办理率达标情况",
    ]
    by_name = {row[1]: row for row in rows[1:]}
    assert list(by_name) == ["潮州市市直部门", "潮安区", "湘桥区", "饶平县"]
    assert by_name["湘桥区"][first : first + 5] == ["1", "2", "50.0", "60.0", "未达标"]
    assert by_name["潮州市市直部门"][:5] == ["1", "潮州市市直部门", "本级部门", CHAOZHOU, "4"]

    departments = csv_rows(
        client.get(f"{BASE}/regions/{CHAOZHOU}/?{JUNE}&format=csv&table=departments")
    )
    assert departments[1][1] == chaozhou["a"].name

    response = client.get(f"{BASE}/regions/{CHAOZHOU}/?{JUNE}&format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:2] == ("排名", "单位")
    assert values[3][1] == "湘桥区" and values[3][first : first + 5] == (1, 2, 50.0, 60.0, "未达标")

    behind = f"{BASE}/regions/{CHAOZHOU}/behind/?{JUNE}&indicator=online_apply&part=numerator"
    rows = csv_rows(client.get(f"{behind}&scope=departments&format=csv"))
    assert rows[0][:3] == ["办件编号", "实施编码", "事项名称"]
    assert sorted(r[0] for r in rows[1:]) == ["CZ-A-1", "CZ-A-2", "CZ-B-2"]
    mobile = next(r for r in rows[1:] if r[0] == "CZ-A-2")
    assert mobile[6:8] == ["移动端", "1"] and mobile[9] == "2017-06-20 10:00"
    book = load_workbook(io.BytesIO(client.get(f"{behind}&scope=total&format=xlsx").content))
    numbers = sorted(row[0] for row in book.active.iter_rows(min_row=2, values_only=True))
    assert numbers == ["CZ-A-1", "CZ-A-2", "CZ-B-2", "CZ-CA-1", "CZ-CA-2", "CZ-XQ-1"]


def test_monthly_report_pdf(client, chaozhou, tmp_path):
    signed_in(client, chaozhou_supervisor())
    response = client.get(f"{BASE}/regions/{CHAOZHOU}/report/2017-06.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    content = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "潮州市2017年6月数据监测月报" in content
    assert "66.7%" in content and "潮州市市直部门" in content and "湘桥区" in content
    assert "2017-05" in content and "未达标" in content
    assert client.get(f"{BASE}/regions/{CHAOZHOU}/report/2017-13.pdf").status_code == 404


# --- one case's records ---------------------------------------------------------------------


def test_case_page_shows_the_records_stream(client, chaozhou):
    signed_in(client, chaozhou_supervisor())
    response = client.get(f"{BASE}/cases/CZ-A-2/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="record"') == 4
    assert "申办 · 申办" in html and "办结 · 办结" in html
    assert "移动端" in html and chaozhou["item"].name in html
    # Pushed by a branch hall: no workbench case page to link to.
    assert "在办件工作台中查看此办件" not in html


# --- scope ---------------------------------------------------------------------------------


def chaozhou_urls(chaozhou) -> list[str]:
    region = f"{BASE}/regions/{CHAOZHOU}"
    a = chaozhou["a"].credit_code
    return [
        f"{region}/?{JUNE}",
        f"{region}/?{JUNE}&format=csv",
        f"{region}/?{JUNE}&format=xlsx",
        f"{region}/behind/?{JUNE}&indicator=online_apply&part=numerator",
        f"{region}/behind/?{JUNE}&indicator=online_apply&part=numerator&format=csv",
        f"{region}/behind/?{JUNE}&indicator=online_apply&part=numerator&department={a}",
        f"{region}/report/2017-06.pdf",
        f"{region}/targets/?year=2017",
        f"{BASE}/regions/{XIANGQIAO}/?{JUNE}",
        f"{BASE}/departments/{a}/?{JUNE}",
        f"{BASE}/cases/CZ-A-1/",
    ]


def test_a_jiangmen_supervisor_sees_nothing_of_chaozhou(client, chaozhou):
    signed_in(client, jiangmen_supervisor())
    for url in chaozhou_urls(chaozhou):
        response = client.get(url)
        assert response.status_code == 404, url
        page = body(response).decode(errors="replace").replace(url.split("?")[0], "")
        assert "CZ-" not in page and "潮州测试许可事项" not in page, url
    response = client.post(
        f"{BASE}/regions/{CHAOZHOU}/targets/",
        {
            "year": "2017",
            "indicator": "online_apply",
            "scope": "total",
            "value": "1",
            "source": "x",
        },
    )
    assert response.status_code == 404
    assert not Target.objects.filter(region_code=CHAOZHOU, value=Decimal("1")).exists()
    # Their own city and its counties are open; Chaozhou is not among the units.
    html = client.get(f"{BASE}/regions/440700/?{JUNE}").content.decode()
    assert "潮州" not in html
    assert card_of(html, Indicator.ONLINE_APPLY).startswith("上网办理率 100% 1 / 1 件")
    assert client.get(f"{BASE}/regions/440703/?{JUNE}").status_code == 200
    assert client.get(f"{BASE}/regions/440000/?{JUNE}").status_code == 404


def test_staff_without_a_region_post_see_only_their_own_department(client, chaozhou):
    a, b = chaozhou["a"], chaozhou["b"]
    signed_in(client, cf.staff(Post.APPROVER, a))
    assert client.get(f"{BASE}/departments/{a.credit_code}/?{JUNE}").status_code == 200
    assert client.get(f"{BASE}/departments/{b.credit_code}/?{JUNE}").status_code == 404
    assert client.get(f"{BASE}/regions/{CHAOZHOU}/?{JUNE}").status_code == 403
    assert client.get(f"{BASE}/regions/{CHAOZHOU}/report/2017-06.pdf").status_code == 403
    assert client.get(f"{BASE}/regions/{CHAOZHOU}/targets/").status_code == 403
    own = f"{BASE}/regions/{CHAOZHOU}/behind/?{JUNE}&indicator=online_apply&part=numerator"
    assert sorted(listed(client.get(f"{own}&department={a.credit_code}"))) == ["CZ-A-1", "CZ-A-2"]
    assert client.get(f"{own}&department={b.credit_code}").status_code == 404
    assert client.get(own).status_code == 404
    assert client.get(f"{BASE}/cases/CZ-A-1/").status_code == 200
    assert client.get(f"{BASE}/cases/CZ-B-1/").status_code == 404


def test_people_without_a_post_are_refused(client, chaozhou):
    assert client.get(f"{BASE}/regions/{CHAOZHOU}/").status_code == 302  # to sign in
    signed_in(client, UserFactory())
    for url in chaozhou_urls(chaozhou)[:3]:
        assert client.get(url).status_code == 403, url


# --- targets --------------------------------------------------------------------------------


def field_error(html: str, field: str) -> str:
    match = re.search(rf'<p class="field-error" id="id_{field}_error">(.*?)</p>', html, re.S)
    return text(match.group(1)) if match else ""


def test_targets_page_lists_what_applies_and_validates_the_form(client, chaozhou):
    signed_in(client, chaozhou_supervisor())
    url = f"{BASE}/regions/{CHAOZHOU}/targets/"
    html = client.get(f"{url}?year=2018").content.decode()
    # 2018 has no plan: the 2017 city plan stands, and says so.
    assert "潮府办函〔2017〕135号" in html and "（沿用2017年目标）" in html

    response = client.post(
        url,
        {"year": "2017", "indicator": "online_apply", "scope": "departments", "value": "150"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert field_error(html, "value") == "“目标值”须为0至100之间的百分数，最多一位小数。"
    assert field_error(html, "source") == "请填写“依据”（文件名称或文号）。"
    response = client.post(
        url,
        {
            "year": "1999",
            "indicator": "online_apply",
            "scope": "departments",
            "value": "80",
            "source": "潮州市数据局会议纪要",
        },
    )
    assert field_error(response.content.decode(), "year") == "“年度”须为2000至2100之间的年份。"

    response = client.post(
        url,
        {
            "year": "2017",
            "indicator": "online_apply",
            "scope": "departments",
            "value": "80",
            "source": "潮州市数据局会议纪要",
        },
    )
    assert response.status_code == 302 and response.url == f"{url}?year=2017"
    target = Target.objects.get(
        year=2017, indicator="online_apply", region_code=CHAOZHOU, scope=TargetScope.DEPARTMENTS
    )
    assert target.value == Decimal("80.0") and target.source == "潮州市数据局会议纪要"
    # The city departments' 75% is now below their target.
    html = client.get(f"{BASE}/regions/{CHAOZHOU}/?{JUNE}").content.decode()
    assert row_of(html, f"{CHAOZHOU}-departments") == "1 潮州市市直部门 4 3 4 75% 80% ✗ 未达标"


def test_a_county_supervisor_cannot_edit_the_city_targets(client, chaozhou):
    signed_in(client, supervisor(departments_of(XIANGQIAO)[0]))
    assert client.get(f"{BASE}/regions/{CHAOZHOU}/targets/").status_code == 404
    assert client.get(f"{BASE}/regions/{XIANGQIAO}/targets/").status_code == 200


def test_the_vendored_echarts_is_the_pinned_5x(settings):
    import json
    from pathlib import Path

    root = Path(settings.BASE_DIR)
    pinned = json.loads((root / "package.json").read_text())["devDependencies"]["echarts"]
    assert re.fullmatch(r"5\.\d+\.\d+", pinned)
    script = (root / "static" / "vendor" / "echarts" / "echarts.min.js").read_text()
    assert f'version="{pinned}"' in script
    assert (root / "static" / "vendor" / "echarts" / "LICENSE").is_file()


def test_superusers_open_the_province_and_the_admin_lists(client, chaozhou):
    admin = UserFactory(is_superuser=True, is_staff=True)
    signed_in(client, admin)
    assert client.get(f"{BASE}/").url == f"{BASE}/regions/440000/"
    assert client.get(f"{BASE}/regions/{CHAOZHOU}/targets/?year=2017").status_code == 200
    refresh.refresh()
    for model in ("casefact", "monthlyrollup", "refreshstate", "target", "pageusage"):
        response = client.get(f"/admin/monitoring/{model}/")
        assert response.status_code == 200, model
    assert "CZ-A-1" in client.get("/admin/monitoring/casefact/").content.decode()


def test_a_number_without_cases_or_items_behind_it_is_not_found(client, chaozhou):
    signed_in(client, chaozhou_supervisor())
    behind = f"{BASE}/regions/{CHAOZHOU}/behind/"
    assert client.get(f"{behind}?{JUNE}&indicator=elicence&part=numerator").status_code == 404
    assert client.get(f"{behind}?month=2017-13&indicator=online_apply").status_code == 404
    assert client.get(f"{behind}?{JUNE}&indicator=online_apply&part=total").status_code == 404
    assert client.get(f"{BASE}/regions/999999/?{JUNE}").status_code == 404
    # A department of another region is not "behind" this one.
    other = departments_of(XIANGQIAO)[0].credit_code
    url = f"{behind}?{JUNE}&indicator=online_apply&part=numerator&department={other}"
    assert client.get(url).status_code == 404


def test_previous_and_next_month_move_the_trend_window_along(client, chaozhou):
    signed_in(client, chaozhou_supervisor())
    html = client.get(f"{BASE}/regions/{CHAOZHOU}/?{JUNE}").content.decode()
    assert "?month=2017-05&amp;from=2016-06&amp;item_type=XK" in html
    response = client.get(f"{BASE}/regions/{CHAOZHOU}/?month=2017-05&from=2016-06")
    assert card_of(response.content.decode(), Indicator.ONLINE_APPLY).startswith(
        "上网办理率 100% 1 / 1 件"
    )
    assert [r.label for r in response.context["trend"]][::11] == ["2016-06", "2017-05"]
