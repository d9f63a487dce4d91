"""Receipts: the proof of each step, numbered per campaign and chained per submission."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.enums import Action, Role, Stage
from submissions.models import Submission
from workflow.models import AuditRecord


class Receipt(models.Model):
    """Proof of one transition, chained to the previous receipt of the same submission."""

    token = models.UUIDField(
        _("verification code"), default=uuid.uuid4, unique=True, editable=False
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.PROTECT, related_name="receipts"
    )
    number = models.PositiveIntegerField(_("number"))
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="receipts")
    record = models.OneToOneField(AuditRecord, on_delete=models.PROTECT, related_name="receipt")
    unit_code = models.CharField(_("unit code"), max_length=8)
    unit_name = models.CharField(_("unit"), max_length=200)
    actor_name = models.CharField(_("actor"), max_length=300)
    actor_username = models.CharField(_("username"), max_length=150)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    from_stage = models.CharField(_("from"), max_length=32, choices=Stage.choices)
    to_stage = models.CharField(_("to"), max_length=32, choices=Stage.choices)
    at = models.DateTimeField(_("at"))
    reason = models.TextField(_("reason"), blank=True)
    snapshot_sha256 = models.CharField(_("SHA-256 of the snapshot"), max_length=64)
    previous_hash = models.CharField(_("hash of the previous receipt"), max_length=64, blank=True)
    hash = models.CharField(_("hash of this receipt"), max_length=64, unique=True)
    # The report the actor signed with their own certificate (a sign-off that needs it).
    signed_pdf_sha256 = models.CharField(
        _("SHA-256 of the signed report"), max_length=64, blank=True
    )
    signer_subject = models.CharField(_("certificate subject"), max_length=500, blank=True)
    signer_issuer = models.CharField(_("certificate issuer"), max_length=500, blank=True)
    signer_serial = models.CharField(_("certificate serial number"), max_length=80, blank=True)
    signature_result = models.CharField(_("signature validation"), max_length=500, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="receipts/", blank=True, max_length=300)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)

    class Meta:
        # Made in the workflow app; the table kept its name when the model moved here.
        db_table = "workflow_receipt"
        ordering = ["campaign", "number"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="receipt_number_unique"),
        ]

    def __str__(self) -> str:
        return self.display_number

    @property
    def revocation_checked(self) -> bool:
        """The signer's certificate was checked against its CRL or OCSP when it signed."""
        return "revocation checked" in self.signature_result

    @property
    def display_number(self) -> str:
        """0007/BN-123 under letter 123/BTC-XYZ: the number, 'biên nhận', and the campaign's
        letter number."""
        letter = self.campaign.number.split("/", 1)[0]
        return f"{self.number:04d}/BN-{letter}"
