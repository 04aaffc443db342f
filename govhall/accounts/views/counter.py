"""Counter verification (窗口实名核验): a clerk checks an ID card and raises the level."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from govhall.regions.models import Department
from govhall.regions.services.scope import scope_of

from ..forms import CounterVerifyForm, apply_errors
from ..models import Person
from ..services import realname
from ..services.registration import clean_id_number


def counter_departments(user):
    scope = scope_of(user)
    ids = [held.department_id for held in scope.posts if held.post in realname.COUNTER_POSTS]
    return list(Department.objects.filter(pk__in=ids).order_by("name"))


@login_required(login_url="accounts:login")
@require_http_methods(["GET", "POST"])
def counter_verify(request):
    departments = counter_departments(request.user)
    if not departments:
        raise PermissionDenied(_("只有窗口受理人员可以进行窗口实名核验。"))
    form = CounterVerifyForm(request.POST or None, departments=departments)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        department = next(d for d in departments if d.pk == data["department"])
        try:
            number = clean_id_number(data["id_number_read"], "id_number_read")
            person = Person.objects.filter(id_number_index=Person.index_for(number)).first()
            if person is None:
                raise ValidationError(
                    {
                        "id_number_read": ValidationError(
                            _("该身份证号码尚未注册账号，请办事人先注册。"), code="not_found"
                        )
                    }
                )
            realname.verify_at_counter(
                person=person,
                clerk=request.user,
                department=department,
                id_number_read=data["id_number_read"],
                name_read=data["name_read"],
                document_type=data["document_type"],
                note=data["note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("已完成%(person)s的窗口实名核验，账号升级为“三级：窗口核验”。")
                % {"person": person},
            )
            return redirect("accounts:counter-verify")
    return render(request, "accounts/counter_verify.html", {"form": form})
