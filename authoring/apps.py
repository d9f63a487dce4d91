from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuthoringConfig(AppConfig):
    """The campaign administrator's pages: write a campaign as a definition, see it validated
    and previewed as a unit will get it, then open, close and archive it."""

    name = "authoring"
    verbose_name = _("Campaigns")
