"""Issue 19 (fees and payment), on a 390 px phone: the applicant applies for an item with
fees, pays through the bundled gateway (reached over HTTP on the live server), the
gateway's notification arrives twice and out of order, the case continues once, the
receipt PDF downloads; a clerk's partial refund shows on the applicant's page; the
reconciliation reports no difference, then exactly the one injected at the gateway."""

import re
import subprocess

import pytest
from django.utils import timezone

from govhall.cases.models import Case, CaseState
from govhall.demo.files import blank_pdf
from govhall.payments.gatewaysim import services as sim
from govhall.payments.gatewaysim.models import SimOrder
from govhall.payments.models import FeeAssessment, GatewayNotification, PaymentOrder
from govhall.payments.tests import helpers as h
from govhall.records.models import ProcessRecord
from govhall.regions.models import Post
from tests.browser.case_helpers import (
    blocking_violations,
    citizen_page,
    journey_settings,  # noqa: F401  (fixture)
    staff_page,
    summary_value,
    text_of,
)
from tests.browser.helpers import PHONE, click_and_follow, describe_violations

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("journey_settings")]


@pytest.fixture
def gateway_over_http(settings, site):
    """The platform reaches the bundled gateway, and the gateway the platform, over HTTP."""
    settings.GOVHALL_PAYMENT_SIM_URL = f"{site}/gateway-sim"
    settings.GOVHALL_PAYMENT_SIM_PUBLIC_URL = f"{site}/gateway-sim"
    settings.GOVHALL_PAYMENT_CALLBACK_BASE = site
    settings.GOVHALL_PUBLIC_URL = site


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def reconcile_today(admin) -> str:
    admin.goto("/workbench/payments/reconciliation/")
    admin.get_by_label("对账日期").fill(timezone.localdate().isoformat())
    click_and_follow(admin, admin.get_by_role("button", name="取对账单并核对"))
    return text_of(admin.locator(".pay-run").first)


def test_apply_pay_twice_notified_refund_and_reconcile_at_390_px(
    new_page, site, tmp_path, gateway_over_http
):
    item = h.fee_item(name="证书补领（收费）")
    citizen = h.f.applicant(name="陈晓东")
    clerk = h.f.staff(Post.CLERK, item.department)
    admin = h.f.staff(Post.HALL_ADMIN, item.department)
    pdf = tmp_path / "材料.pdf"
    pdf.write_bytes(blank_pdf())
    found: list = []

    # The citizen applies on the phone; the item is decided at submission (秒批).
    me = citizen_page(new_page, site, citizen, viewport=PHONE)
    me.goto(item.get_absolute_url())
    click_and_follow(me, me.get_by_role("link", name="在线申办"))
    me.get_by_role("button", name="开始申办").click()
    me.wait_for_url(re.compile(r"/applications/[0-9a-f-]{36}/$"))
    me.get_by_label("家庭人口").fill("2")
    me.get_by_role("radio", name="否").check()
    me.get_by_label("联系电话").fill("13800138000")
    me.get_by_role("radio", name="电子送达").check()
    me.get_by_role("button", name="保存并继续").click()
    me.wait_for_url(re.compile(r"/materials/$"))
    for name in ("申请书", "房屋租赁合同"):
        me.get_by_label(f"上传文件：{name}").set_input_files(str(pdf))
        click_and_follow(me, me.get_by_role("button", name=re.compile(rf"^上传\s*：{name}$")))
    click_and_follow(me, me.get_by_role("link", name="继续：核对并提交"))
    me.get_by_role("button", name="确认并提交申请").click()
    me.wait_for_url(re.compile(r"/done/$"))
    case = Case.objects.get(item=item)
    assert case.state == CaseState.AWAITING_PAYMENT

    # The case page asks for the fee; the fee page shows it, with the payment code.
    me.goto(case.get_absolute_url())
    assert summary_value(me, "办理状态") == "待缴费"
    click_and_follow(me, me.get_by_role("link", name="缴费", exact=True))
    assert summary_value(me, "应缴金额") == "¥35.50"
    assert summary_value(me, "缴款码") == case.fee_assessment.payment_code
    assert no_sideways_scroll(me)
    found += blocking_violations(me, "fee page at 390 px")

    # 去缴费 → the gateway's cashier page → 确认支付 → back to the hall.
    click_and_follow(me, me.get_by_role("button", name="去缴费"))
    assert "/gateway-sim/pay/" in me.url
    assert "35.50" in text_of(me.locator(".sim-amount"))
    assert no_sideways_scroll(me)
    click_and_follow(me, me.get_by_role("button", name="确认支付"))
    assert "/return/" in me.url
    assert "支付结果确认中" in text_of(me.locator("main"))

    # The gateway's notifications: paid (seq 2), the stale "waiting" (seq 1), paid again.
    order = PaymentOrder.objects.get(assessment__case=case)
    gateway_order = SimOrder.objects.get(out_trade_no=order.order_number)
    assert sim.deliver(gateway_order, seqs=[2, 1, 2]) == [True, True, True]
    outcomes = list(GatewayNotification.objects.order_by("pk").values_list("outcome", flat=True))
    assert outcomes == ["applied", "stale", "duplicate"]
    case.refresh_from_db()
    assert case.state == CaseState.CONCLUDED
    events = list(
        ProcessRecord.objects.filter(case_number=case.number).values_list("event", flat=True)
    )
    assert (events.count("pay"), events.count("conclude")) == (1, 1)

    me.goto(f"/my/cases/{case.number}/fee/")
    assert summary_value(me, "缴费状态") == "已缴费"
    # The receipt is laid out and signed on first download (seconds on a busy machine).
    with me.expect_download(timeout=120_000) as download:
        me.get_by_role("link", name="下载电子票据（PDF）").click(no_wait_after=True)
    receipt = tmp_path / "receipt.pdf"
    download.value.save_as(receipt)
    checked = subprocess.run(["pdfsig", str(receipt)], capture_output=True, text=True)
    assert "Signature Validation: Signature is Valid." in checked.stdout, checked.stdout
    text = subprocess.run(["pdftotext", str(receipt), "-"], capture_output=True, text=True)
    number = FeeAssessment.objects.get(case=case).receipt_number
    assert number.startswith("PJ") and number in text.stdout.replace(" ", "")

    # A clerk refunds the 工本费 (10.00 元); the applicant's page shows it.
    staff = staff_page(new_page, clerk)
    staff.goto(f"/workbench/payments/cases/{case.number}/")
    staff.get_by_label("退款金额（元）").fill("10.00")
    staff.get_by_label("退款理由").fill("低保对象免收证书工本费")
    click_and_follow(staff, staff.get_by_role("button", name="退款"))
    assert "已退款" in text_of(staff.locator(".pay-orders"))
    me.goto(f"/my/cases/{case.number}/fee/")
    assert summary_value(me, "已退款") == "¥10.00"

    # Reconciliation: nothing differs; then the gateway's books are altered once.
    hall = staff_page(new_page, admin)
    assert "差异0笔" in reconcile_today(hall)
    SimOrder.objects.filter(pk=gateway_order.pk).update(amount_fen=3000)
    report = reconcile_today(hall)
    assert "差异1笔" in report
    rows = hall.locator(".pay-run").first.locator("tbody tr")
    assert rows.count() == 1 and order.order_number in text_of(rows.first)
    assert not found, describe_violations(found)
