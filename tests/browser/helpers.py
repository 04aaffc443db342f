"""Constants and helpers shared by the browser tests (fixtures are in conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("GOVHALL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# The committed copy in static/vendor, not node_modules: the tests must not need npm.
AXE_STATIC = "vendor/axe-core/axe.min.js"
AXE_PATH = REPO_ROOT / "static" / AXE_STATIC

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def sign_in(page, username: str, password: str) -> None:
    """Sign in through the staff login form, as a person would."""
    page.goto("/workbench/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/workbench/")


def click_and_follow(page, locator) -> None:
    """Click what submits a form or follows a link, and return once the next page has
    loaded. ``wait_for_load_state`` right after a click is a race: it may see the page
    being left, and the next lookup then runs while ``document`` is being replaced."""
    with page.expect_navigation():
        locator.click()


def run_axe(page) -> list[dict]:
    """Load the vendored axe-core into the current page and return its violations.

    The script is loaded from the live server's static URL (static/vendor, the committed
    copy) rather than inlined, so chromium's cache compiles it once per test, not per page.
    """
    from django.templatetags.static import static

    page.add_script_tag(url=static(AXE_STATIC))
    return axe_violations(page)


def axe_violations(page) -> list[dict]:
    """Run axe-core, already loaded in the page, with its default (WCAG + best-practice) rules."""
    return page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )


def describe_violations(violations: list[tuple[str, dict]]) -> str:
    """One readable block per violation: where, rule id, impact, help and failing nodes."""
    lines = []
    for where, violation in violations:
        lines.append(
            f"{where}: {violation['id']} ({violation['impact']}): {violation['help']}"
            f" — {violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {node['target']}: {summary}")
    return "\n".join(lines)
