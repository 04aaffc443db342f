"""URLs of the catalogue: public guides, then the staff desk (workbench), then portal pages.

Included at the site root. The portal block at the end belongs to the catalogue-content
helper's pages (browse, search, scenario navigation).
"""

from django.urls import path

from .views import guide as guide_views
from .views import portal as portal_views
from .views import staff as staff_views

app_name = "catalog"

urlpatterns = [
    # --- service guides (public) --------------------------------------------------------
    path("items/<str:code>/", guide_views.guide, name="guide"),
    path("items/<str:code>/guide.pdf", guide_views.guide_pdf, name="guide-pdf"),
    path("items/<str:code>/guide.json", guide_views.guide_json, name="guide-json"),
    path("items/<str:code>/v<int:number>/", guide_views.guide, name="guide-version"),
    path(
        "items/<str:code>/v<int:number>/guide.pdf",
        guide_views.guide_pdf,
        name="guide-version-pdf",
    ),
    path(
        "items/<str:code>/v<int:number>/guide.json",
        guide_views.guide_json,
        name="guide-version-json",
    ),
    # --- catalogue desk (staff) ---------------------------------------------------------
    path("workbench/catalog/", staff_views.desk, name="desk"),
    path("workbench/catalog/items/new/", staff_views.item_create, name="item-create"),
    path("workbench/catalog/items/<str:code>/", staff_views.item_detail, name="item"),
    path(
        "workbench/catalog/items/<str:code>/drafts/", staff_views.draft_create, name="draft-create"
    ),
    path("workbench/catalog/items/<str:code>/diff/", staff_views.diff, name="diff"),
    path("workbench/catalog/items/<str:code>/split/", staff_views.item_split, name="split"),
    path("workbench/catalog/items/<str:code>/merge/", staff_views.item_merge, name="merge"),
    path("workbench/catalog/items/<str:code>/manual/", staff_views.manual, name="manual"),
    path(
        "workbench/catalog/items/<str:code>/export.json",
        staff_views.export_json,
        name="export-json",
    ),
    path("workbench/catalog/versions/<int:pk>/", staff_views.version_detail, name="version"),
    path(
        "workbench/catalog/versions/<int:pk>/edit/", staff_views.version_edit, name="version-edit"
    ),
    path(
        "workbench/catalog/versions/<int:pk>/<slug:action>/",
        staff_views.version_action,
        name="version-action",
    ),
    path("workbench/catalog/confirm/", staff_views.confirm, name="confirm"),
    path("workbench/catalog/import/", staff_views.import_items, name="import"),
    path("workbench/catalog/export.xlsx", staff_views.export_items, name="export"),
    path("workbench/catalog/rates/", staff_views.rates_view, name="rates"),
    path("workbench/catalog/scenarios/", staff_views.scenario_list, name="desk-scenarios"),
    path(
        "workbench/catalog/scenarios/<slug:code>/",
        staff_views.scenario_edit,
        name="desk-scenario-edit",
    ),
]

# --- portal pages (catalogue content helper) ------------------------------------------------
urlpatterns += [
    path("search/", portal_views.search_page, name="search"),
    path("themes/", portal_views.themes_page, name="themes"),
    path("themes/<slug:code>/", portal_views.theme_page, name="theme"),
    path("audiences/<slug:audience>/", portal_views.audience_page, name="audience"),
    path("departments/", portal_views.departments_page, name="departments"),
    path("departments/<str:credit_code>/", portal_views.department_page, name="department"),
    path("life-events/", portal_views.life_events_page, name="life-events"),
    path("life-events/<slug:code>/", portal_views.life_event_page, name="life-event"),
    path("scenarios/", portal_views.scenarios_page, name="scenarios"),
    path("scenarios/<slug:code>/", portal_views.scenario_page, name="scenario"),
]
