from __future__ import annotations

from django.urls import path

from receipts import views

app_name = "receipts"
urlpatterns = [
    path("verify/", views.verify_upload, name="verify-upload"),
    path("verify/<uuid:token>/", views.verify_receipt, name="verify"),
    path(
        "submissions/<int:pk>/receipts/<int:receipt_pk>/",
        views.receipt_download,
        name="download",
    ),
    path(
        "submissions/<int:pk>/signed/<int:record_pk>/",
        views.signed_report_download,
        name="signed-report",
    ),
]
