"""Pages of payments: the applicant's fee page and return page, the staff's assessment,
refund and reconciliation pages. Thin: everything is in ``services``."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods

from govhall.cases.views.common import applicant_login, case_or_404
from govhall.cases.views.staff.common import scoped_case
from govhall.core.errors import Refusal, problems_of
from govhall.regions.models import Post
from govhall.regions.services.scope import scope_of
from govhall.workbench.gate import forbidden, staff_only

from .gateways import base as gateways
from .models import FeeAssessment, OrderState, PaymentOrder, ReconciliationRun
from .services import assessment as assessing
from .services import documents, money, orders, reconciliation, refunds


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    # RFC 6266 with an RFC 5987 UTF-8 name: a Chinese name must not break the header.
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _problem_text(error) -> str:
    return "；".join(p.message for p in problems_of(error)) or str(error)


def may_reconcile(user) -> bool:
    scope = scope_of(user)
    return scope.has_post(Post.HALL_ADMIN) or scope.has_post(Post.SUPERVISOR)


# --- the applicant --------------------------------------------------------------------------


@applicant_login
@require_http_methods(["GET", "POST"])
def fee(request, number):
    case = case_or_404(request, number)
    found = FeeAssessment.objects.filter(case=case).select_related("department").first()
    if request.method == "POST":
        if found is None:
            raise Http404
        try:
            if request.POST.get("action") == "refresh":
                current = orders.current_order(found)
                if current is not None and current.state == OrderState.PENDING:
                    orders.refresh(current)
                return redirect("payments:fee", number)
            if request.POST.get("action") == "cancel":
                current = orders.current_order(found)
                if current is not None:
                    orders.cancel(current)
                return redirect("payments:fee", number)
            order = orders.open_order(found, request.user, channel="web")
        except gateways.GatewayError as error:
            messages.error(request, error.message)
            return redirect("payments:fee", number)
        except Refusal as error:
            messages.error(request, _problem_text(error))
            return redirect("payments:fee", number)
        return redirect(order.pay_url)
    current = orders.current_order(found) if found else None
    return render(
        request,
        "payments/fee.html",
        {
            "case": case,
            "a": found,
            "lines": [
                {"line": line, "amount": money.yuan(line.amount_fen)}
                for line in (found.lines.all() if found else [])
            ],
            "catalogue": assessing.catalogue_fees(case),
            "total": money.yuan(found.total_fen) if found else "",
            "refunded": money.yuan(found.refunded_fen) if found else "",
            "order": current,
            "yuan": money.yuan,
        },
    )


@applicant_login
def notice(request, number):
    case = case_or_404(request, number)
    found = get_object_or_404(FeeAssessment, case=case)
    return _pdf(documents.notice_pdf(found), f"缴款通知书-{found.payment_code}.pdf")


@applicant_login
def receipt(request, number):
    case = case_or_404(request, number)
    found = get_object_or_404(FeeAssessment, case=case, state="paid")
    return _pdf(documents.receipt_pdf(found), f"电子票据-{found.receipt_number}.pdf")


@applicant_login
def payment_return(request, order_number):
    """Where the gateway sends the payer back (同步跳转): it proves nothing, so the page
    shows what the platform knows and says the result may take a moment."""
    order = get_object_or_404(
        PaymentOrder.objects.select_related("assessment__case"), order_number=order_number
    )
    case_or_404(request, order.assessment.case.number)
    return render(request, "payments/return.html", {"order": order, "case": order.assessment.case})


# --- staff ---------------------------------------------------------------------------------


@staff_only
@require_http_methods(["GET", "POST"])
def staff_case(request, number):
    case = scoped_case(request.user, number)
    found = FeeAssessment.objects.filter(case=case).first()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "assess":
                lines = []
                for fee in assessing.catalogue_fees(case):
                    qty = request.POST.get(f"qty-{fee.pk}", "").strip()
                    if not qty:
                        continue
                    line = {"name": fee.name, "quantity": qty}
                    if fee.amount is None:
                        line["unit_fen"] = money.fen_of_yuan(
                            request.POST.get(f"unit-{fee.pk}", ""), f"unit-{fee.pk}"
                        )
                    reduction = request.POST.get(f"reduction-{fee.pk}", "").strip()
                    if reduction:
                        line["reduction_fen"] = money.fen_of_yuan(reduction, f"reduction-{fee.pk}")
                        line["reduction_reason"] = request.POST.get(f"reason-{fee.pk}", "")
                    lines.append(line)
                assessing.assess_by_staff(
                    case, request.user, lines=lines, rule=request.POST.get("rule", "")
                )
                messages.success(request, "已核定收费，缴款通知已发送申请人。")
            elif request.POST.get("action") == "refund":
                order = get_object_or_404(
                    PaymentOrder, order_number=request.POST.get("order"), assessment__case=case
                )
                refunds.request_refund(
                    order,
                    request.user,
                    amount_fen=money.fen_of_yuan(request.POST.get("amount", ""), "amount"),
                    reason=request.POST.get("reason", ""),
                )
                messages.success(request, "退款已提交支付平台。")
        except gateways.GatewayError as error:
            messages.error(request, error.message)
        except Refusal as error:
            messages.error(request, _problem_text(error))
        return redirect("payments:staff-case", number)
    return render(
        request,
        "payments/staff_case.html",
        {
            "case": case,
            "a": found,
            "catalogue": assessing.catalogue_fees(case),
            "orders": found.orders.prefetch_related("refunds") if found else [],
            "yuan": money.yuan,
            "may_assess": assessing.may_assess(request.user, case),
        },
    )


@staff_only
@require_http_methods(["GET", "POST"])
def reconciliation_page(request):
    if not may_reconcile(request.user):
        return forbidden(request, "对账报告仅限大厅管理员和监督人员查看。")
    if request.method == "POST":
        try:
            day = datetime.date.fromisoformat(request.POST.get("day", ""))
        except ValueError:
            messages.error(request, "对账日期格式须为YYYY-MM-DD。")
        else:
            try:
                run = reconciliation.reconcile(day)
                messages.success(
                    request, f"{day}对账完成：一致{run.matched}笔，差异{run.mismatches.count()}笔。"
                )
            except gateways.GatewayError as error:
                messages.error(request, error.message)
        return redirect("payments:reconciliation")
    runs = ReconciliationRun.objects.prefetch_related("mismatches")[:30]
    return render(
        request,
        "payments/reconciliation.html",
        {"runs": runs, "yesterday": timezone.localdate() - datetime.timedelta(days=1)},
    )
