"""Indicators on a hand-built data set, each figure computed by hand from 潮府办函〔2017〕135号's
definitions (业务量 = concluded cases; 上网办理率, 网上办结率, ≤ 1 and zero visits among
online applications), including the roll-up from Jiangmen's counties to the city."""

from __future__ import annotations

from decimal import Decimal

import pytest

from govhall.monitoring.models import CaseFact, Indicator, MonthlyRollup, TargetScope
from govhall.monitoring.services import indicators, refresh, targets
from govhall.monitoring.services.indicators import Slice

from .records import at, case, code_for, department_in, record

pytestmark = pytest.mark.django_db

JUNE = at(2016, 6, 15)


@pytest.fixture
def jiangmen():
    """June 2016 in Jiangmen, licensing items unless said otherwise.

    city departments (440700): online 0 visits, mobile 1 visit, counter 2 visits, and an
    online case still in progress (not counted);
    蓬江区 (440703): online 1 visit, counter 1 visit, online 3 visits;
    江海区 (440704): kiosk 2 visits, and an online case withdrawn (not counted);
    besides: a 行政确认 case at the city (excluded from 行政许可 figures) and a 蓬江 case
    concluded in May (another month)."""
    case("C-CITY-1", "440700", channel="online", visits=0, concluded=JUNE)
    case("C-CITY-2", "440700", channel="mobile", visits=1, concluded=JUNE)
    case("C-CITY-3", "440700", channel="counter", visits=2, concluded=JUNE)
    case("C-CITY-4", "440700", channel="online", visits=0, concluded=None, applied=JUNE)
    case("C-PJ-1", "440703", channel="online", visits=1, concluded=JUNE)
    case("C-PJ-2", "440703", channel="counter", visits=1, concluded=JUNE)
    case("C-PJ-3", "440703", channel="online", visits=3, concluded=JUNE)
    case("C-JH-1", "440704", channel="kiosk", visits=2, concluded=JUNE)
    case("C-JH-2", "440704", channel="online", visits=0, concluded=JUNE, ending="withdraw")
    case("C-CITY-QR", "440700", channel="online", visits=0, concluded=JUNE, item_type="QR")
    case("C-PJ-MAY", "440703", channel="online", visits=0, concluded=at(2016, 5, 20))
    refresh.refresh()


def rates(s: Slice) -> dict[str, tuple[int, int, float | None]]:
    return {
        key: (figure.numerator, figure.denominator, figure.rate)
        for key, figure in indicators.case_figures(indicators.counters(s)).items()
    }


def test_city_as_a_whole_rolls_up_its_counties(jiangmen):
    got = rates(Slice.month(2016, 6, region_code="440700"))
    # 业务量 7 = 3 city + 3 蓬江 + 1 江海; online 4 = city online+mobile, 蓬江 online ×2
    assert got[Indicator.ONLINE_APPLY] == (4, 7, 57.1)
    # fully online (online, ≤ 1 visit): city online v0, mobile v1, 蓬江 online v1
    assert got[Indicator.ONLINE_CONCLUDE] == (3, 7, 42.9)
    assert got[Indicator.VISITS_LE1] == (3, 4, 75.0)
    assert got[Indicator.VISITS_ZERO] == (1, 4, 25.0)


def test_county_city_departments_and_province(jiangmen):
    pengjiang = rates(Slice.month(2016, 6, region_code="440703"))
    assert pengjiang[Indicator.ONLINE_APPLY] == (2, 3, 66.7)
    assert pengjiang[Indicator.ONLINE_CONCLUDE] == (1, 3, 33.3)
    assert pengjiang[Indicator.VISITS_LE1] == (1, 2, 50.0)
    assert pengjiang[Indicator.VISITS_ZERO] == (0, 2, 0.0)

    city_departments = rates(
        Slice.month(2016, 6, region_code="440700", scope=TargetScope.DEPARTMENTS)
    )
    assert city_departments[Indicator.ONLINE_APPLY] == (2, 3, 66.7)
    assert city_departments[Indicator.VISITS_ZERO] == (1, 2, 50.0)

    province = rates(Slice.month(2016, 6, region_code="440000"))
    assert province[Indicator.ONLINE_APPLY] == (4, 7, 57.1)
    # all item types: the 行政确认 case joins both numerator and denominator
    everything = rates(Slice.month(2016, 6, region_code="440700", item_type=""))
    assert everything[Indicator.ONLINE_APPLY] == (5, 8, 62.5)
    # the two months together bring in the May case
    two = Slice(at(2016, 5, 1).date(), at(2016, 6, 1).date(), region_code="440703")
    assert rates(two)[Indicator.ONLINE_APPLY] == (3, 4, 75.0)


def test_units_of_a_city_are_its_departments_then_each_county(jiangmen):
    rows = indicators.units(Slice.month(2016, 6, region_code="440700"))
    assert rows[0].kind == "departments" and rows[0].name == "江门市市直部门"
    by_code = {(row.kind, row.code): row for row in rows}
    assert by_code[("departments", "440700")].volume == 3
    assert by_code[("region", "440703")].volume == 3
    assert by_code[("region", "440704")].volume == 1
    assert sum(row.volume for row in rows) == 7  # the units add up to the city
    pengjiang = by_code[("region", "440703")].figures[Indicator.ONLINE_APPLY]
    assert (pengjiang.numerator, pengjiang.denominator) == (2, 3)


def test_targets_status_against_jiangmen_plan(jiangmen):
    figures = indicators.figures(
        Slice.month(2016, 6, region_code="440700", scope=TargetScope.DEPARTMENTS)
    )
    apply = figures[Indicator.ONLINE_APPLY]
    # 江府办函〔2016〕130号: 市直部门 上网办理率 75 % — 66.7 % is below
    assert apply.target == Decimal("75.0") and apply.status == "below"
    assert "江府办函〔2016〕130号" in apply.target_source
    assert figures[Indicator.VISITS_LE1].target == Decimal("90.0")
    assert figures[Indicator.VISITS_LE1].status == "met"  # 100 %

    county = indicators.figures(Slice.month(2016, 6, region_code="440703"))
    # each 市、区 of Jiangmen: 上网办理率 60 % (the city's plan outranks the province's 50 %)
    assert county[Indicator.ONLINE_APPLY].target == Decimal("60.0")
    assert county[Indicator.ONLINE_APPLY].status == "met"

    city = indicators.figures(Slice.month(2016, 6, region_code="440700"))
    assert city[Indicator.ONLINE_APPLY].target == Decimal("65.0")  # 全市 65 %
    assert city[Indicator.ONLINE_APPLY].status == "below"


def test_a_later_year_is_judged_by_the_latest_plan():
    chaozhou = targets.targets_for(2019, "445100", TargetScope.DEPARTMENTS)
    assert chaozhou[Indicator.ELICENCE].value == Decimal("10.0")
    assert chaozhou[Indicator.ELICENCE].year == 2017
    # a Guangzhou county in 2016: the province's 珠三角 county target
    assert targets.targets_for(2016, "440103", TargetScope.TOTAL)[
        Indicator.ONLINE_FULL
    ].value == Decimal("50.0")


def test_cases_behind_a_figure_are_exactly_the_counted_ones(jiangmen):
    s = Slice.month(2016, 6, region_code="440700")
    numerator = set(
        indicators.cases_behind(s, Indicator.ONLINE_CONCLUDE).values_list("case_number", flat=True)
    )
    assert numerator == {"C-CITY-1", "C-CITY-2", "C-PJ-1"}
    denominator = indicators.cases_behind(s, Indicator.ONLINE_CONCLUDE, "denominator")
    assert denominator.count() == 7
    zero = indicators.cases_behind(s, Indicator.VISITS_ZERO, "denominator")
    assert set(zero.values_list("case_number", flat=True)) == {
        "C-CITY-1",
        "C-CITY-2",
        "C-PJ-1",
        "C-PJ-3",
    }


def test_trend_by_month(jiangmen):
    s = Slice(at(2016, 4, 1).date(), at(2016, 6, 1).date(), region_code="440703")
    months = indicators.trend(s)
    assert [m.month for m, _ in months] == [4, 5, 6]
    assert months[0][1][Indicator.ONLINE_APPLY].rate is None  # nothing concluded in April
    assert months[1][1][Indicator.ONLINE_APPLY].rate == 100.0
    assert months[2][1][Indicator.ONLINE_APPLY].rate == 66.7


def test_incremental_refresh_equals_a_rebuild(jiangmen):
    # a case concludes later, and a delivered result adds a visit to one already counted
    pengjiang = department_in("440703")
    code = code_for(pengjiang)
    record("C-PJ-LATE", code, pengjiang, "440703", "0", "submit", at(2016, 6, 1))
    refresh.refresh()
    assert CaseFact.objects.get(case_number="C-PJ-LATE").month is None
    record("C-PJ-LATE", code, pengjiang, "440703", "2", "accept", at(2016, 6, 1, 12))
    record("C-PJ-LATE", code, pengjiang, "440703", "4", "conclude", at(2016, 6, 20))
    record("C-PJ-1", code, pengjiang, "440703", "9", "deliver", at(2016, 6, 25), visits=2)
    assert refresh.lag() == 3
    assert refresh.refresh() == 3
    incremental = counted_rollups()
    pj = rates(Slice.month(2016, 6, region_code="440703"))
    assert pj[Indicator.ONLINE_APPLY] == (3, 4, 75.0)
    assert pj[Indicator.ONLINE_CONCLUDE] == (1, 4, 25.0)  # C-PJ-1 now has two visits

    refresh.rebuild()
    assert counted_rollups() == incremental


def counted_rollups() -> list[dict]:
    rows = MonthlyRollup.objects.order_by("month", "region_code", "department_code", "item_type")
    return [
        {key: value for key, value in row.items() if key != "id"}
        for row in rows.values()
        if any(row[name] for name in refresh.COUNTERS)
    ]


def test_item_indicators_from_the_catalogue():
    from govhall.catalog.tests.factories import published_item

    department = department_in("440703")
    published_item(
        department,
        item_type="XK",
        name="甲许可",
        depth=3,
        visits=0,
        channels=["online", "mobile"],
        audiences=["1"],
    )
    published_item(
        department,
        item_type="XK",
        name="乙许可",
        depth=3,
        visits=1,
        channels=["online"],
        audiences=["1", "2"],
    )
    published_item(
        department,
        item_type="XK",
        name="丙许可",
        depth=1,
        visits=1,
        channels=["counter"],
        audiences=["2"],
        themes=["company-permits"],
    )
    got = indicators.item_figures(Slice.month(2016, 6, region_code="440703"))
    assert (got[Indicator.ONLINE_FULL].numerator, got[Indicator.ONLINE_FULL].denominator) == (2, 3)
    # 手机办理: items for persons (甲, 乙) of which 甲 is on the phone
    assert (got[Indicator.MOBILE].numerator, got[Indicator.MOBILE].denominator) == (1, 2)
    assert (got[Indicator.PLATFORM].numerator, got[Indicator.PLATFORM].denominator) == (3, 3)


def test_dashboard_rows_equal_figures_computed_one_by_one(jiangmen):
    """``units`` and ``department_units`` batch their queries; each row must still equal
    the figures of its own slice computed alone."""
    from govhall.catalog.tests.factories import published_item

    published_item(
        department_in("440703"),
        item_type="XK",
        name="丁许可",
        depth=3,
        visits=0,
        channels=["online", "mobile"],
        audiences=["1"],
    )
    s = Slice.month(2016, 6, region_code="440700")
    own, region_units = indicators.overview(s)
    for unit in region_units + indicators.department_units(s):
        alone = indicators.figures(unit.slice)
        batched = {key: figure.as_dict() for key, figure in unit.figures.items()}
        assert batched == {key: figure.as_dict() for key, figure in alone.items()}, unit.name
    # the region's own figures, summed from its rows' data, equal those computed alone
    alone = {key: figure.as_dict() for key, figure in indicators.figures(s).items()}
    assert {key: figure.as_dict() for key, figure in own.items()} == alone
    assert own["online_apply"].denominator > 0 and own["platform"].denominator > 0
