"""Public progress query (进度查询): a case number and the applicant's ID or credit code.

The pair is posted, not put in the address, so ID numbers stay out of logs and history.
A wrong pair and an unknown number get the same answer, so the page confirms nothing
about cases that are not the asker's.
"""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from ..api.throttles import ProgressThrottle
from ..forms import ProgressForm
from ..services import queries


@require_http_methods(["GET", "POST"])
def progress(request):
    # A printed document's QR opens ``?case_number=…``: the number is filled in, the
    # ID number is still typed (and posted).
    number = request.GET.get("case_number", "").strip()[:40]
    form = ProgressForm(request.POST or None, initial={"case_number": number} if number else None)
    context, status = {"form": form}, 200
    if request.method == "POST" and not ProgressThrottle().allow_request(request, None):
        # The same budget per address as the API's progress query: guessing stays slow.
        context["throttled"] = True
        return render(request, "cases/portal/progress.html", context, status=429)
    if request.method == "POST":
        if form.is_valid():
            case = queries.find_for_progress(
                form.cleaned_data["case_number"], form.cleaned_data["applicant_id"]
            )
            if case is None:
                context["not_found"], status = True, 404
            else:
                context["progress"] = queries.progress(case)
            # Ask afresh without echoing the ID number back into the page.
            context["form"] = ProgressForm(
                initial={"case_number": form.cleaned_data["case_number"]}
            )
        else:
            status = 400
    return render(request, "cases/portal/progress.html", context, status=status)
