"""Admin screens: the audit log (read-only) and the holiday calendar (one year at a time)."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .errors import Refusal
from .models import AuditEntry, CalendarDay, CalendarYear
from .services import calendar


class ReadOnlyMixin:
    """For admins and inlines of records written only by services: looked at, never edited."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Records written only by services (logs, facts, cases): looked at, never edited."""


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "sequence",
        "occurred_at",
        "actor_label",
        "action",
        "object_type",
        "object_repr",
    )
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "object_repr", "actor_label", "request_id")
    date_hierarchy = "occurred_at"


DAY_FORMAT_HELP = _(
    "可直接粘贴国务院办公厅《关于某年部分节假日安排的通知》的正文（“一、元旦：……放假……”），"
    "系统逐条识别放假和调休上班日期；也可每行一天：日期 类别 名称，类别为 holiday"
    "（法定节假日，休息）或 workday（调休上班日），例如：2027-01-01 holiday 元旦"
)


class CalendarYearForm(forms.ModelForm):
    days = forms.CharField(
        label=_("节假日与调休安排"),
        widget=forms.Textarea(attrs={"rows": 30}),
        help_text=DAY_FORMAT_HELP,
    )

    class Meta:
        model = CalendarYear
        fields = ["year", "notice"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["year"].disabled = True
            self.initial["days"] = "\n".join(
                f"{d.date.isoformat()} {d.kind} {d.name}".strip()
                for d in calendar.exceptions_in(self.instance.pk)
            )

    def clean(self):
        cleaned = super().clean()
        year = cleaned.get("year") or self.instance.pk
        if year and "days" in cleaned:
            text = cleaned["days"]
            try:
                if calendar.looks_like_notice(text):
                    parsed = calendar.parse_notice(text, year)
                    if not cleaned.get("notice"):
                        cleaned["notice"] = calendar.notice_title(text)
                else:
                    parsed = calendar.parse_day_lines(text)
                entries = calendar.validate_entries(year, parsed)
            except Refusal as exc:
                # Show the message next to the field the administrator has to correct.
                self.add_error("year" if exc.field == "year" else "days", exc.message)
            else:
                cleaned["entries"] = entries
        return cleaned


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 0
    can_delete = False
    readonly_fields = ("date", "kind", "name")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """A hall administrator loads or corrects a whole year's schedule in one form."""

    form = CalendarYearForm
    list_display = ("year", "source", "notice", "loaded_at", "loaded_by")
    readonly_fields = ("source", "loaded_at", "loaded_by")
    inlines = [CalendarDayInline]

    def save_model(self, request, obj, form, change):
        try:
            saved = calendar.load_year(
                form.cleaned_data.get("year") or obj.pk,
                form.cleaned_data["entries"],
                source=CalendarYear.Source.ADMIN,
                notice=form.cleaned_data.get("notice", ""),
                user=request.user,
            )
        except Refusal as exc:
            messages.error(request, exc.message)
            raise
        obj.pk = saved.pk
        obj.year = saved.year

    def save_related(self, request, form, formsets, change):
        """Days are written by ``load_year``; the read-only inline has nothing to save."""

    def construct_change_message(self, request, form, formsets, add=False):
        # The inline is never saved (see save_related), so it has no changes to report;
        # the audit chain holds the before and after lists of the load.
        return super().construct_change_message(request, form, [], add)
