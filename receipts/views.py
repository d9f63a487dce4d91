"""Receipts: download for those who may see the submission; public verification for anyone."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import is_ratelimited

from core.downloads import private_file_response
from core.security import client_ip
from receipts.models import Receipt
from receipts.services import check_chain
from receipts.verification import check_pdf
from workflow import access
from workflow.models import AuditRecord

MAX_UPLOAD = 10 * 1024 * 1024


@login_required
def receipt_download(request: HttpRequest, pk: int, receipt_pk: int) -> HttpResponseBase:
    """The receipt's PDF (a 404 while it is not rendered yet)."""
    submission = access.get_submission_for_user_or_404(request.user, pk)
    receipt = get_object_or_404(Receipt, pk=receipt_pk, submission=submission)
    return private_file_response(
        receipt.pdf,
        filename=f"bien-nhan-{receipt.number:04d}-{receipt.unit_code}.pdf",
        content_type="application/pdf",
    )


@login_required
def signed_report_download(request: HttpRequest, pk: int, record_pk: int) -> HttpResponseBase:
    """The report as its signatory signed it, for those who may see the submission."""
    submission = access.get_submission_for_user_or_404(request.user, pk)
    record = get_object_or_404(
        AuditRecord.objects.select_related("signed_document"),
        pk=record_pk,
        submission=submission,
        signed_document__isnull=False,
    )
    assert record.signed_document is not None
    return private_file_response(
        record.signed_document.pdf,
        filename=f"bao-cao-da-ky-{submission.unit.code}-{record.pk}.pdf",
        content_type="application/pdf",
    )


def verify_receipt(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    """Reached from a receipt's QR code: its facts, and whether content and chain still hold."""
    receipt = get_object_or_404(
        Receipt.objects.select_related("campaign", "record__version", "record__signed_document"),
        token=token,
    )
    return render(
        request,
        "workflow/verify_receipt.html",
        {"receipt": receipt, "check": check_chain(receipt.submission, upto=receipt.number)},
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Receipt PDF"))


def _client(group: str, request: HttpRequest) -> str:
    return client_ip(request)


def verify_upload(request: HttpRequest) -> HttpResponse:
    """Upload a receipt PDF: genuine, altered, or signed by someone else?

    Anyone may use it, and each upload is parsed: uploads are throttled per client
    address (django-ratelimit, counted in the shared cache) at VERIFY_UPLOAD_RATE.
    """
    result = None
    form = UploadForm()
    if request.method == "POST" and is_ratelimited(
        request,
        group="verify-upload",
        key=_client,
        rate=settings.VERIFY_UPLOAD_RATE,
        method="POST",
        increment=True,
    ):
        return render(
            request, "workflow/verify_upload.html", {"form": form, "throttled": True}, status=429
        )
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_UPLOAD:
                form.add_error("file", _("The file is too large to be a receipt."))
            else:
                result = check_pdf(upload.read())
    return render(request, "workflow/verify_upload.html", {"form": form, "result": result})
