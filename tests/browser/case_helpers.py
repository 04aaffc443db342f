"""Helpers of the case journeys (tests/browser/test_case_journey_*.py): who is signed in
where, one staff action through its form on the workbench case page, and the few
readings of a page the journeys assert on.

Citizens get their session cookie copied from a test client (their sign-in is tested by
the accounts app); staff sign in through the workbench login form.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.browser.helpers import DESKTOP, click_and_follow, run_axe, sign_in
from tests.factories import DEFAULT_PASSWORD

BLOCKING = {"serious", "critical"}


@pytest.fixture
def journey_settings(settings, tmp_path):
    """Uploads go to a temporary folder; the staff second factor is the accounts app's
    concern (tested there), so it is off for these sessions."""
    settings.MEDIA_ROOT = tmp_path
    settings.GOVHALL_STAFF_TOTP_REQUIRED = False


def citizen_page(new_page, site: str, identity, viewport: dict | None = None):
    """A page of its own browser context, signed in as the applicant ``identity``."""
    client = Client()
    client.force_login(identity.user)
    page = new_page(viewport=viewport or DESKTOP)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": site}]
    )
    return page


def staff_page(new_page, user, viewport: dict | None = None):
    """A page of its own browser context, signed in through the workbench login form."""
    page = new_page(viewport=viewport or DESKTOP)
    sign_in(page, user.username, DEFAULT_PASSWORD)
    return page


def text_of(locator) -> str:
    """Visible text with runs of whitespace made single spaces."""
    return re.sub(r"\s+", " ", locator.inner_text()).strip()


def summary_value(where, term: str) -> str:
    """The <dd> after the <dt> named ``term`` in a summary list of a page or a part of it."""
    terms = where.locator("main dl dt" if hasattr(where, "goto") else "dl dt")
    dt = terms.filter(has_text=re.compile(rf"^{re.escape(term)}$"))
    url = where.url if hasattr(where, "goto") else where.page.url
    assert dt.count(), f"no “{term}” on {url}; it shows: {terms.all_inner_texts()}"
    return text_of(dt.first.locator("xpath=following-sibling::dd[1]"))


def page_messages(page) -> list[str]:
    """The messages the last action left at the top of the page."""
    return [text_of(m) for m in page.locator(".messages .message").all()]


# --- workbench ------------------------------------------------------------------------------


def inbox_row(page, number: str):
    """The inbox row of ``number`` (opening the inbox first)."""
    page.goto("/workbench/cases/")
    return page.locator("table.inbox-table tbody tr", has_text=number)


def open_from_inbox(page, number: str) -> dict[str, str]:
    """Find the case in the inbox, read its row, follow its link to the case page."""
    row = inbox_row(page, number)
    assert row.count() == 1, f"{number} is not in the inbox of this user"
    cells = {
        cell.get_attribute("data-label"): text_of(cell)
        for cell in row.locator("td[data-label]").all()
    }
    row.get_by_role("link", name=number).click()
    page.wait_for_url(f"**/workbench/cases/{number}/")
    return cells


def offered_actions(page) -> list[str]:
    """The names of the action forms the case page offers this user."""
    return [
        (panel.get_attribute("id") or "").removeprefix("action-")
        for panel in page.locator("details.action-panel").all()
    ]


def act(page, number: str, action: str, label: str, fill=None) -> None:
    """Open the action's panel, let ``fill(panel)`` fill its form, submit, and check the
    page confirms it (``办件N：已<label>。``)."""
    panel = page.locator(f"#action-{action}")
    assert panel.count() == 1, f"{action} is not offered; offered: {offered_actions(page)}"
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    if fill is not None:
        fill(panel)
    click_and_follow(page, panel.locator("button[type=submit]"))
    errors = page.locator(".error-summary, .field-error")
    assert not errors.count(), f"{action} refused: {[text_of(e) for e in errors.all()]}"
    assert f"办件{number}：已{label}。" in page_messages(page)


def lead(page) -> str:
    """The case page's lead line: number · state · current step."""
    return text_of(page.locator("main p.lead").first)


# --- accessibility --------------------------------------------------------------------------


def blocking_violations(page, where: str) -> list[tuple[str, dict]]:
    return [(where, v) for v in run_axe(page) if v["impact"] in BLOCKING]
