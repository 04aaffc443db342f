"""The Content-Security-Policy in a real browser: the pages of every kind load, run their
scripts (htmx, the form helpers) and apply their styles with no violation reported."""

import datetime
import re

import pytest

from govhall.cases.tests import factories as cf
from govhall.licences.services import issuing
from govhall.licences.tests import factories as lf
from govhall.regions.models import Post
from tests.browser.case_helpers import (
    citizen_page,
    journey_settings,  # noqa: F401  (fixture)
    staff_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("journey_settings")]
CSP = re.compile(r"Content Security Policy|Content-Security-Policy", re.I)


def watch(page) -> list[str]:
    """Console errors and security-policy violations the page reports."""
    found: list[str] = []
    page.on("console", lambda m: CSP.search(m.text) and found.append(f"{page.url}: {m.text}"))
    page.on("pageerror", lambda e: found.append(f"{page.url}: {e}"))
    return found


def visit(page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.ok, f"{path}: {response and response.status}"
    assert response.headers.get("content-security-policy"), path
    assert page.url.endswith(path), f"{path} ended at {page.url}: {page.title()}"
    page.wait_for_load_state("load")


def test_pages_load_without_csp_violations(new_page, site):
    anonymous = new_page()
    found = watch(anonymous)
    for path in (
        "/",
        "/halls/440700/",
        "/account/login/",
        "/licences/verify/",
        "/workbench/login/",
    ):
        visit(anonymous, path)
    anonymous.wait_for_function("() => typeof htmx === 'object'")  # the script did run
    # The stylesheet applies (a self-hosted file, no inline styles needed).
    colour = anonymous.locator(".site-header").evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(179, 0, 27)"

    civil = cf.department("江门市民政局")
    citizen = cf.applicant(name="周晓燕")
    licence = issuing.issue(
        lf.licence_type(issuers=[civil]),
        civil,
        issuing.Holder.of_person(citizen.person),
        data={"household_size": 3},
        valid_from=datetime.date(2026, 1, 1),
    )
    holder = citizen_page(new_page, site, citizen)
    found += watch(holder)
    for path in ("/my/cases/", "/account/", "/my/licences/", f"/my/licences/{licence.pk}/"):
        visit(holder, path)
    # The licence page's own stylesheet (a nonce'd <style>) is applied.
    font = holder.locator(".identifier").first.evaluate("e => getComputedStyle(e).fontFamily")
    assert "monospace" in font

    clerk = staff_page(new_page, cf.staff(Post.CLERK, civil))
    found += watch(clerk)
    for path in ("/workbench/", "/workbench/cases/", "/workbench/licences/"):
        visit(clerk, path)
    assert found == []

    # The watcher does see a violation: markup with a style attribute is refused.
    anonymous.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')"
    )
    anonymous.wait_for_timeout(500)
    assert any("style" in message for message in found), found


def test_the_monitoring_dashboard_draws_its_charts_without_csp_violations(new_page, site):
    from tests.browser.test_monitoring_dashboard import CHAOZHOU, chaozhou_june

    page = staff_page(new_page, chaozhou_june())
    found = watch(page)
    page.goto(f"/workbench/monitoring/regions/{CHAOZHOU}/?month=2017-06")
    page.locator("#units-chart svg").first.wait_for()
    page.locator("#trend-chart svg").first.wait_for()
    assert found == []
