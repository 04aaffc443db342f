"""Regenerate the README screenshots in docs/screenshots/ from a running server.

Not a test: run ``make run`` in one terminal, then

    .venv/bin/python -m tests.browser.screenshots [--base-url http://127.0.0.1:8000]

Each shot is the first screen a person sees (not the whole page), which keeps the PNGs
small enough for the README. The workbench shot signs in as the demo clerk ``jm_clerk``
(password from GOVHALL_DEMO_PASSWORD, else the local demo default).
"""

from __future__ import annotations

import argparse
import os

from govhall.portal.context_processors import ELDER_COOKIE
from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, REPO_ROOT

OUT = REPO_ROOT / "docs" / "screenshots"
# (file name, path, viewport, elder mode)
SHOTS = [
    ("main-hall-desktop.png", "/", DESKTOP, False),
    ("main-hall-phone.png", "/", PHONE, False),
    ("jiangmen-branch-hall-desktop.png", "/halls/440700/", DESKTOP, False),
    ("jiangmen-branch-hall-phone.png", "/halls/440700/", PHONE, False),
    ("jiangmen-branch-hall-elder-phone.png", "/halls/440700/", PHONE, True),
]
MAX_BYTES = 300 * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    args = parser.parse_args()
    base = args.base_url.rstrip("/")
    password = os.environ.get("GOVHALL_DEMO_PASSWORD", "govhall-demo-2026")

    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for name, path, viewport, elder in SHOTS:
            context = browser.new_context(base_url=base, viewport=viewport, locale="zh-CN")
            if elder:
                context.add_cookies([{"name": ELDER_COOKIE, "value": "1", "url": base}])
            page = context.new_page()
            page.goto(path)
            _save(page, name)
            context.close()

        context = browser.new_context(base_url=base, viewport=DESKTOP, locale="zh-CN")
        page = context.new_page()
        page.goto("/workbench/login/")
        page.get_by_label("用户名").fill("jm_clerk")
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url("**/workbench/")
        _save(page, "workbench-desktop.png")
        browser.close()


def _save(page, name: str) -> None:
    target = OUT / name
    page.screenshot(path=str(target))
    size = target.stat().st_size
    note = "" if size <= MAX_BYTES else f"  (over {MAX_BYTES // 1024} KB: trim it)"
    print(f"{target.relative_to(REPO_ROOT)}: {size // 1024} KB{note}")


if __name__ == "__main__":
    main()
