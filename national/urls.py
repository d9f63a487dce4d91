from __future__ import annotations

from django.urls import path

from . import views

app_name = "national"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:code>/", views.report, name="report"),
    path("<slug:code>/consolidate/", views.consolidate, name="consolidate"),
    path("<slug:code>/v<int:number>/", views.report, name="version"),
    path("<slug:code>/v<int:number>/report.pdf", views.report_pdf, name="pdf"),
    path("<slug:code>/v<int:number>/report.xlsx", views.report_xlsx, name="xlsx"),
    path("<slug:code>/v<int:number>/to-sign.pdf", views.signing_copy, name="signing-copy"),
    path("<slug:code>/v<int:number>/sign/", views.sign, name="sign"),
]
