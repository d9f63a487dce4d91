"""The outbox: every e-mail the service sends is first a row, written in the transaction of
the step that causes it, so a worker or a broker that dies cannot lose it (notifications.services).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Email(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Given up")

    kind = models.CharField(_("kind"), max_length=32)
    to = models.EmailField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    # What caused it: one transition's record or one reminder (unique per recipient).
    record = models.ForeignKey(
        "workflow.AuditRecord", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reminder = models.ForeignKey(
        "workflow.Reminder", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("written at"))
    # The sweep sends a pending row from this moment on (the step's own hand-off first).
    next_attempt_at = models.DateTimeField(_("next attempt"))
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        constraints = [
            models.UniqueConstraint(
                fields=["record", "to"],
                condition=models.Q(record__isnull=False),
                name="email_once_per_record_recipient",
            ),
            models.UniqueConstraint(
                fields=["reminder", "to"],
                condition=models.Q(reminder__isnull=False),
                name="email_once_per_reminder_recipient",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="email_due_idx")]

    def __str__(self) -> str:
        return f"{self.to} · {self.subject}"
