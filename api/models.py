"""What the web API keeps: personal tokens, the answers to idempotent requests, webhooks and
their delivery log."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A personal API token: it acts as its user, with exactly the user's roles and provinces.

    The secret is shown once, when the token is made; only its SHA-256 is kept (a random
    secret of 256 bits needs no slow hash). ``key`` is the public part that finds the row.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    key = models.CharField(_("key"), max_length=16, unique=True, editable=False)
    secret_sha256 = models.CharField(_("SHA-256 of the secret"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.key})"


class IdempotentRequest(models.Model):
    """The first answer to a write sent with an ``Idempotency-Key``: a retry gets it again."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # method, path and body of the request
    status = models.PositiveSmallIntegerField(null=True)  # None: the first is still running
    body = models.JSONField(null=True)  # the first answer's data, sent again as it was
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique")
        ]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class Webhook(models.Model):
    """A coordinator's subscription: events are POSTed to ``url``, signed with ``secret``.

    The secret is kept as given: signing needs it (HMAC-SHA256), unlike a token's.
    """

    class Event(models.TextChoices):
        STAGE_CHANGED = "stage.changed", _("Stage changed")
        RECEIPT_ISSUED = "receipt.issued", _("Receipt issued")
        VERSION_MADE = "version.made", _("National version made")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("secret"), max_length=200)
    events = models.JSONField(_("events"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event for one webhook, and how its sending went: the delivery log."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(default=uuid.uuid4, editable=False)
    event = models.CharField(_("event"), max_length=32, choices=Webhook.Event.choices)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook_id}"
