"""Bulk work of the licence desk: 存量电子化 uploads with their history, and 电子文件归档.

A clerk picks one of the (licence type, department) pairs their departments issue,
downloads that type's template, uploads the filled file and reads the result: either
everything issued, or nothing and a table of every error by row and column.
"""

from __future__ import annotations

import tempfile

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govhall.licences.models import DigitisationBatch, LicenceType
from govhall.licences.services import archive, digitisation
from govhall.regions.models import Department
from govhall.regions.services.scope import scope_of
from govhall.workbench.gate import apply_errors, forbidden, staff_only

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def my_departments(user):
    scope = scope_of(user)
    rows = Department.objects.filter(is_active=True).select_related("region")
    if not scope.is_superuser:
        rows = rows.filter(pk__in=scope.department_ids)
    return rows.order_by("region__code", "sort_order", "name")


def issuable(user) -> list[tuple[LicenceType, Department]]:
    """(type, department) pairs: active types that one of the user's departments issues."""
    through = LicenceType.issuing_departments.through
    rows = through.objects.filter(
        licencetype__is_active=True, department__in=my_departments(user)
    ).select_related("licencetype", "department")
    pairs = [(row.licencetype, row.department) for row in rows]
    return sorted(pairs, key=lambda p: (p[0].code, p[1].region_id, p[1].name))


class DigitiseForm(forms.Form):
    choice = forms.ChoiceField(
        label=gettext_lazy("证照类型（签发部门）"),
        error_messages={"required": gettext_lazy("请选择“证照类型（签发部门）”。")},
    )
    file = forms.FileField(
        label=gettext_lazy("数据文件"),
        help_text=gettext_lazy("按模板填写的Excel文件（.xlsx），每个文件最多5,000行。"),
        error_messages={"required": gettext_lazy("请选择要上传的“数据文件”。")},
    )

    def __init__(self, *args, pairs, **kwargs):
        super().__init__(*args, **kwargs)
        self.pairs = {f"{t.pk}-{d.pk}": (t, d) for t, d in pairs}
        self.fields["choice"].choices = [("", _("请选择"))] + [
            (key, f"{t.name}（{d.name}）") for key, (t, d) in self.pairs.items()
        ]
        self.fields["file"].widget.attrs["accept"] = ".xlsx," + XLSX

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("“数据文件”须为Excel文件（.xlsx），请使用下载的模板。"))
        if upload.size > digitisation.MAX_BYTES:
            raise ValidationError(_("“数据文件”不能超过20MB。"))
        return upload


class ArchiveForm(forms.Form):
    department = forms.ModelChoiceField(
        label=gettext_lazy("部门"),
        queryset=Department.objects.none(),
        empty_label=None,
        error_messages={"required": gettext_lazy("请选择“部门”。")},
    )
    date_from = forms.DateField(
        label=gettext_lazy("开始日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": gettext_lazy("请填写“开始日期”。"),
            "invalid": gettext_lazy("“开始日期”须为日期（YYYY-MM-DD）。"),
        },
    )
    date_to = forms.DateField(
        label=gettext_lazy("结束日期"),
        help_text=gettext_lazy("按办结日期，含首尾两日，最长一年。"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": gettext_lazy("请填写“结束日期”。"),
            "invalid": gettext_lazy("“结束日期”须为日期（YYYY-MM-DD）。"),
        },
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments


@staff_only
def digitise_page(request):
    pairs = issuable(request.user)
    if not pairs:
        return forbidden(request, _("您所在的部门没有可签发的电子证照类型。"))
    form = DigitiseForm(request.POST or None, request.FILES or None, pairs=pairs)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            licence_type, department = form.pairs[form.cleaned_data["choice"]]
            try:
                batch = digitisation.digitise(
                    licence_type, department, form.cleaned_data["file"], request.user
                )
            except ValidationError as exc:
                apply_errors(form, exc, field_for=lambda key: "choice")
            else:
                return redirect("workbench:licences-batch", pk=batch.pk)
        status = 400
    recent = _batches(request.user)[:5]
    context = {"form": form, "pairs": pairs, "recent": recent, "nav": "digitise"}
    return render(request, "licences/staff/batches/digitise.html", context, status=status)


@staff_only
def template_download(request, code: str):
    licence_type = next((t for t, _d in issuable(request.user) if t.code == code), None)
    if licence_type is None:
        raise Http404
    response = HttpResponse(digitisation.template(licence_type), content_type=XLSX)
    name = digitisation.template_file_name(licence_type)
    response.headers["Content-Disposition"] = _attachment(name)
    return response


def _attachment(name: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"template.xlsx\"; filename*=UTF-8''{quote(name)}"


def _batches(user):
    rows = DigitisationBatch.objects.select_related("type", "department", "uploaded_by")
    scope = scope_of(user)
    if not scope.is_superuser:
        rows = rows.filter(department_id__in=scope.department_ids)
    return rows.order_by("-created_at", "-pk")


@staff_only
def batch_list(request):
    page = Paginator(_batches(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "params": "", "nav": "batches"}
    return render(request, "licences/staff/batches/list.html", context)


@staff_only
def batch_detail(request, pk: int):
    batch = get_object_or_404(_batches(request.user), pk=pk)
    context = {
        "batch": batch,
        "row_errors": [e for e in batch.errors if e.get("row")],
        "file_errors": [e for e in batch.errors if not e.get("row")],
        "nav": "batches",
    }
    return render(request, "licences/staff/batches/detail.html", context)


@staff_only
def archive_page(request):
    departments = my_departments(request.user)
    if not departments.exists():
        return forbidden(request, _("只有部门工作人员可以导出归档包。"))
    today = timezone.localdate()
    initial = {"date_from": today.replace(day=1), "date_to": today}
    form = ArchiveForm(request.POST or None, departments=departments, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        out = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
        try:
            result = archive.export_archive(
                data["department"], data["date_from"], data["date_to"], request.user, out
            )
        except ValidationError as exc:
            out.close()
            apply_errors(form, exc)
        else:
            out.seek(0)
            return FileResponse(
                out, as_attachment=True, filename=result.file_name, content_type="application/zip"
            )
    status = 400 if form.errors else 200
    context = {"form": form, "nav": "archive"}
    return render(request, "licences/staff/batches/archive.html", context, status=status)
