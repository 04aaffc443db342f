"""Company pages: registration by the legal representative, agents granted and revoked."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..forms import CompanyForm, GrantForm, RevokeForm, apply_errors
from ..models import AgentGrant, Company
from ..services import companies


@login_required(login_url="accounts:login")
@require_http_methods(["GET", "POST"])
def register_company(request):
    form = CompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            company = companies.register_company(
                user=request.user,
                credit_code=form.cleaned_data["credit_code"],
                name=form.cleaned_data["name"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("法人账号“%(name)s”已注册，您可以授权经办人。") % {"name": company.name}
            )
            return redirect("accounts:company-agents", pk=company.pk)
    return render(
        request,
        "accounts/company_register.html",
        {"form": form, "min_level": companies.min_level_for_company_registration()},
    )


def _own_company(request, pk: int) -> Company:
    company = get_object_or_404(Company, pk=pk)
    if not companies.is_legal_representative(request.user, company):
        raise Http404(_("没有这个法人"))
    return company


@login_required(login_url="accounts:login")
@require_http_methods(["GET", "POST"])
def agents(request, pk: int):
    company = _own_company(request, pk)
    today = timezone.localdate()
    form = GrantForm(request.POST or None, initial={"valid_from": today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grant = companies.grant_agent(
                company=company,
                granted_by=request.user,
                agent_id_number=data["agent_id_number"],
                agent_name=data["agent_name"],
                powers=data["powers"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已授权%(name)s为经办人。") % {"name": grant.agent.name})
            return redirect("accounts:company-agents", pk=company.pk)
    grants = AgentGrant.objects.filter(company=company).select_related("agent")
    return render(
        request,
        "accounts/company_agents.html",
        {
            "company": company,
            "form": form,
            "grants": grants,
            "today": today,
            "revoke_form": RevokeForm(),
        },
        status=400 if form.errors else 200,
    )


@login_required(login_url="accounts:login")
@require_POST
def revoke(request, pk: int, grant_id: int):
    company = _own_company(request, pk)
    grant = get_object_or_404(AgentGrant, pk=grant_id, company=company)
    form = RevokeForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        companies.revoke_grant(grant=grant, revoked_by=request.user, reason=reason)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("已撤销%(name)s的经办人授权，立即生效。") % {"name": grant.agent.name}
        )
    return redirect("accounts:company-agents", pk=company.pk)
