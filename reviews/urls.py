from __future__ import annotations

from django.urls import path

from . import views

app_name = "reviews"
urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("submissions/<int:pk>/decide/", views.decide, name="decide"),
    path("submissions/<int:pk>/review/", views.review, name="review"),
    path("submissions/<int:pk>/report-to-sign.pdf", views.signing_copy, name="signing-copy"),
    path("submissions/<int:pk>/extend/", views.extend, name="extend"),
]
