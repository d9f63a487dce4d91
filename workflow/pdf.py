"""PDF documents: receipts and reports in the layout of Decree 30/2020/NĐ-CP, signed receipts.

WeasyPrint renders Django templates (user text is escaped by the template engine)
with a URL fetcher that serves only the bundled files under static/pdf-assets and
static/fonts: no http://, no file:// elsewhere, so neither an <img> nor a
<link rel="attachment"> in user text could reach the network or the disk.
"""

from __future__ import annotations

import io
import mimetypes
import zoneinfo
from pathlib import Path
from typing import Any

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .signing import service_signer

STATIC = Path(settings.BASE_DIR) / "static"
ALLOWED_DIRS = (STATIC / "fonts", STATIC / "pdf")
BUNDLED = "bundled:/"
VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


class BundledOnlyFetcher(URLFetcher):
    """Serves bundled:/fonts/... and bundled:/pdf/... from static/, and data: URLs; nothing else."""

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            response: URLFetcherResponse = super().fetch(url, headers)
            return response
        if url.startswith(BUNDLED):
            path = (STATIC / url.removeprefix(BUNDLED)).resolve()
            if any(path.is_relative_to(d) for d in ALLOWED_DIRS) and path.is_file():
                kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})
        raise ValueError(f"not a bundled file: {url[:80]}")


def render_html_pdf(html: str) -> bytes:
    fetcher = BundledOnlyFetcher(allowed_protocols=("data",))
    document = HTML(string=html, base_url=BUNDLED, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(url_fetcher=fetcher)
    return pdf


def qr_svg_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=3, border=0)


def verification_url(receipt: Any) -> str:
    from django.urls import reverse

    base = settings.SITE_URL.rstrip("/")
    return base + reverse("receipts:verify", kwargs={"token": receipt.token})


def render_receipt(receipt: Any) -> bytes:
    url = verification_url(receipt)
    with translation.override("vi"):
        html = render_to_string(
            "workflow/pdf/receipt.html",
            {
                "receipt": receipt,
                "campaign": receipt.campaign,
                "at": timezone.localtime(receipt.at, VN),
                "qr": qr_svg_data_uri(url),
                "url": url,
                "organisation": settings.SIGNING_ORGANISATION,
                "signed_at": timezone.localtime(timezone.now(), VN).isoformat(timespec="seconds"),
            },
        )
    return render_html_pdf(html)


def sign_pdf(pdf: bytes, *, reason: str) -> bytes:
    """PAdES signature with the service's key.

    The signature's appearance (Decree 30: top right of the first page, the agency's
    name and the signing time in ISO 8601 with the Việt Nam offset) is drawn by the
    document's own template, where Vietnamese text renders properly; the signature
    field itself is invisible.
    """
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name="ChuKySo",
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location="Việt Nam",
    )
    signer = signers.PdfSigner(meta, signer=service_signer())
    out = signer.sign_pdf(writer)
    data: bytes = out.getvalue()
    return data
