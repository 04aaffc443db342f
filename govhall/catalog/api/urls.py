from django.urls import path

from . import views

urlpatterns = [
    # public contract (docs/api.md)
    path("items/", views.ItemList.as_view(), name="item-list"),
    path("items/<str:code>/", views.ItemDetail.as_view(), name="item-detail"),
    path("items/<str:code>/versions/", views.ItemPublicVersions.as_view(), name="item-versions"),
    path(
        "items/<str:code>/versions/<int:number>/",
        views.ItemPublicVersion.as_view(),
        name="item-version",
    ),
    path("themes/", views.ThemeList.as_view(), name="theme-list"),
    path("bundles/", views.BundleList.as_view(), name="bundle-list"),
    path("scenarios/<slug:code>/", views.ScenarioDetail.as_view(), name="scenario-detail"),
    path(
        "scenarios/<slug:code>/resolve/",
        views.ScenarioResolve.as_view(),
        name="scenario-resolve",
    ),
    # catalogue staff
    path("catalog/items/", views.StaffItemCreate.as_view(), name="catalog-item-create"),
    path(
        "catalog/items/<str:code>/versions/",
        views.StaffItemVersions.as_view(),
        name="catalog-item-versions",
    ),
    path(
        "catalog/items/<str:code>/drafts/",
        views.StaffDraftCreate.as_view(),
        name="catalog-draft-create",
    ),
    path("catalog/items/<str:code>/diff/", views.StaffItemDiff.as_view(), name="catalog-diff"),
    path("catalog/versions/<int:pk>/", views.StaffVersionDetail.as_view(), name="catalog-version"),
    path(
        "catalog/versions/<int:pk>/<slug:action>/",
        views.StaffVersionAction.as_view(),
        name="catalog-version-action",
    ),
    path("catalog/rates/", views.StaffRates.as_view(), name="catalog-rates"),
    path("catalog/items/<str:code>/split/", views.StaffItemSplit.as_view(), name="catalog-split"),
    path("catalog/merge/", views.StaffItemMerge.as_view(), name="catalog-merge"),
    path("catalog/scenarios/<slug:code>/", views.StaffScenario.as_view(), name="catalog-scenario"),
    path("catalog/bundles/<slug:code>/", views.StaffBundle.as_view(), name="catalog-bundle"),
]
