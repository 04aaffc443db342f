"""Step 2 of an application: each material uploaded, picked from the locker, or fetched.

Every upload lands in the applicant's materials locker first (so the next application
can pick it); materials the hall gets from shared data or a held e-licence are shown as
such and asked for no more.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ..forms import UploadForm
from ..models import MaterialSource
from ..services import applications
from .common import draft_page
from .drafts import steps_context

LOCKER_CHOICES = 100


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def material_rows(application, identity, *, with_locker: bool = False) -> list[dict]:
    """Each need with what stands for it now: a supplied file, a held licence, the hall;
    ``with_locker`` adds the locker files stored for that kind of material."""
    supplied = {m.key: m for m in application.materials.select_related("file")}
    held = applications.licence_supplies(application)
    return [
        {
            "index": index,
            "need": need,
            "supplied": supplied.get(need.key),
            "licence": held.get(need.key),
            "locker": applications.locker_for(identity, need, LOCKER_CHOICES)
            if with_locker and not need.fetched_by_hall
            else [],
        }
        for index, need in enumerate(applications.material_needs(application), start=1)
    ]


def _act(request, application, need, index) -> list[dict]:
    """Do the posted action for one material; the problems, if any, link to its inputs."""
    action = request.POST.get("action")
    anchor = f"#need-{index}-file"
    try:
        if action == "remove":
            applications.detach(application, need.key)
            messages.success(request, _("已移除“%(name)s”。") % {"name": need.name})
        elif action == "pick":
            anchor = f"#need-{index}-locker"
            pick = _uuid(request.POST.get("locker", ""))
            stored = applications.locker_of(request.identity).filter(public_id=pick).first()
            if pick is None or stored is None:
                message = _("请从材料库中选择“%(name)s”的文件。") % {"name": need.name}
                return [{"href": anchor, "message": message}]
            applications.attach(application, need.key, file=stored, source=MaterialSource.LOCKER)
            messages.success(request, _("已使用材料库中的“%(title)s”。") % {"title": stored.title})
        else:
            form = UploadForm(request.POST, request.FILES)
            if not form.is_valid():
                return [{"href": anchor, "message": m} for m in form.errors.get("file", [])]
            stored = applications.store_file(
                request.user,
                form.cleaned_data["file"],
                title=need.name,
                kind=need.key,
                company=request.identity.company,
            )
            applications.attach(application, need.key, file=stored, source=MaterialSource.UPLOAD)
            messages.success(request, _("已上传“%(name)s”。") % {"name": need.name})
    except ValidationError as exc:
        return [{"href": anchor, "message": m} for m in exc.messages]
    return []


@draft_page
def materials(request, application):
    problems, failed = [], None
    if request.method == "POST":
        rows = material_rows(application, request.identity)
        row = next((r for r in rows if r["need"].key == request.POST.get("key")), None)
        if row is None:
            messages.error(request, _("该事项不需要这份材料。"))
            return redirect("cases:materials", public_id=application.public_id)
        problems = _act(request, application, row["need"], row["index"])
        if not problems:
            return redirect(f"{request.path}#need-{row['index']}")
        failed = row["index"]
    return render(
        request,
        "cases/portal/materials.html",
        {
            "rows": material_rows(application, request.identity, with_locker=True),
            "problems": problems,
            "failed": failed,
            **steps_context(application, 2),
        },
        status=400 if problems else 200,
    )
