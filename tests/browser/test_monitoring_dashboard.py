"""Journey (issue #7, §8): a Chaozhou supervisor opens the data monitoring dashboard of
June 2017, reads a figure of the city departments with its target (潮府办函〔2017〕135号)
and status, clicks the figure and lands on the list of the cases behind it. The
dashboard has no serious axe-core violations, its charts are drawn by the vendored
ECharts, and at 390 px it does not scroll sideways.

Process records are written directly, as a branch hall would push them (monitoring reads
only records); the dashboard folds them into the roll-ups when it opens.
"""

import re

import pytest

from govhall.cases.tests import factories as cf
from govhall.monitoring.services import targets
from govhall.monitoring.tests.records import at, case, department_in
from govhall.regions.models import Department, Post
from tests.browser.case_helpers import (
    blocking_violations,
    journey_settings,  # noqa: F401  (fixture)
    staff_page,
    text_of,
)
from tests.browser.helpers import PHONE, describe_violations

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("journey_settings")]

CHAOZHOU = "445100"
JUNE = at(2017, 6, 20)


def chaozhou_june():
    """City departments: online 0 visits, mobile 1 visit, counter 2 visits (3 cases, 2
    online: 66.7% against the city plan's 70%); 湘桥区: online, online; 潮安区: counter."""
    # A flush by an earlier live-server test empties the targets the migration loaded.
    targets.load_seed_targets()
    city = Department.objects.filter(region_id=CHAOZHOU, is_active=True).order_by("pk")
    first, second = city[0], city[1]
    case("CZ-0601", CHAOZHOU, channel="online", visits=0, concluded=JUNE, department=first)
    case("CZ-0602", CHAOZHOU, channel="mobile", visits=1, concluded=JUNE, department=second)
    case("CZ-0603", CHAOZHOU, channel="counter", visits=2, concluded=JUNE, department=second)
    case("XQ-0601", "445102", channel="online", visits=0, concluded=JUNE)
    case("XQ-0602", "445102", channel="online", visits=1, concluded=JUNE)
    case("CA-0601", "445103", channel="counter", visits=1, concluded=JUNE)
    return cf.staff(Post.SUPERVISOR, department_in(CHAOZHOU))


def no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_supervisor_reads_a_figure_and_the_cases_behind_it(new_page, site, tmp_path):
    supervisor = chaozhou_june()
    violations = []

    page = staff_page(new_page, supervisor)
    page.get_by_role("link", name="数据监测").first.click()
    page.wait_for_url(f"**/workbench/monitoring/regions/{CHAOZHOU}/")
    assert "统计月份 2017-06" in text_of(page.locator("main p.lead"))

    # The city departments' 上网办理率 in the ranking: 2 of 3, target 70%, below it.
    row = page.locator("#units-table tbody tr", has_text="潮州市市直部门")
    cells = [text_of(cell) for cell in row.locator("td, th").all()]
    assert cells[1:] == ["潮州市市直部门", "3", "2", "3", "66.7%", "70%", "✗ 未达标"]
    # The counties are judged by the city plan's target for them (60%).
    xiangqiao = row.locator("xpath=..").locator("tr", has_text="湘桥区")
    assert "100% 60% ✓ 达标" in text_of(xiangqiao)

    # The charts are drawn (SVG by the vendored ECharts) and summarised for screen readers.
    chart = page.locator("#units-chart")
    chart.locator("svg").first.wait_for()
    assert chart.get_attribute("role") == "img"
    assert "最高湘桥区 100%" in chart.get_attribute("aria-label")
    page.locator("#trend-chart svg").first.wait_for()
    violations += blocking_violations(page, "监测首页")

    # Click the numerator of that figure: the two online cases of the city departments.
    row.get_by_role("link", name="2", exact=True).click()
    page.wait_for_url(re.compile(r"/behind/\?indicator=online_apply&part=numerator"))
    heading = text_of(page.get_by_role("heading", level=1))
    assert heading == "上网办理率的分子：潮州市市直部门"
    numbers = [text_of(c) for c in page.locator("#behind-table tbody th").all()]
    assert sorted(numbers) == ["CZ-0601", "CZ-0602"]
    violations += blocking_violations(page, "办件明细")

    # One case's process records, from the list.
    page.get_by_role("link", name="CZ-0602").click()
    page.wait_for_url("**/workbench/monitoring/cases/CZ-0602/")
    assert page.locator("section.record").count() == 4
    violations += blocking_violations(page, "过程信息")
    assert not violations, describe_violations(violations)


def test_dashboard_at_390_px_has_no_sideways_scroll(new_page, site, tmp_path):
    supervisor = chaozhou_june()
    page = staff_page(new_page, supervisor, viewport=PHONE)
    page.goto(f"/workbench/monitoring/regions/{CHAOZHOU}/?month=2017-06")
    page.locator("#units-chart svg").first.wait_for()
    page.locator("#trend-chart svg").first.wait_for()
    assert no_sideways_scroll(page)
    shot = tmp_path / "monitoring-390.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    found = blocking_violations(page, "监测首页 390px")
    assert not found, describe_violations(found)
