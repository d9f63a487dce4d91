from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    """The pages a province works in: the inbox, the submission page, drafting its content."""

    name = "desk"
    verbose_name = _("Desk")
