"""The national report as an official PDF: Decree 30/2020/NĐ-CP layout, bundled fonts, the same
safe renderer as receipts and provincial reports (receipts.pdf)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone, translation

from receipts.pdf import VN, render_html_pdf
from submissions import selectors as content

from . import selectors
from .models import NationalVersion


def render_national_report(version: NationalVersion) -> bytes:
    """The body in portrait; the summed appendix and the list of provinces in landscape."""
    with translation.override("vi"):
        report = selectors.national_report(version)
        html = render_to_string(
            "national/pdf/report.html",
            {
                "version": version,
                "campaign": version.campaign,
                "report": report,
                "made": timezone.localtime(version.created_at, VN),
                "columns": (columns := selectors.summed_columns(version.campaign)),
                "footnotes": content.footnotes(version.campaign, columns),
            },
        )
    return render_html_pdf(html, stylesheets=("decree30.css", "report.css", "national.css"))
