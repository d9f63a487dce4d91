"""The PDFs are tagged for screen readers (WeasyPrint's PDF/UA-1 variant): a receipt as
signed, the province's report it carries, and a national report version each have a structure
tree, the document's language, a title shown as the window title, and MarkInfo Marked true.
veraPDF is not at hand, so the tag tree is read with pypdf and printed."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from campaigns.models import Campaign
from core.enums import Action, Role, Stage
from national.pdf import render_national_report
from national.services import consolidation_run
from receipts.models import Receipt
from receipts.verification import Verdict, check_pdf
from submissions.models import Submission

from ..cast import Cast


def _tags(node: Any, depth: int = 0, out: list[str] | None = None) -> list[str]:
    """The structure tree as indented tag names (S), depth first."""
    out = [] if out is None else out
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, ArrayObject):
        for kid in node:
            _tags(kid, depth, out)
    elif isinstance(node, DictionaryObject):
        if "/S" in node:
            out.append("  " * depth + str(node["/S"]).lstrip("/"))
            depth += 1
        if "/K" in node:
            _tags(node["/K"], depth, out)
    return out


def _check_tagged(data: bytes, title: str, name: str) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    root: Any = reader.root_object
    assert "/StructTreeRoot" in root, name
    assert root["/MarkInfo"]["/Marked"].value is True, name
    assert root["/Lang"] == "vi", name
    assert root["/ViewerPreferences"]["/DisplayDocTitle"], name
    assert reader.metadata is not None and reader.metadata.title == title, name
    tree = _tags(root["/StructTreeRoot"])
    assert tree and tree[0] == "Document", (name, tree[:5])
    kinds = {t.strip() for t in tree}
    assert {"P", "Table", "TR", "TD"} <= kinds or {"P"} <= kinds, (name, kinds)
    counts = Counter(t.strip() for t in tree)
    print(f"\n{name}: title {title!r}, /Lang vi, MarkInfo Marked, {len(tree)} tags: {counts}")
    print("\n".join(tree[:12]))
    return tree


def test_receipts_reports_and_national_versions_are_tagged_pdf_ua(
    provinces: Callable[..., Submission],
    cast: Cast,
    campaign: Campaign,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        hanoi = provinces("01", Stage.CONSOLIDATION)
    receipt = Receipt.objects.get(submission=hanoi, action=Action.SIGN)
    with receipt.pdf.open("rb") as fh:
        signed = bytes(fh.read())
    # Tagging leaves the signature and the text as they were.
    assert check_pdf(signed).verdict == Verdict.GENUINE
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(signed)).pages)
    assert "BIÊN NHẬN" in text and receipt.display_number in text
    _check_tagged(signed, f"Biên nhận {receipt.display_number}", "receipt (signed)")
    report = PdfReader(io.BytesIO(signed)).attachments["bao-cao-01.pdf"][0]
    tree = _check_tagged(
        report, f"{campaign.report_title} - {hanoi.unit.full_name}", "province's report"
    )
    assert "Table" in {t.strip() for t in tree}

    version = consolidation_run(actor=cast(Role.MINISTRY_COORDINATOR), campaign=campaign)
    national = render_national_report(version)
    tree = _check_tagged(
        national, f"Báo cáo toàn quốc {campaign.number} v{version.number}", "national report"
    )
    assert "Table" in {t.strip() for t in tree}
