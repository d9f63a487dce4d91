"""The national report's pages: thin views over national.access, selectors and services."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from campaigns.models import Campaign
from core.downloads import private_file_response
from signatures.forms import PKCS12_PASSWORD, signed_bytes
from signatures.verification import SignatureRefused
from submissions import selectors as content

from . import access, selectors, services, tasks, xlsx
from .models import NationalVersion


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The newest campaign's national report."""
    if not access.can_view_national_report(request.user):
        raise Http404
    campaign = selectors.campaigns_with_report().first()
    if campaign is None:
        raise Http404
    return redirect("national:report", code=campaign.code)


@login_required
def report(request: HttpRequest, code: str, number: int | None = None) -> HttpResponse:
    """A version of the national report (the latest by default), its versions and the next run."""
    campaign = access.get_campaign_for_report_or_404(request.user, code)
    versions = selectors.versions(campaign)
    if number is None:
        version = versions[0].version if versions else None
    else:
        version = next((v.version for v in versions if v.version.number == number), None)
        if version is None:
            raise Http404
    return render(
        request,
        "national/report.html",
        {
            "campaign": campaign,
            "campaigns": selectors.campaigns_with_report(),
            "versions": versions,
            "version": version,
            "is_latest": bool(versions) and version == versions[0].version,
            "report": selectors.national_report(version) if version else None,
            "columns": (columns := selectors.summed_columns(campaign)),
            "footnotes": content.footnotes(campaign, columns),
            "pending": selectors.pending(campaign),
            "can_consolidate": access.can_consolidate(request.user),
            "can_sign": version is not None and access.can_sign_version(request.user, version),
            "signature": selectors.version_signature(version) if version else None,
        },
    )


@login_required
@require_POST
def consolidate(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    if not access.can_consolidate(user):
        raise Http404
    campaign = get_object_or_404(Campaign, code=code)
    try:
        version = services.consolidation_run(actor=user, campaign=campaign)
    except services.ConsolidationError as exc:
        messages.error(request, str(exc))
        return redirect("national:report", code=campaign.code)
    (made,) = selectors.versions(campaign, only=version)
    messages.success(
        request,
        _(
            "Version %(number)s of the national report is made: %(entered)s report(s) added; "
            "it includes %(included)s of %(units)s provinces."
        )
        % {
            "number": version.number,
            "entered": made.included_new,
            "included": made.included,
            "units": made.units,
        },
    )
    return redirect(version)


def _filename(version: NationalVersion, kind: str) -> str:
    """bao-cao-toan-quoc-123-v2.pdf (letter 123/BTC-XYZ): the letter's number and the version."""
    letter = version.campaign.number.split("/", 1)[0]
    return f"bao-cao-toan-quoc-{letter}-v{version.number}.{kind}"


@login_required
def report_pdf(request: HttpRequest, code: str, number: int) -> HttpResponseBase:
    """The version's stored PDF; rendered and stored now if the background has not yet."""
    version = access.get_version_for_user_or_404(request.user, code, number)
    signed = selectors.version_signature(version)
    if signed is not None:  # the signed PDF is the version's document from then on
        return private_file_response(
            signed.signed.pdf, filename=_filename(version, "pdf"), content_type="application/pdf"
        )
    stored = tasks.store_version_pdf(version_pk=version.pk, wait=True)
    if stored is None:
        raise Http404
    return private_file_response(
        stored.pdf, filename=_filename(version, "pdf"), content_type="application/pdf"
    )


@login_required
def report_xlsx(request: HttpRequest, code: str, number: int) -> HttpResponse:
    version = access.get_version_for_user_or_404(request.user, code, number)
    response = HttpResponse(xlsx.national_workbook(version), content_type=xlsx.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(version, "xlsx")}"'
    return response


@login_required
def signing_copy(request: HttpRequest, code: str, number: int) -> HttpResponseBase:
    """The version to sign, for the ministry's signer: its document with a visible signature
    field, kept byte for byte (the signed upload must start with it)."""
    user = _user(request)
    version = access.get_version_for_user_or_404(user, code, number)
    if not access.can_sign_version(user, version):
        raise Http404
    try:
        prepared = services.version_prepare_for_signing(version=version, signer=user)
    except services.VersionSigningError as exc:
        messages.error(request, str(exc))
        return redirect(version)
    return private_file_response(
        prepared.pdf,
        filename=_filename(version, "pdf").replace(".pdf", "-de-ky.pdf"),
        content_type="application/pdf",
    )


def _prepared_bytes(version: NationalVersion, user: User) -> bytes:
    prepared = services.version_prepare_for_signing(version=version, signer=user)
    with prepared.pdf.open("rb") as fh:
        return bytes(fh.read())


@sensitive_post_parameters(PKCS12_PASSWORD)
@login_required
@require_POST
def sign(request: HttpRequest, code: str, number: int) -> HttpResponse:
    """The signed version uploaded, or signed here with a certificate file: verified, it
    becomes the version's document."""
    user = _user(request)
    version = access.get_version_for_user_or_404(user, code, number)
    try:
        data = signed_bytes(
            request,
            prepare=lambda: _prepared_bytes(version, user),
            field_name=services.SIGNATURE_FIELD,
        )
        signed = services.version_sign(actor=user, version=version, signed_pdf=data)
    except (SignatureRefused, services.VersionSigningError) as exc:
        messages.error(request, str(exc))
        return redirect(version)
    messages.success(
        request,
        _("Version %(number)s of the national report is signed by %(subject)s.")
        % {"number": version.number, "subject": signed.signed.signer_subject},
    )
    return redirect(version)
