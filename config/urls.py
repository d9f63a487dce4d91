from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from desk.views import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("submissions/", include("desk.urls")),
    path("national/", include("national.urls")),
    path("campaigns/", include("authoring.urls")),
    path("", include("reviews.urls")),
    path("", include("receipts.urls")),
    path("monitor/emails/", include("notifications.urls")),
    path("monitor/", include("monitoring.urls")),
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
]
