"""Licence pages: the holder's and the public's (namespace ``licences``, at the site root)
and the staff licence desk (``staff_urlpatterns``, under /workbench/licences/ in the
workbench's namespace)."""

from django.urls import include, path

from .views.holder_urls import urlpatterns as holder
from .views.public_urls import urlpatterns as public
from .views.staff.case_licences import request_licence
from .views.staff.urls import urlpatterns as staff

app_name = "licences"

public_urlpatterns = [*holder, *public]
urlpatterns = public_urlpatterns

staff_urlpatterns = [
    path("licences/", include(staff)),
    # on the staff case page: 部门调取 of another licence of the applicant
    path(
        "cases/<str:number>/licences/request/",
        request_licence,
        name="case-licence-request",
    ),
]
