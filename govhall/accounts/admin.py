"""Admin screens for identity: users, persons (ID numbers masked), companies and agents,
department systems (client secrets shown once), legacy imports, sign-ins and locks."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from govhall.core.admin import ReadOnlyMixin
from govhall.regions.models import StaffPost

from .models import (
    AgentGrant,
    Channel,
    ClientProfile,
    Company,
    LegacyImport,
    LegalAcceptance,
    LegalDocument,
    LoginEvent,
    LoginThrottle,
    Person,
    RealNameVerification,
    User,
)
from .services import clients, legacy, lockout
from .services import legal as legal_service
from .services.registration import clean_id_number


class PageOfItsOwn:
    """An admin with one page of its own besides the usual ones: ``page_of_its_own`` is
    (route, name of the view method, URL name), matched before the admin's own URLs."""

    page_of_its_own: tuple[str, str, str]

    def get_urls(self):
        route, view, name = self.page_of_its_own
        own = path(route, self.admin_site.admin_view(getattr(self, view)), name=name)
        return [own, *super().get_urls()]


class StaffPostInline(ReadOnlyMixin, admin.TabularInline):
    """Shown here, granted and revoked only on the post screen (``regions.services.posts``:
    nobody grants themselves a post, admin posts need a second administrator)."""

    model = StaffPost
    fk_name = "user"
    extra = 0
    fields = ("department", "post", "is_active", "awaiting_confirmation", "granted_by")
    readonly_fields = fields
    verbose_name = _("岗位")
    verbose_name_plural = _("岗位（部门与职责范围；在“工作人员岗位”中授予和撤销）")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("显示与联系方式"), {"fields": ("display_name", "mobile", "mobile_verified_at")}),
    )
    list_display = ("username", "display_name", "is_staff", "is_active", "last_login")
    search_fields = ("username", "display_name", "first_name", "last_name", "email", "mobile")
    inlines = [StaffPostInline]
    actions = ["unlock_accounts"]

    @admin.action(description=_("解除所选账号的登录锁定"))
    def unlock_accounts(self, request, queryset):
        for user in queryset:
            lockout.unlock(user)
        self.message_user(request, _("已解除所选账号的登录锁定。"))


class VerificationInline(ReadOnlyMixin, admin.TabularInline):
    model = RealNameVerification
    extra = 0
    fields = (
        "occurred_at",
        "level",
        "method",
        "result",
        "source",
        "reference",
        "clerk",
        "department",
        "document_type",
    )
    readonly_fields = fields


@admin.register(Person)
class PersonAdmin(PageOfItsOwn, ReadOnlyMixin, admin.ModelAdmin):
    """Persons change only through the identity services; the admin looks them up.

    Search by name, or by the full ID number (matched through the blind index)."""

    list_display = ("name", "masked_id_number", "realname_level", "source", "created_at")
    list_filter = ("realname_level", "source")
    search_fields = ("name",)
    fields = (
        "user",
        "name",
        "masked_id_number",
        "realname_level",
        "realname_verified_at",
        "source",
        "legacy_import",
        "created_at",
    )
    readonly_fields = fields
    inlines = [VerificationInline]

    @admin.display(description=_("身份证号码"))
    def masked_id_number(self, obj):
        return obj.masked_id_number

    change_list_template = "accounts/admin/person_changelist.html"

    def get_search_results(self, request, queryset, search_term):
        """Names only: an ID number typed here would travel in the URL (and so into access
        logs); the lookup page takes it by POST instead."""
        try:
            clean_id_number(search_term)
        except ValidationError:
            return super().get_search_results(request, queryset, search_term)
        self.message_user(
            request, _("请使用“按身份证号码查找”，不要在搜索框中输入身份证号码。"), messages.WARNING
        )
        return queryset.none(), False

    page_of_its_own = ("lookup/", "lookup_view", "accounts_person_lookup")

    def lookup_view(self, request):
        form = PersonLookupForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            person = Person.objects.filter(
                id_number_index=Person.index_for(form.cleaned_data["id_number"])
            ).first()
            if person is not None:
                return redirect(reverse("admin:accounts_person_change", args=[person.pk]))
            form.add_error("id_number", _("没有使用该身份证号码的账号。"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("按身份证号码查找自然人"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "accounts/admin/person_lookup.html", context)


class PersonLookupForm(forms.Form):
    id_number = forms.CharField(label=_("身份证号码"), max_length=30)

    def clean_id_number(self):
        try:
            return clean_id_number(self.cleaned_data["id_number"])
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None


class GrantInline(ReadOnlyMixin, admin.TabularInline):
    model = AgentGrant
    extra = 0
    fields = ("agent", "powers", "valid_from", "valid_until", "granted_at", "revoked_at")
    readonly_fields = fields


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "legal_representative", "is_active", "registered_at")
    list_filter = ("is_active",)
    search_fields = ("name", "credit_code")
    fields = (
        "credit_code",
        "name",
        "legal_representative",
        "registered_by",
        "registry_reference",
        "is_active",
        "registered_at",
    )
    readonly_fields = (
        "credit_code",
        "legal_representative",
        "registered_by",
        "registry_reference",
        "registered_at",
    )
    inlines = [GrantInline]

    def has_add_permission(self, request):
        return False


@admin.register(AgentGrant)
class AgentGrantAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("company", "agent", "valid_from", "valid_until", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("company__name", "company__credit_code", "agent__name")


class ClientRegistrationForm(forms.ModelForm):
    """Adding a department system: the secret is generated on save and shown once."""

    name = forms.CharField(label=_("系统名称"), max_length=255)
    redirect_uris = forms.CharField(
        label=_("回调地址"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一个，生产环境须为 https。"),
    )
    post_logout_redirect_uris = forms.CharField(
        label=_("退出后返回地址"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    scopes = forms.MultipleChoiceField(
        label=_("允许的授权范围"),
        choices=[(s, s) for s in clients.SUPPORTED_SCOPES],
        initial=["openid", "profile"],
        widget=forms.CheckboxSelectMultiple,
    )
    confidential = forms.BooleanField(
        label=_("机密客户端（服务器端系统，持有密钥）"), initial=True, required=False
    )
    skip_authorization = forms.BooleanField(label=_("免确认授权（政府内部系统）"), required=False)

    class Meta:
        model = ClientProfile
        fields = ("department", "channel", "contact")

    def clean_redirect_uris(self):
        return _field_check(
            clients.clean_uris, self.cleaned_data["redirect_uris"], "redirect_uris", required=True
        )

    def clean_post_logout_redirect_uris(self):
        return _field_check(
            clients.clean_uris,
            self.cleaned_data["post_logout_redirect_uris"],
            "post_logout_redirect_uris",
            required=False,
        )


class ClientProfileChangeForm(forms.ModelForm):
    class Meta:
        model = ClientProfile
        fields = ("department", "allowed_scopes", "channel", "contact", "is_active")

    def clean_allowed_scopes(self):
        return _field_check(clients.clean_scopes, self.cleaned_data["allowed_scopes"])


def _field_check(function, *args, **kwargs):
    """Run a service check and show its message on the field being cleaned."""
    try:
        return function(*args, **kwargs)
    except ValidationError as exc:
        raise forms.ValidationError(exc.messages) from None


@admin.register(ClientProfile)
class ClientProfileAdmin(admin.ModelAdmin):
    list_display = ("application", "client_id", "department", "allowed_scopes", "is_active")
    list_filter = ("is_active", "channel")
    search_fields = ("application__name", "application__client_id", "department__name")
    autocomplete_fields = ["department"]
    readonly_fields = ("application", "client_id", "redirect_uris")
    fields = (
        "application",
        "client_id",
        "redirect_uris",
        "department",
        "allowed_scopes",
        "channel",
        "contact",
        "is_active",
    )
    actions = ["rotate_secret"]

    @admin.display(description=_("客户端ID"))
    def client_id(self, obj):
        return obj.application.client_id

    @admin.display(description=_("回调地址"))
    def redirect_uris(self, obj):
        return obj.application.redirect_uris

    form = ClientProfileChangeForm

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ClientRegistrationForm
            kwargs["fields"] = None
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return [
                "name",
                "department",
                "redirect_uris",
                "post_logout_redirect_uris",
                "scopes",
                "channel",
                "contact",
                "confidential",
                "skip_authorization",
            ]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def save_form(self, request, form, change):
        if change:
            return super().save_form(request, form, change)
        # Adding: the service creates the client and its profile, and makes the secret.
        data = form.cleaned_data
        registered = clients.register_client(
            name=data["name"],
            redirect_uris=data["redirect_uris"],
            post_logout_redirect_uris=data.get("post_logout_redirect_uris", ""),
            scopes=data["scopes"],
            department=data.get("department"),
            channel=data.get("channel") or Channel.WEB,
            contact=data.get("contact", ""),
            confidential=data.get("confidential", False),
            skip_authorization=data.get("skip_authorization", False),
        )
        request._govhall_new_secret = registered.client_secret
        return registered.profile

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    def response_add(self, request, obj, post_url_continue=None):
        profile = ClientProfile.objects.select_related("application").get(pk=obj.pk)
        return self._secret_page(request, profile, getattr(request, "_govhall_new_secret", ""))

    def _secret_page(self, request, profile, secret):
        context = {
            **self.admin_site.each_context(request),
            "title": _("对接系统已登记"),
            "profile": profile,
            "client_secret": secret,
            "opts": self.model._meta,
        }
        response = TemplateResponse(request, "accounts/admin/client_secret.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("重新生成所选系统的客户端密钥（仅显示一次）"))
    def rotate_secret(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("请一次只选择一个系统。"), messages.ERROR)
            return None
        profile = queryset.select_related("application").first()
        secret = clients.rotate_secret(profile.application)
        return self._secret_page(request, profile, secret)


class LegacyImportForm(forms.Form):
    source_system = forms.CharField(label=_("来源系统"), max_length=100)
    file = forms.FileField(
        label=_("CSV文件"), help_text=_("列：id_number,name,mobile,password_hash")
    )
    dry_run = forms.BooleanField(label=_("仅试算，不写入"), required=False, initial=True)


@admin.register(LegacyImport)
class LegacyImportAdmin(PageOfItsOwn, ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "source_system",
        "file_name",
        "started_at",
        "total_rows",
        "created_count",
        "merged_count",
        "duplicate_count",
        "conflict_count",
        "error_count",
    )
    exclude = ("report",)
    readonly_fields = (
        "source_system",
        "file_name",
        "file_sha256",
        "imported_by",
        "started_at",
        "finished_at",
        "total_rows",
        "created_count",
        "merged_count",
        "duplicate_count",
        "conflict_count",
        "error_count",
        "report_table",
    )
    change_list_template = "accounts/admin/legacyimport_changelist.html"

    @admin.display(description=_("冲突与错误报告"))
    def report_table(self, obj):
        from django.template.loader import render_to_string

        return render_to_string("accounts/admin/_report.html", {"entries": obj.report[:1000]})

    page_of_its_own = ("import/", "import_view", "accounts_legacyimport_import")

    def import_view(self, request):
        if not request.user.has_perm("accounts.add_person"):
            messages.error(request, _("您没有导入账号的权限。"))
            return redirect(reverse("admin:accounts_legacyimport_changelist"))
        form = LegacyImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch, report = legacy.import_accounts(
                    upload.read(),
                    source_system=form.cleaned_data["source_system"],
                    file_name=upload.name,
                    imported_by=request.user,
                    dry_run=form.cleaned_data["dry_run"],
                )
            except legacy.ImportFileError as exc:
                form.add_error("file", str(exc))
            else:
                if batch is not None:
                    messages.success(request, _("导入完成。"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("导入旧系统账号"),
            "form": form,
            "report": report,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "accounts/admin/legacy_import.html", context)


@admin.register(LoginEvent)
class LoginEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("occurred_at", "user", "channel", "method", "hall", "remote_addr")
    list_filter = ("channel", "method")
    search_fields = ("user__username", "user__display_name")
    date_hierarchy = "occurred_at"


@admin.register(LoginThrottle)
class LoginThrottleAdmin(admin.ModelAdmin):
    list_display = ("key", "failures", "last_failure_at", "locked_until")
    search_fields = ("key",)
    readonly_fields = ("key", "failures", "first_failure_at", "last_failure_at", "locked_until")

    def has_add_permission(self, request):
        return False


@admin.register(LegalDocument)
class LegalDocumentAdmin(admin.ModelAdmin):
    """用户服务协议 and 个人信息保护说明: drafts are edited, a published version is frozen
    (a change is a new version, and persons are asked again at their next sign-in)."""

    list_display = ("__str__", "title", "published_at", "published_by", "acceptance_count")
    list_filter = ("kind", ("published_at", admin.EmptyFieldListFilter))
    readonly_fields = ("version", "published_at", "published_by", "created_at")
    actions = ["publish_documents", "copy_as_new_version"]

    def get_fields(self, request, obj=None):
        fields = ["title", "body", "summary_of_changes"]
        return (["kind", *fields] if obj is None else fields) + (
            [] if obj is None else list(self.readonly_fields)
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_published:
            return ["title", "body", "summary_of_changes", *self.readonly_fields]
        return self.readonly_fields if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return (obj is None or not obj.is_published) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        saved = legal_service.new_version(
            obj.kind, title=obj.title, body=obj.body, summary_of_changes=obj.summary_of_changes
        )
        obj.pk, obj.version, obj.created_at = saved.pk, saved.version, saved.created_at
        obj._state.adding = False

    @admin.display(description=_("同意人数"))
    def acceptance_count(self, obj):
        return obj.acceptances.count()

    @admin.action(description=_("发布所选版本（已同意旧版本的用户将在下次登录时被再次征求同意）"))
    def publish_documents(self, request, queryset):
        for document in queryset.order_by("kind", "version"):
            try:
                legal_service.publish(request.user, document)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(request, _("已发布：%(d)s") % {"d": document}, messages.SUCCESS)

    @admin.action(description=_("以所选版本为底稿新建版本（草稿）"))
    def copy_as_new_version(self, request, queryset):
        for document in queryset:
            draft = legal_service.new_version(
                document.kind, title=document.title, body=document.body
            )
            self.message_user(request, _("已新建草稿：%(d)s") % {"d": draft}, messages.SUCCESS)


@admin.register(LegalAcceptance)
class LegalAcceptanceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("user", "document", "how", "accepted_at")
    list_filter = ("document", "how")
    search_fields = ("user__username",)
    list_select_related = ("user", "document")
