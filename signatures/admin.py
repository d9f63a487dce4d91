"""Admin: the trust list and the certificates registered to users (each loaded from a file)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .certificates import NotACertificate, load_certificate
from .models import PreparedDocument, SignedDocument, TrustAnchor, UserCertificate
from .services import trust_anchor_fill, user_certificate_fill

CERTIFICATE_MAX = 64 * 1024


class _CertificateFileForm(forms.ModelForm):
    certificate_file = forms.FileField(
        label=_("Certificate file (.cer, .crt or .pem)"),
        required=False,
        help_text=_("PEM or DER; the certificate only, never a private key."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("certificate_file")
        if upload is None:
            if not self.instance.pk:
                self.add_error("certificate_file", _("Choose the certificate file."))
            return data
        if upload.size > CERTIFICATE_MAX:
            self.add_error("certificate_file", _("This file is too large to be a certificate."))
            return data
        try:
            self.certificate = load_certificate(upload.read())
        except NotACertificate:
            self.add_error("certificate_file", _("This file is not an X.509 certificate."))
        return data


class TrustAnchorForm(_CertificateFileForm):
    class Meta:
        model = TrustAnchor
        fields = ["name", "kind", "active"]


class UserCertificateForm(_CertificateFileForm):
    class Meta:
        model = UserCertificate
        fields = ["user", "subject_identifier", "active"]


@admin.register(TrustAnchor)
class TrustAnchorAdmin(admin.ModelAdmin):
    form = TrustAnchorForm
    list_display = ["name", "kind", "subject", "not_after", "active"]
    list_filter = ["kind", "active"]
    readonly_fields = ["subject", "sha256", "not_after", "added_at"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        cert = getattr(form, "certificate", None)
        if cert is not None:
            trust_anchor_fill(obj, cert)
        super().save_model(request, obj, form, change)


@admin.register(UserCertificate)
class UserCertificateAdmin(admin.ModelAdmin):
    form = UserCertificateForm
    list_display = ["user", "subject", "issuer", "serial", "not_after", "active"]
    list_filter = ["active"]
    search_fields = ["user__username", "user__last_name", "subject", "serial"]
    readonly_fields = [
        "subject",
        "issuer",
        "serial",
        "sha256",
        "not_before",
        "not_after",
        "registered_by",
        "registered_at",
        "expiry_warned_on",
    ]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        cert = getattr(form, "certificate", None)
        if cert is not None:
            user_certificate_fill(obj, cert)
        if not change:
            obj.registered_by = request.user
        super().save_model(request, obj, form, change)


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(SignedDocument)
class SignedDocumentAdmin(_ReadOnly):
    list_display = ["prepared", "signer", "signer_subject", "signing_time", "revocation"]
    list_filter = ["revocation"]


@admin.register(PreparedDocument)
class PreparedDocumentAdmin(_ReadOnly):
    list_display = ["reference", "kind", "for_user", "created_at"]
