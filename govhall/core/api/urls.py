from django.urls import path

from . import views

urlpatterns = [
    path(
        "identifiers/validate", views.IdentifierValidateView.as_view(), name="identifier-validate"
    ),
    path("calendar/due-date", views.DueDateView.as_view(), name="calendar-due-date"),
    path("calendar/elapsed", views.ElapsedView.as_view(), name="calendar-elapsed"),
    path("calendar/years/<int:year>", views.CalendarYearView.as_view(), name="calendar-year"),
]
