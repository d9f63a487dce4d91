from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    """Units, campaigns, the letter's outline and its appendix template."""

    name = "campaigns"
    verbose_name = _("Campaigns")
