"""Admin views of monitoring, for operators. Case facts, roll-ups and the refresh watermark
are derived from process records (``services.refresh``) and read-only here; targets, the
two-page denominators and page usage are entered data, editable (and audited: the app
registers them with the audit chain). Supervisors set targets on the workbench."""

from django.contrib import admin

from govhall.core.admin import ReadOnlyAdmin

from .models import CaseFact, MonthlyRollup, PageUsage, PopulationBase, RefreshState, Target


@admin.register(CaseFact)
class CaseFactAdmin(ReadOnlyAdmin):
    list_display = [
        "case_number",
        "item_name",
        "region_code",
        "department_code",
        "channel",
        "visits",
        "concluded_at",
        "month",
        "source",
    ]
    list_filter = ["level", "item_type", "channel", "source", "closed_event"]
    search_fields = ["case_number", "implementation_code", "item_name"]
    date_hierarchy = "concluded_at"


@admin.register(MonthlyRollup)
class MonthlyRollupAdmin(ReadOnlyAdmin):
    list_display = [
        "month",
        "region_code",
        "department_code",
        "item_type",
        "volume",
        "online_applied",
        "fully_online",
        "visits_0",
    ]
    list_filter = ["level", "item_type", "month"]
    search_fields = ["region_code", "department_code"]


@admin.register(RefreshState)
class RefreshStateAdmin(ReadOnlyAdmin):
    list_display = ["name", "last_record_pk", "refreshed_at"]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["year", "region_code", "scope", "indicator", "value", "rank", "source"]
    list_filter = ["year", "scope", "indicator", "rank"]
    search_fields = ["region_code", "source"]
    readonly_fields = ["updated_at"]


@admin.register(PopulationBase)
class PopulationBaseAdmin(admin.ModelAdmin):
    list_display = [
        "region_code",
        "year",
        "registered_companies",
        "population_20_49",
        "registered_population",
    ]
    list_filter = ["year"]
    search_fields = ["region_code"]


@admin.register(PageUsage)
class PageUsageAdmin(admin.ModelAdmin):
    list_display = ["region_code", "month", "companies_using", "persons_using", "source"]
    list_filter = ["month"]
    search_fields = ["region_code"]
