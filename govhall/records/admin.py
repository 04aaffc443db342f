"""Read-only admin views of the process records and their outbox, for operators."""

from django.contrib import admin

from govhall.core.admin import ReadOnlyAdmin

from .models import OutboxMessage, ProcessRecord


@admin.register(ProcessRecord)
class ProcessRecordAdmin(ReadOnlyAdmin):
    list_display = ["case_number", "message_type", "event", "occurred_at", "source"]
    list_filter = ["message_type", "source"]
    search_fields = ["case_number"]
    show_full_result_count = False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["record", "attempts", "delivered_at", "next_attempt_at", "last_error"]
    list_filter = [("delivered_at", admin.EmptyFieldListFilter)]
