from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("Web API")

    def ready(self) -> None:
        # Imported once the models are ready: the webhooks' receivers (a stage changed, a
        # receipt issued, a national version made) and the schema's authentication schemes.
        from . import events, schema  # noqa: F401
