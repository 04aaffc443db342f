"""Forms of the one-door counter: find or open the person, then take one application.

The intake form is built from the item's published form definition and materials
(``ItemVersion.form_fields``, ``materials``) and checks everything at once with the
catalogue's own answer rules, so the clerk sees every problem in one pass; the case
service checks again when it takes the application.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govhall.cases.forms import range_hint
from govhall.cases.services import applications
from govhall.catalog.models import Material
from govhall.catalog.services import forms as catalogue_forms

NO_AUTOFILL = {"autocomplete": "off", "spellcheck": "false"}


class DepartmentForm(forms.Form):
    department = forms.TypedChoiceField(label=gettext_lazy("受理窗口所属部门"), coerce=int)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [
            (d.pk, f"{d.region.name} {d.name}") for d in departments
        ]


class FindPersonForm(forms.Form):
    id_number = forms.CharField(
        label=gettext_lazy("身份证号码"),
        max_length=18,
        widget=forms.TextInput(attrs=NO_AUTOFILL),
        help_text=gettext_lazy("请查验办事人的身份证原件后录入。"),
    )


class OpenAccountForm(forms.Form):
    id_number = forms.CharField(
        label=gettext_lazy("身份证号码"), max_length=18, widget=forms.TextInput(attrs=NO_AUTOFILL)
    )
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=50)
    mobile = forms.CharField(
        label=gettext_lazy("手机号码"),
        required=False,
        max_length=11,
        widget=forms.TextInput(attrs={"inputmode": "tel", **NO_AUTOFILL}),
        help_text=gettext_lazy("可不填；填写后办事人可凭手机号找回账号。"),
    )

    def clean_mobile(self):
        mobile = self.cleaned_data["mobile"].strip()
        if mobile and not catalogue_forms.PHONE_RE.match(mobile):
            raise forms.ValidationError(_("“手机号码”须为11位手机号码。"))
        return mobile


@dataclass(frozen=True)
class Need:
    """One material of the item, as the counter collects it."""

    index: int
    key: str
    material: Material
    licence: object = None  # facts.HeldLicence the person holds for it, if any

    @property
    def fetched_by_hall(self) -> bool:
        return self.material.source == "shared"

    @property
    def required(self) -> bool:
        return self.material.required and not self.material.condition


def check_upload(upload) -> str:
    """The locker's rules (size, real file type), checked before anything is stored so
    the message lands on the right material."""
    limit = settings.GOVHALL_UPLOAD_MAX_BYTES
    if upload.size > limit:
        return _("文件不能超过%(max)sMB（当前%(size).1fMB）。") % {
            "max": limit // (1024 * 1024),
            "size": upload.size / 1048576,
        }
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(marks) for marks in applications.MAGIC.values()):
        return _("只能上传PDF、JPG或PNG格式的文件。")
    return ""


def _shown(value) -> str:
    if value is True:
        return _("是")
    if value is False:
        return _("否")
    return str(value)


def question_field(question: dict, labels: dict[str, str]) -> forms.Field:
    """A form-definition field as an optional Django field; the answer rules decide."""
    kind = question.get("type", "text")
    label = question["label"]
    condition = question.get("show_if")
    if question.get("required") and not condition:
        label = _("%(label)s（必填）") % {"label": label}
    hints = [question.get("help", "")]
    if condition:
        hints.append(
            _("当“%(field)s”为“%(value)s”时填写。")
            % {
                "field": labels.get(condition["field"], condition["field"]),
                "value": _shown(condition["equals"]),
            }
        )
    hints.append(range_hint(question))
    common = {"label": label, "required": False, "help_text": " ".join(h for h in hints if h)}
    if kind == "boolean":
        return forms.ChoiceField(
            choices=[("true", _("是")), ("false", _("否"))], widget=forms.RadioSelect, **common
        )
    if kind == "choice":
        choices = [("", _("请选择"))] + [(c, c) for c in question.get("choices", [])]
        return forms.ChoiceField(choices=choices, **common)
    widgets = {
        "textarea": forms.Textarea(attrs={"rows": 3}),
        "integer": forms.TextInput(attrs={"inputmode": "numeric", **NO_AUTOFILL}),
        "decimal": forms.TextInput(attrs={"inputmode": "decimal", **NO_AUTOFILL}),
        "date": forms.DateInput(attrs={"type": "date"}),
        "phone": forms.TextInput(attrs={"inputmode": "tel", **NO_AUTOFILL}),
        "email": forms.EmailInput(attrs=NO_AUTOFILL),
        "id_number": forms.TextInput(attrs=NO_AUTOFILL),
        "credit_code": forms.TextInput(attrs=NO_AUTOFILL),
    }
    return forms.CharField(max_length=2000, widget=widgets.get(kind, forms.TextInput), **common)


class IntakeForm(forms.Form):
    """One application taken at the counter: answers, materials, contact phone."""

    contact_phone = forms.CharField(
        label=gettext_lazy("联系电话（必填）"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", **NO_AUTOFILL}),
    )
    accept_now = forms.BooleanField(
        label=gettext_lazy("材料齐全、符合法定形式，当场受理"), required=False, initial=True
    )

    def __init__(self, *args, version, held=(), **kwargs):
        super().__init__(*args, **kwargs)
        by_type = {}
        for licence in held:
            by_type.setdefault(licence.type_code, licence)
        self.questions = list(version.form_fields or [])
        labels = {q["name"]: q["label"] for q in self.questions}
        fields = {}
        for question in self.questions:
            fields[f"answer_{question['name']}"] = question_field(question, labels)
        self.needs: list[Need] = []
        for material in version.materials.all():
            key = applications.material_key(material)
            if any(n.key == key for n in self.needs):
                continue
            need = Need(len(self.needs), key, material, by_type.get(material.licence_type_code))
            self.needs.append(need)
            if need.fetched_by_hall:
                continue
            fields[f"scan_{need.index}"] = forms.FileField(
                label=_("“%(name)s”扫描件") % {"name": material.name},
                required=False,
                widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
            )
            fields[f"paper_{need.index}"] = forms.BooleanField(
                label=_("“%(name)s”纸质原件已核验") % {"name": material.name}, required=False
            )
        if any(n.licence and not n.fetched_by_hall for n in self.needs):
            fields["licence_consent"] = forms.BooleanField(
                label=_("办事人已当面同意调用上述电子证照，代替提交纸质材料"),
                help_text=_("调用会记入办事人的用证记录。不同意的，请上传扫描件或核验纸质原件。"),
                required=False,
            )
        self.fields = {**fields, **self.fields}

    def answer_fields(self):
        return [self[f"answer_{q['name']}"] for q in self.questions]

    def material_rows(self):
        """(need, scan field, paper field); fields are None when the hall fetches it."""
        return [
            (n, None, None)
            if n.fetched_by_hall
            else (n, self[f"scan_{n.index}"], self[f"paper_{n.index}"])
            for n in self.needs
        ]

    def clean(self):
        data = super().clean()
        raw = {q["name"]: data.get(f"answer_{q['name']}", "") for q in self.questions}
        _answers, problems = catalogue_forms.clean_answers(self.questions, raw)
        for problem in problems:
            self.add_error(self.field_for(problem.field), problem.message)
        for need in self.needs:
            if need.fetched_by_hall:
                continue
            upload = data.get(f"scan_{need.index}")
            if upload:
                message = check_upload(upload)
                if message:
                    self.add_error(f"scan_{need.index}", message)
                    continue
            if upload or data.get(f"paper_{need.index}"):
                continue
            if need.licence is not None:
                if not data.get("licence_consent"):
                    self.add_error(
                        "licence_consent",
                        _(
                            "请确认办事人同意调用电子证照“%(name)s”，"
                            "或上传其扫描件、勾选已核验纸质原件。"
                        )
                        % {"name": need.material.name},
                    )
            elif need.required:
                self.add_error(
                    f"scan_{need.index}",
                    _("请上传“%(name)s”的扫描件，或勾选已核验纸质原件。")
                    % {"name": need.material.name},
                )
        phone = data.get("contact_phone", "").strip()
        if not phone:
            self.add_error("contact_phone", _("“联系电话”为必填项。"))
        elif not catalogue_forms.PHONE_RE.match(phone):
            self.add_error("contact_phone", _("“联系电话”须为11位手机号码。"))
        return data

    def field_for(self, key: str) -> str | None:
        """The form field a service error key names (``form.x``, ``materials.<key>``)."""
        if key.startswith("form."):
            return f"answer_{key[5:]}"
        if key.startswith("materials."):
            need = next((n for n in self.needs if n.key == key[10:]), None)
            return f"scan_{need.index}" if need and not need.fetched_by_hall else None
        return key if key in self.fields else None

    def answers(self) -> dict:
        return {
            q["name"]: self.cleaned_data[f"answer_{q['name']}"]
            for q in self.questions
            if self.cleaned_data.get(f"answer_{q['name']}") not in (None, "")
        }

    def scans(self) -> dict:
        return {
            n.key: self.cleaned_data[f"scan_{n.index}"]
            for n in self.needs
            if not n.fetched_by_hall and self.cleaned_data.get(f"scan_{n.index}")
        }

    def paper_checked(self) -> list[str]:
        """Materials checked on paper and not scanned (the service records a paper check
        in place of a scan, so a scanned one keeps its file)."""
        return [
            n.key
            for n in self.needs
            if not n.fetched_by_hall
            and self.cleaned_data.get(f"paper_{n.index}")
            and not self.cleaned_data.get(f"scan_{n.index}")
        ]
