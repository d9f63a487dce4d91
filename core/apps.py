from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The foundation every app builds on; it imports no app of the project."""

    name = "core"
    verbose_name = "Core"
