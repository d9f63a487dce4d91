from __future__ import annotations

from django.urls import path

from desk import views

app_name = "submissions"
urlpatterns = [
    path("", views.submission_list, name="list"),
    path("<int:pk>/", views.submission_detail, name="detail"),
    path("<int:pk>/appendix/", views.appendix_edit, name="appendix"),
    path("<int:pk>/appendix.xlsx", views.appendix_download, name="appendix-xlsx"),
    path("<int:pk>/appendix/import/", views.appendix_upload, name="appendix-import"),
    path("<int:pk>/narrative/", views.narrative_edit, name="narrative"),
    path("<int:pk>/attachments/", views.attachment_list, name="attachments"),
    path("<int:pk>/report.pdf", views.report_pdf, name="report-pdf"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment-download",
    ),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/delete/",
        views.attachment_delete,
        name="attachment-delete",
    ),
]
