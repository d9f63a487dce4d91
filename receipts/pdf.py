"""PDF documents: receipts and reports in the layout of Decree 30/2020/NĐ-CP, signed receipts.

WeasyPrint renders Django templates (user text is escaped by the template engine)
with a URL fetcher that serves only the bundled files under static/pdf and static/fonts
(ALLOWED_DIRS): no http://, no file:// elsewhere, so neither an <img> nor a
<link rel="attachment"> in user text could reach the network or the disk.
"""

from __future__ import annotations

import io
import mimetypes
import threading
import zoneinfo
from pathlib import Path
from typing import Any

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from weasyprint import CSS, HTML, Attachment
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from campaigns.measures import facts_of
from core import clock
from core.eventloop import outside_event_loop
from receipts.signing import service_signer
from submissions import selectors

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


PDF_VARIANT = "pdf/ua-1"


class _Styles(threading.local):
    """The bundled style sheets, parsed once per thread, with the fonts their @font-face
    rules load (a thread: WeasyPrint does not promise that a font configuration may be
    shared between threads). Parsing them and loading the four fonts cost about 40 ms of
    each document, a third of a receipt."""

    def __init__(self) -> None:
        self.fonts = FontConfiguration()
        self.sheets: dict[str, CSS] = {}

    def get(self, names: tuple[str, ...]) -> list[CSS]:
        for name in names:
            if name not in self.sheets:
                self.sheets[name] = CSS(
                    url=f"{BUNDLED}pdf/{name}",
                    url_fetcher=BundledOnlyFetcher(allowed_protocols=("data",)),
                    font_config=self.fonts,
                )
        return [self.sheets[name] for name in names]


_styles = _Styles()


def render_html_pdf(
    html: str,
    *,
    stylesheets: tuple[str, ...] = ("decree30.css",),
    attachments: list[tuple[str, bytes]] | None = None,
) -> bytes:
    """Render our own HTML with bundled style sheets (names under static/pdf/, in order);
    only the attachments we pass (name, bytes) are embedded."""
    fetcher = BundledOnlyFetcher(allowed_protocols=("data",))
    document = HTML(string=html, base_url=BUNDLED, url_fetcher=fetcher)
    files = [
        Attachment(file_obj=io.BytesIO(data), name=name, url_fetcher=fetcher)
        for name, data in attachments or []
    ]
    pdf: bytes = document.write_pdf(
        stylesheets=_styles.get(stylesheets),
        font_config=_styles.fonts,
        attachments=files,
        # Tagged for screen readers (PDF/UA-1): a structure tree, the document's language
        # from <html lang> and its <title> shown as the title. Receipts, the province's
        # report and the national report all come through here.
        pdf_variant=PDF_VARIANT,
    )
    return pdf


def qr_svg_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=3, border=0)


def verification_url(receipt: Any) -> str:
    base = settings.SITE_URL.rstrip("/")
    return base + reverse("receipts:verify", kwargs={"token": receipt.token})


def render_report(submission: Any, *, signer: Any = None) -> bytes:
    """The submission as an official document: narrative, the signer's block (Decree 30),
    then the appendix in landscape with the letter's header repeated on every page and the
    group totals."""
    campaign = submission.campaign
    with translation.override("vi"):
        html = render_to_string(
            "submissions/pdf/report.html",
            {
                "submission": submission,
                "campaign": campaign,
                "sections": list(selectors.outline(campaign)),
                "answers": selectors.answers_by_point(submission),
                "table": selectors.appendix_table(submission),
                "columns": (columns := selectors.column_tree(campaign)),
                "widths": column_widths(columns.leaves),
                "footnotes": selectors.footnotes(campaign, columns),
                "problems": list(submission.problem_kinds.all()),
                "facts": facts_of(campaign),
                "today": clock.today(),
                "signer": signer,
            },
        )
    return render_html_pdf(html, stylesheets=("decree30.css", "report.css"))


# Weight of each kind of leaf column in the landscape page's width.
WIDTHS = {
    "row_number": 2.5,
    "row_label": 10.0,
    "text": 6.5,
    "amount": 4.3,
    "sum": 4.6,
    "flag": 3.0,
    "percent": 3.6,
}


def _column_width(column: Any) -> float:
    width = WIDTHS.get(column.kind, 4.0)
    return width + 1.6 if column.reason_field else width


def column_widths(leaves: list[Any]) -> list[float]:
    """Each leaf's share of the page width (%), adding up to 100 however many columns the
    campaign's header has: past 100 the last columns fell off the page."""
    weights = [_column_width(c) for c in leaves]
    total = sum(weights) or 1.0
    return [round(w * 100 / total, 3) for w in weights]


def render_receipt(receipt: Any, *, attachments: list[tuple[str, bytes]] | None = None) -> bytes:
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
                # The real time, not the clock's: the time the signature itself carries.
                "signed_at": timezone.localtime(timezone.now(), VN).isoformat(timespec="seconds"),
                "attachments": [name for name, _data in attachments or []],
            },
        )
    return render_html_pdf(html, attachments=attachments)


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
    out = outside_event_loop(signer.sign_pdf, writer)
    data: bytes = out.getvalue()
    return data
