from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from . import pages, views

app_name = "api"
v1 = [
    path("campaigns/", views.CampaignList.as_view(), name="campaigns"),
    path("campaigns/<slug:code>/", views.CampaignDetail.as_view(), name="campaign"),
    path("units/", views.UnitList.as_view(), name="units"),
    path("submissions/", views.SubmissionList.as_view(), name="submissions"),
    path("submissions/<int:pk>/", views.SubmissionDetail.as_view(), name="submission"),
    path("submissions/<int:pk>/appendix/", views.AppendixView.as_view(), name="appendix"),
    path("submissions/<int:pk>/narrative/", views.NarrativeView.as_view(), name="narrative"),
    path("submissions/<int:pk>/attachments/", views.AttachmentList.as_view(), name="attachments"),
    path(
        "submissions/<int:pk>/transitions/",
        views.TransitionCreate.as_view(),
        name="transitions",
    ),
    path("submissions/<int:pk>/receipts/", views.ReceiptList.as_view(), name="receipts"),
    path(
        "submissions/<int:pk>/receipts/<int:receipt_pk>/",
        views.ReceiptDetail.as_view(),
        name="receipt",
    ),
    path(
        "submissions/<int:pk>/receipts/<int:receipt_pk>/pdf/",
        views.ReceiptPdf.as_view(),
        name="receipt-pdf",
    ),
    path("monitoring/<slug:code>/dashboard/", views.Dashboard.as_view(), name="dashboard"),
    path(
        "national/<slug:code>/versions/",
        views.NationalVersionList.as_view(),
        name="national-versions",
    ),
    path(
        "national/<slug:code>/versions/<int:number>/",
        views.NationalVersionDetail.as_view(),
        name="national-version",
    ),
    path("webhooks/", views.WebhookList.as_view(), name="webhooks"),
    path("webhooks/<int:hook_pk>/", views.WebhookDetail.as_view(), name="webhook"),
    path(
        "webhooks/<int:hook_pk>/deliveries/",
        views.WebhookDeliveryList.as_view(),
        name="webhook-deliveries",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", pages.ApiDocs.as_view(url_name="api:schema"), name="docs"),
]
urlpatterns = [
    path("v1/", include(v1)),
    path("tokens/", pages.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", pages.token_revoke_view, name="token-revoke"),
]
