from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceiptsConfig(AppConfig):
    """Receipts of every step: issued, rendered to a signed PDF, verified."""

    name = "receipts"
    verbose_name = _("Receipts")

    def ready(self) -> None:
        from workflow.signals import transition_done  # app registry: not before ready()

        from .services import receipt_issue
        from .tasks import schedule_receipt

        def issue(sender: Any, record: Any, **kwargs: Any) -> None:
            schedule_receipt(receipt_issue(record).pk)

        transition_done.connect(issue, dispatch_uid="receipts.issue", weak=False)
