from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = _("E-mail")

    def ready(self) -> None:
        from workflow.signals import campaign_opened, transition_done  # not before ready()

        from .recipients import campaign_opened_mail_queue, transition_mail_queue

        def tell(sender: Any, record: Any, **kwargs: Any) -> None:
            transition_mail_queue(record)

        def announce(sender: Any, campaign: Any, **kwargs: Any) -> None:
            campaign_opened_mail_queue(campaign)

        transition_done.connect(tell, dispatch_uid="notifications.tell", weak=False)
        campaign_opened.connect(announce, dispatch_uid="notifications.announce", weak=False)
