"""The citizen page (/my/space/) and, when acting for a company, its company page.

Opening the page counts as opening it (开通) and as this month's use (使用).
"""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from govhall.cases.views.common import applicant_login

from ..services import overview, usage


@applicant_login
@require_GET
def space(request):
    identity = request.identity
    if identity.person is None:
        return redirect("accounts:home")
    usage.record_visit(identity)
    return render(request, "spaces/space.html", {"space": overview.build(identity)})
