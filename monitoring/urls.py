from __future__ import annotations

from django.urls import path, re_path

from monitoring import views as views

app_name = "monitor"
urlpatterns = [
    path("", views.monitor_home, name="home"),
    path("<slug:code>/", views.dashboard, name="dashboard"),
    re_path(r"^(?P<code>[-\w]+)/export\.(?P<fmt>csv|xlsx)$", views.export, name="export"),
    path("<slug:code>/remind/", views.remind, name="remind"),
    path("<slug:code>/schedule/", views.schedule, name="schedule"),
]
