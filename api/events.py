"""The events webhooks carry, taken where the apps below announce them.

"stage.changed" from the engine's ``transition_done`` (inside the step's transaction);
"receipt.issued" and "version.made" when a Receipt or a NationalVersion row is first saved,
also inside their transactions. Each writes its deliveries there and the worker sends them
after commit (api.tasks.enqueue).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from national.models import NationalVersion
from receipts.models import Receipt
from receipts.pdf import verification_url
from workflow.models import AuditRecord
from workflow.signals import transition_done

from .models import Webhook
from .tasks import enqueue


@receiver(transition_done, dispatch_uid="api.stage_changed")
def stage_changed(sender: Any, record: AuditRecord, **kwargs: Any) -> None:
    submission = record.submission
    enqueue(
        Webhook.Event.STAGE_CHANGED,
        {
            "submission": submission.pk,
            "campaign": submission.campaign.code,
            "unit": submission.unit.code,
            "action": record.action,
            "from_stage": record.from_stage,
            "to_stage": record.to_stage,
            "role": record.role,
            "actor": record.actor.username,
            "at": record.at,
        },
    )


@receiver(post_save, sender=Receipt, dispatch_uid="api.receipt_issued")
def receipt_issued(sender: Any, instance: Receipt, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    enqueue(
        Webhook.Event.RECEIPT_ISSUED,
        {
            "receipt": instance.pk,
            "number": instance.display_number,
            "submission": instance.submission_id,
            "unit": instance.unit_code,
            "action": instance.action,
            "to_stage": instance.to_stage,
            "at": instance.at,
            "hash": instance.hash,
            "verification_url": verification_url(instance),
        },
    )


@receiver(post_save, sender=NationalVersion, dispatch_uid="api.version_made")
def version_made(sender: Any, instance: NationalVersion, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    enqueue(
        Webhook.Event.VERSION_MADE,
        {
            "campaign": instance.campaign.code,
            "version": instance.number,
            "created_at": instance.created_at,
        },
    )
