from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo's users and history (manage.py load_demo), for make run and the tests."""

    name = "demo"
    verbose_name = "Demo"
