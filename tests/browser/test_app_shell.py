"""The installable app shell (issue 19 point 6): a phone installs the hall (manifest,
service worker at /), and offline still shows the holder's cases and licences, marked
离线 — with the last live 亮证 code shown as offline and, after its window, as expired."""

import re

from playwright.sync_api import expect

from govhall.cases.tests import factories as cf
from govhall.licences.tests import factories as lf
from tests.browser.case_helpers import citizen_page, journey_settings  # noqa: F401
from tests.browser.helpers import PHONE

PAGES_CACHE = "govhall-pages-v1"


def controlled(page) -> None:
    """Wait until the service worker is active and controls the page."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("!!navigator.serviceWorker.controller"):
        page.reload()
    page.wait_for_function("!!navigator.serviceWorker.controller")


def kept_paths(page) -> list[str]:
    return page.evaluate(
        f"""caches.open("{PAGES_CACHE}").then(c => c.keys())
            .then(keys => keys.map(r => new URL(r.url).pathname))"""
    )


def test_offline_the_installed_app_shows_cases_and_licences_marked_offline(
    new_page,
    site,
    journey_settings,  # noqa: F811
):
    civil = cf.department("江门市民政局")
    lf.licence_type(issuers=[civil])
    citizen = cf.applicant(name="陈晓岚")
    case, _clerk = lf.concluded_case(civil, citizen)
    licence = case.licences.get()

    me = citizen_page(new_page, site, citizen, viewport=PHONE)
    manifest = me.request.get("/manifest.webmanifest").json()
    assert manifest["start_url"].startswith("/my/space/") and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        got = me.request.get(icon["src"])
        assert got.ok and got.headers["content-type"] == "image/png", icon
    assert me.request.get("/sw.js").headers["service-worker-allowed"] == "/"

    me.goto(manifest["start_url"])
    controlled(me)
    licence_path = f"/my/licences/{licence.pk}/"
    for path in ("/my/space/", "/my/cases/", "/my/licences/", licence_path):
        me.goto(path)
    me.wait_for_function(
        f"""caches.open("{PAGES_CACHE}").then(c => c.keys()).then(k => k.length >= 4)"""
    )
    assert set(kept_paths(me)) >= {"/my/space/", "/my/cases/", "/my/licences/", licence_path}
    assert me.locator(".live-code").get_attribute("data-state") == "live"

    me.clock.install()
    me.context.set_offline(True)

    me.goto("/my/cases/")
    banner = me.locator("#offline-banner")
    assert "离线" in banner.inner_text()
    assert case.number in me.locator("main").inner_text()

    me.goto("/my/licences/")
    assert "离线" in me.locator("#offline-banner").inner_text()
    assert licence.number in me.locator("main").inner_text()

    me.goto(licence_path)
    assert "离线" in me.locator("#offline-banner").inner_text()
    code = me.locator(".live-code")
    expect(code).to_have_attribute("data-state", "offline")
    status = code.locator(".live-status").inner_text()
    assert "离线" in status and re.search(r"\d\d:\d\d:\d\d 前有效", status)
    # The last code is never shown as fresh: once its window has passed it is marked expired.
    me.clock.fast_forward("03:00")
    expect(code).to_have_attribute("data-state", "expired")
    assert "已过期" in code.locator(".live-status").inner_text()
    assert "is-stale" in (code.get_attribute("class") or "")

    # A page never kept is the offline page, not a browser error.
    me.goto("/search/?q=offline")
    assert "暂时无法连接网上办事大厅" in me.locator("main").inner_text()
