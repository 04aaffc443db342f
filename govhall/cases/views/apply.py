"""Starting an application (申办): what the item needs, then a draft to fill in.

The page says up front what will be asked (real-name level, materials, time limits) and
refuses early, in words, when the applicant cannot apply online, before anything is typed.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from govhall.catalog.models import Bundle, Item

from ..models import Application
from ..services import applications
from .common import applicant_login, refusal

eligibility = applications.eligibility


def _drafts(identity, **subject):
    return Application.objects.filter(
        user=identity.user, state=Application.State.DRAFT, company=identity.company, **subject
    ).order_by("-updated_at")


@applicant_login
@require_http_methods(["GET", "POST"])
def item_apply(request, code: str):
    item = (
        Item.objects.select_related("current", "department", "region")
        .filter(implementation_code=code, current__isnull=False)
        .first()
    )
    if item is None:
        raise Http404(_("没有这个事项。"))
    version = item.current
    level = version.min_realname_level
    if request.method == "POST":
        try:
            application = applications.start(request.identity, item=item)
        except ValidationError as exc:
            return refusal(
                request, exc, subject=version.name, guide_url=item.get_absolute_url(), level=level
            )
        return redirect("cases:application", public_id=application.public_id)
    problem = eligibility(request.identity, [item])
    if problem is not None:
        return refusal(
            request, problem, subject=version.name, guide_url=item.get_absolute_url(), level=level
        )
    return render(
        request,
        "cases/portal/apply.html",
        {
            "subject": version.name,
            "item": item,
            "versions": [version],
            "level": level,
            "needs": applications.material_needs(Application(item=item)),
            "drafts": _drafts(request.identity, item=item),
            "held": applications.held_result(
                request.identity.person, request.identity.company, version
            ),
        },
    )


@applicant_login
@require_http_methods(["GET", "POST"])
def bundle_apply(request, code: str):
    bundle = Bundle.objects.filter(code=code, is_published=True).first()
    if bundle is None:
        raise Http404(_("没有这个“一件事”。"))
    members = list(bundle.members.select_related("item__current", "item__department"))
    items = [m.item for m in members]
    level = max((i.current.min_realname_level for i in items if i.current_id), default=1)
    optional = {m.item.implementation_code for m in members if not m.required}
    if request.method == "POST":
        chosen = [c for c in request.POST.getlist("optional") if c in optional]
        try:
            with transaction.atomic():
                application = applications.start(request.identity, bundle=bundle)
                if chosen:
                    applications.save_answers(application, {"_optional_items": chosen})
        except ValidationError as exc:
            return refusal(request, exc, subject=bundle.name, level=level)
        return redirect("cases:application", public_id=application.public_id)
    problem = eligibility(request.identity, items)
    if problem is not None:
        return refusal(request, problem, subject=bundle.name, level=level)
    preview = Application(bundle=bundle, answers={"_optional_items": sorted(optional)})
    return render(
        request,
        "cases/portal/apply.html",
        {
            "subject": bundle.name,
            "bundle": bundle,
            "members": members,
            "versions": [i.current for i in items],
            "level": level,
            "needs": applications.material_needs(preview),
            "drafts": _drafts(request.identity, bundle=bundle),
        },
    )
