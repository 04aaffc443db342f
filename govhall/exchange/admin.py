"""Admin screens of the exchange: clients (registered through the workbench page or
``manage.py register_exchange_client``, which create the OAuth2 application and show the
secret once), and read-only logs — calls, quality findings and days, delivery attempts
and alerts. Changes made here to a client are audited."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from govhall.core.admin import ReadOnlyAdmin
from govhall.core.models import AuditEntry
from govhall.core.services import audit

from .models import (
    DeliveryAlert,
    DeliveryAttempt,
    ExchangeCall,
    ExchangeClient,
    QualityDay,
    QualityIssue,
)

AUDITED_FIELDS = ("name", "rate_per_minute", "is_active", "contact", "own_item_codes")


@admin.register(ExchangeClient)
class ExchangeClientAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "rate_per_minute", "is_active", "created_at")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name", "application__client_id")
    autocomplete_fields = ("regions", "departments")
    readonly_fields = ("code", "application", "created_at", "created_by")
    fields = (
        "code",
        "name",
        "kind",
        "application",
        "regions",
        "departments",
        "own_item_codes",
        "rate_per_minute",
        "is_active",
        "contact",
        "created_at",
        "created_by",
    )

    def has_add_permission(self, request):
        # A client needs its OAuth2 application and a secret shown once: the workbench
        # page (/workbench/exchange/register/) or the management command registers it.
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: the calls and findings keep their sender

    def save_model(self, request, obj, form, change):
        before = {}
        if change:
            old = ExchangeClient.objects.get(pk=obj.pk)
            before = {f: getattr(old, f) for f in AUDITED_FIELDS}
        super().save_model(request, obj, form, change)
        after = {f: getattr(obj, f) for f in AUDITED_FIELDS}
        changed = [f for f in AUDITED_FIELDS if before.get(f) != after[f]]
        if changed:
            audit.record(
                AuditEntry.Action.UPDATE,
                instance=obj,
                before={f: before.get(f) for f in changed},
                after={f: after[f] for f in changed},
                reason=str(_("在管理后台修改数据交换客户端")),
            )


@admin.register(ExchangeCall)
class ExchangeCallAdmin(ReadOnlyAdmin):
    list_display = (
        "at",
        "client",
        "method",
        "path",
        "status_code",
        "records",
        "accepted",
        "duplicates",
        "rejected",
        "duration_ms",
    )
    list_filter = ("status_code", "method", "client")
    date_hierarchy = "at"
    list_select_related = ("client",)


@admin.register(QualityIssue)
class QualityIssueAdmin(ReadOnlyAdmin):
    list_display = ("detected_at", "client", "rule", "case_number", "record_id", "message")
    list_filter = ("rule", "client")
    search_fields = ("case_number", "implementation_code", "=record_id")
    date_hierarchy = "day"
    list_select_related = ("client",)


@admin.register(QualityDay)
class QualityDayAdmin(ReadOnlyAdmin):
    list_display = (
        "day",
        "client",
        "received",
        "accepted",
        "duplicates",
        "rejected",
        "late",
        "with_issues",
        "score",
    )
    list_filter = ("client",)
    date_hierarchy = "day"
    list_select_related = ("client",)

    @admin.display(description=_("得分"))
    def score(self, obj):
        return obj.score


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnlyAdmin):
    list_display = (
        "started_at",
        "finished_at",
        "url",
        "records",
        "status_code",
        "accepted",
        "duplicates",
        "rejected",
    )
    list_filter = ("status_code",)
    date_hierarchy = "started_at"


@admin.register(DeliveryAlert)
class DeliveryAlertAdmin(ReadOnlyAdmin):
    list_display = ("raised_at", "kind", "message", "records", "oldest_at", "resolved_at")
    list_filter = ("kind",)
