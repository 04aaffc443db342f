"""存量电子化 and 电子文件归档 pages, under /workbench/licences/ (namespace ``workbench``)."""

from django.urls import path

from . import batches

urlpatterns = [
    path("digitise/", batches.digitise_page, name="licences-digitise"),
    path(
        "digitise/template/<str:code>/",
        batches.template_download,
        name="licences-digitise-template",
    ),
    path("digitise/batches/", batches.batch_list, name="licences-batches"),
    path("digitise/batches/<int:pk>/", batches.batch_detail, name="licences-batch"),
    path("archive/", batches.archive_page, name="licences-archive"),
]
