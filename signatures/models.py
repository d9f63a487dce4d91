"""Digital signatures by people: the trust list, the certificates registered to users, the
documents prepared for a signatory and the signed documents they sent back.

The rules that decide whether a signed upload is accepted live in signatures.verification;
these are the records.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from submissions.models import Submission


class TrustAnchor(models.Model):
    """A CA certificate the administrator trusts (the Government's specialised CA, a licensed
    public CA): a root, or an intermediate to build the chain with."""

    class Kind(models.TextChoices):
        ROOT = "root", _("Root (trusted)")
        INTERMEDIATE = "intermediate", _("Intermediate (to build the chain)")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.ROOT)
    certificate = models.BinaryField(_("certificate (DER)"))
    subject = models.CharField(_("subject"), max_length=500, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True, editable=False)
    not_after = models.DateTimeField(_("valid until"), editable=False)
    active = models.BooleanField(_("active"), default=True)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("trusted certificate authority")
        verbose_name_plural = _("trust list")

    def __str__(self) -> str:
        return self.name


class UserCertificate(models.Model):
    """A signing certificate an administrator registered to a user's account. A signature
    counts as the user's only with a certificate registered here: the same issuer and serial
    number, or (for a renewed certificate) the same issuer and subject identifier."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="signing_certificates",
        verbose_name=_("user"),
    )
    certificate = models.BinaryField(_("certificate (DER)"))
    subject = models.CharField(_("subject"), max_length=500, editable=False)
    issuer = models.CharField(_("issuer"), max_length=500, editable=False)
    issuer_key = models.CharField(max_length=64, editable=False)
    serial = models.CharField(_("serial number (hex)"), max_length=80, editable=False)
    subject_key_id = models.CharField(max_length=128, blank=True, editable=False)
    subject_identifier = models.CharField(
        _("subject identifier"),
        max_length=200,
        blank=True,
        help_text=_(
            "Optional: the identifier in the certificate's subject (UID or serialNumber, "
            "e.g. CCCD:001234567890). A renewed certificate from the same issuer with this "
            "identifier is then also accepted."
        ),
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    not_before = models.DateTimeField(_("valid from"), editable=False)
    not_after = models.DateTimeField(_("valid until"), editable=False)
    active = models.BooleanField(_("active"), default=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    # The day the 30-day expiry warning was sent, so it is sent once.
    expiry_warned_on = models.DateField(_("expiry warning sent on"), null=True, blank=True)

    class Meta:
        ordering = ["user", "-not_after"]
        verbose_name = _("registered signing certificate")
        verbose_name_plural = _("registered signing certificates")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer_key", "serial"], name="user_certificate_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.serial})"


class PreparedDocument(models.Model):
    """The exact PDF handed to a signatory to sign, kept with its hash: a signed upload must be
    an incremental update of these bytes."""

    class Kind(models.TextChoices):
        PROVINCE_REPORT = "province_report", _("Province's report")
        NATIONAL_REPORT = "national_report", _("National report")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    submission = models.ForeignKey(
        Submission, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # What was rendered: "submission version 3", "national:<campaign code>:v2"; with the
    # content's hash.
    reference = models.CharField(_("document"), max_length=100)
    content_sha256 = models.CharField(_("SHA-256 of the content"), max_length=64)
    for_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    pdf = models.FileField(_("PDF"), upload_to="signatures/prepared/", max_length=300)
    sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64)
    created_at = models.DateTimeField(_("prepared at"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("document prepared for signing")
        verbose_name_plural = _("documents prepared for signing")

    def __str__(self) -> str:
        return f"{self.reference} · {self.created_at:%Y-%m-%d %H:%M}"


class SignedDocument(models.Model):
    """A document signed by a person and accepted: the official document from then on."""

    class Revocation(models.TextChoices):
        CHECKED = "checked", _("Checked: not revoked")
        NOT_CHECKED = "not_checked", _("Revocation not checked")

    prepared = models.ForeignKey(PreparedDocument, on_delete=models.PROTECT, related_name="signed")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    certificate = models.ForeignKey(
        UserCertificate, on_delete=models.PROTECT, related_name="signed_documents"
    )
    pdf = models.FileField(_("signed PDF"), upload_to="signatures/signed/", max_length=300)
    sha256 = models.CharField(_("SHA-256 of the signed PDF"), max_length=64, unique=True)
    signer_subject = models.CharField(_("certificate subject"), max_length=500)
    signer_issuer = models.CharField(_("certificate issuer"), max_length=500)
    signer_serial = models.CharField(_("certificate serial number"), max_length=80)
    signing_time = models.DateTimeField(_("signing time"))
    # The issuing body's signature, when the upload carries one after the person's.
    organisation_subject = models.CharField(
        _("issuing body's certificate"), max_length=500, blank=True
    )
    revocation = models.CharField(_("revocation"), max_length=16, choices=Revocation.choices)
    revocation_note = models.CharField(_("revocation note"), max_length=500, blank=True)
    validated_at = models.DateTimeField(_("validated at"))

    class Meta:
        ordering = ["-validated_at", "-pk"]
        verbose_name = _("signed document")
        verbose_name_plural = _("signed documents")

    def __str__(self) -> str:
        return f"{self.prepared.reference} · {self.signer_subject}"

    @property
    def result(self) -> str:
        """The validation result in one line, as the receipt states it."""
        return str(self.get_revocation_display())
