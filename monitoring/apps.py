from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    """The coordinator's dashboard: progress, lateness, exports, deadlines and reminders."""

    name = "monitoring"
    verbose_name = _("Monitoring")
