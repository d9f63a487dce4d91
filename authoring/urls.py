from __future__ import annotations

from django.urls import path

from authoring import views

app_name = "authoring"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_new, name="new"),
    path("appendix-from-excel/", views.appendix_from_excel, name="appendix-from-excel"),
    path("<slug:code>/", views.campaign_detail, name="detail"),
    path("<slug:code>/definition.json", views.definition_download, name="definition"),
    path("<slug:code>/copy/", views.campaign_copy, name="copy"),
    path("<slug:code>/move/<str:move>/", views.campaign_move, name="move"),
    path("<slug:code>/preview/appendix/", views.preview_appendix, name="preview-appendix"),
    path("<slug:code>/preview/narrative/", views.preview_narrative, name="preview-narrative"),
    path("<slug:code>/preview/appendix.xlsx", views.preview_xlsx, name="preview-xlsx"),
]
