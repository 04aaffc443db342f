"""移动审批 in chromium at 390×844: an approver signs in with the password and a TOTP
code, sees the new-task badge, finds the case as a card in the inbox, opens a material
and decides the case — with no sideways scrolling on any page."""

import pytest
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from govhall.cases.models import Case, CaseState, Decision, Notification
from govhall.cases.services import handling
from govhall.cases.tests import factories as f
from govhall.regions.models import Post
from tests.browser.case_helpers import act, lead, summary_value
from tests.browser.helpers import PHONE, click_and_follow
from tests.factories import DEFAULT_PASSWORD

from .staff_support import case_url, civil_affairs, clerk

pytestmark = [pytest.mark.browser]


@pytest.fixture
def phone_settings(settings, tmp_path):
    """The second factor on, as in production; uploads to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path
    settings.GOVHALL_STAFF_TOTP_REQUIRED = True


def code_of(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def to_the_approver(case: Case, dept) -> None:
    """Accept, handle and review through the desk's forms (a clerk, then a reviewer, who
    are not under test: their second factor is off for these requests)."""
    window, reviewer = clerk(dept), f.staff(Post.REVIEWER, dept)
    with override_settings(GOVHALL_STAFF_TOTP_REQUIRED=False):
        for user, action, data in (
            (window, "accept", {"accept-opinion": ""}),
            (window, "complete_step", {"complete_step-opinion": "材料齐全，拟同意"}),
            (reviewer, "complete_step", {"complete_step-opinion": "审核通过"}),
        ):
            client = Client()
            client.force_login(user)
            response = client.post(case_url(case, action), data)
            assert response.status_code == 302, response.content.decode()[:400]
    assert handling.current_step(Case.objects.get(pk=case.pk)).name == "批准"


@pytest.mark.usefixtures("phone_settings")
def test_an_approver_decides_a_case_on_a_phone_after_a_totp_sign_in(new_page):
    dept = civil_affairs()
    case = f.submitted(f.item(dept), f.applicant(name="林小英"))
    approver = f.staff(Post.APPROVER, dept)
    device = TOTPDevice.objects.create(user=approver, name="手机", confirmed=True)
    to_the_approver(case, dept)

    page = new_page(viewport=PHONE)
    page.goto("/workbench/login/")
    page.get_by_label("用户名").fill(approver.username)
    page.get_by_label("密码").fill(DEFAULT_PASSWORD)
    click_and_follow(page, page.get_by_role("button", name="登录"))
    assert "/account/2fa/" in page.url  # the second factor before anything else
    assert overflow(page) <= 0
    page.get_by_label("动态口令").fill(code_of(device))
    click_and_follow(page, page.get_by_role("button", name="验证"))
    assert page.url.endswith("/workbench/"), f"{page.url}: {page.locator('main').inner_text()}"

    # The badge: one new task, announced by the poll.
    badge = page.locator("#task-badge")
    badge.locator(".badge-count").wait_for(state="visible")
    assert badge.locator(".badge-count").inner_text() == "1"
    assert overflow(page) <= 0

    # The inbox: the case is a card whose cells say what they are.
    click_and_follow(page, badge)
    row = page.locator("table.inbox-table tbody tr", has_text=case.number)
    assert row.count() == 1
    assert row.evaluate("tr => getComputedStyle(tr).display") == "block"
    step_cell = row.locator("td[data-label='环节']")
    assert step_cell.evaluate("td => getComputedStyle(td, '::before').content") == '"环节："'
    assert step_cell.inner_text().strip().endswith("批准")
    assert overflow(page) <= 0

    # The case page: the decision is the first thing, a material opens as a PDF.
    click_and_follow(page, row.get_by_role("link", name=case.number))
    assert "当前环节：批准" in lead(page)
    assert overflow(page) <= 0
    material = page.locator("a.material-link").first
    box = material.bounding_box()
    assert box is not None and box["height"] >= 44
    served = page.request.get(material.get_attribute("href"))
    assert served.status == 200 and served.body().startswith(b"%PDF")

    def approve(panel):
        panel.get_by_role("radio", name="准予").check()
        panel.get_by_label("审批意见").fill("同意")
        button = panel.locator("button[type=submit]")
        width = button.bounding_box()["width"]
        assert width >= PHONE["width"] - 80, width  # full width, reachable by a thumb

    act(page, case.number, "decide", "作出决定", approve)
    assert "已决定" in lead(page)
    assert summary_value(page, "审批决定") == "准予"
    assert overflow(page) <= 0
    decided = Case.objects.get(pk=case.pk)
    assert decided.state == CaseState.DECIDED and decided.decision == Decision.APPROVE
    # Opening the case read its new-task message.
    (message,) = Notification.objects.filter(user=approver, case_number=case.number)
    assert message.event.startswith("task:") and message.read_at is not None
