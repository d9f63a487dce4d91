from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = _("E-mail")

    def ready(self) -> None:
        from workflow.signals import transition_done  # app registry: not before ready()

        from .recipients import transition_mail_queue

        def tell(sender: Any, record: Any, **kwargs: Any) -> None:
            transition_mail_queue(record)

        transition_done.connect(tell, dispatch_uid="notifications.tell", weak=False)
