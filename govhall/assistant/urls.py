"""Pages of the assistant: the portal's 互动交流 and the staff consoles in the workbench."""

from django.urls import path

from .views import portal, staff

app_name = "assistant"

urlpatterns = [
    path("halls/<str:code>/assistant/", portal.chat, name="chat"),
    path("items/<str:code>/ask/", portal.ask_about, name="ask-about"),
    path("consultations/<uuid:public_id>/", portal.consultation_page, name="consultation"),
    path("workbench/consultations/", staff.queue, name="staff-queue"),
    path("workbench/consultations/<uuid:public_id>/", staff.console, name="staff-console"),
    path("workbench/knowledge/", staff.knowledge_desk, name="knowledge"),
    path("workbench/knowledge/new/", staff.entry_edit, name="entry-new"),
    path("workbench/knowledge/<uuid:public_id>/", staff.entry_edit, name="entry-edit"),
]
