"""The PDFs are tagged for screen readers (WeasyPrint's PDF/UA-1 variant): a receipt as
signed, the province's report it carries, and a national report version each have a structure
tree, the document's language, a title shown as the window title, and MarkInfo Marked true;
their headings are heading tags (one H1, then H2, H3... never skipping a level) carrying the
heading's printed text, so that a screen reader can list them and jump between them.
veraPDF is not at hand (no package of it here), so the tag tree is read with pypdf and printed."""

from __future__ import annotations

import io
import itertools
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.utils import translation
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from campaigns.models import Campaign
from core.enums import Action, Role, Stage
from national.pdf import render_national_report
from national.selectors import national_report
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


def _marked_texts(reader: PdfReader) -> dict[tuple[int, int], str]:
    """The text drawn inside each marked-content sequence, by (page object number, MCID): what
    the structure tree's elements point at."""
    texts: dict[tuple[int, int], list[str]] = {}
    for page in reader.pages:
        assert page.indirect_reference is not None
        number = page.indirect_reference.idnum
        open_ids: list[int | None] = []

        def before(
            op: bytes, args: Any, cm: Any, tm: Any, into: list[int | None] = open_ids
        ) -> None:
            if op == b"BDC":
                props = args[1].get_object() if len(args) > 1 else None
                mcid = props.get("/MCID") if isinstance(props, DictionaryObject) else None
                into.append(None if mcid is None else int(mcid))
            elif op == b"BMC":
                into.append(None)
            elif op == b"EMC" and into:
                into.pop()

        def text(
            value: str,
            cm: Any,
            tm: Any,
            font: Any,
            size: Any,
            page: int = number,
            within: list[int | None] = open_ids,
        ) -> None:
            mcid = next((m for m in reversed(within) if m is not None), None)
            if mcid is not None and value:
                texts.setdefault((page, mcid), []).append(value)

        page.extract_text(visitor_operand_before=before, visitor_text=text)
    return {key: "".join(parts) for key, parts in texts.items()}


def _headings(reader: PdfReader) -> list[tuple[str, str]]:
    """The heading elements (H1...H6) of the structure tree in reading order, with the text
    they tag, spaces collapsed."""
    texts = _marked_texts(reader)
    found: list[tuple[str, str]] = []

    def content(node: Any, page: int | None) -> str:
        node = node.get_object() if isinstance(node, IndirectObject) else node
        if isinstance(node, ArrayObject):
            return " ".join(content(kid, page) for kid in node)
        if isinstance(node, int):
            return texts.get((page or 0, int(node)), "")
        if isinstance(node, DictionaryObject):
            if "/Pg" in node:
                page = node.raw_get("/Pg").idnum
            if "/MCID" in node:
                mcid: Any = node["/MCID"]
                return texts.get((page or 0, int(mcid)), "")
            return content(node.get("/K", ArrayObject()), page)
        return ""

    def walk(node: Any, page: int | None) -> None:
        node = node.get_object() if isinstance(node, IndirectObject) else node
        if isinstance(node, ArrayObject):
            for kid in node:
                walk(kid, page)
        elif isinstance(node, DictionaryObject):
            if "/Pg" in node:
                page = node.raw_get("/Pg").idnum
            tag = str(node.get("/S", "")).lstrip("/")
            if tag in {"H1", "H2", "H3", "H4", "H5", "H6"}:
                found.append((tag, " ".join(content(node["/K"], page).split())))
            elif "/K" in node:
                walk(node["/K"], page)

    walk(reader.root_object["/StructTreeRoot"], None)
    return found


def _unspaced(headings: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Headings compared without their spaces: a line broken at a space and one broken after
    a slash both reach the tag tree as two runs of text with nothing between them."""
    return [(tag, "".join(text.split())) for tag, text in headings]


def _check_headings(data: bytes, name: str) -> list[tuple[str, str]]:
    """One H1, first; no level skipped on the way down (H2 after H1, H3 after an H2...)."""
    found = _headings(PdfReader(io.BytesIO(data)))
    levels = [int(tag[1]) for tag, _text in found]
    assert levels and levels[0] == 1 and levels.count(1) == 1, (name, found[:3])
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), (name, levels)
    assert all(text for _tag, text in found), (name, found)
    print(f"{name}: {len(found)} headings {Counter(tag for tag, _text in found)}")
    for tag, text in found[:8]:
        print(f"  {tag} {text[:90]}")
    return found


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
    assert _check_headings(signed, "receipt (signed)") == [("H1", "BIÊN NHẬN")]

    report = PdfReader(io.BytesIO(signed)).attachments["bao-cao-01.pdf"][0]
    tree = _check_tagged(
        report, f"{campaign.report_title} - {hanoi.unit.full_name}", "province's report"
    )
    assert "Table" in {t.strip() for t in tree}
    # The outline as the headings a screen reader lists: each section an H2 under the H1,
    # each point of it (with its marker) an H3 under the section.
    outline: list[tuple[str, str]] = []
    for section in campaign.sections.prefetch_related("points"):
        outline.append(("H2", " ".join(f"{section.number}. {section.title}".split())))
        outline += [
            ("H3", " ".join(f"{p.marker} {p.text}".split()))
            for p in section.points.all()
            if p.marker
        ]
    assert _unspaced(_check_headings(report, "province's report")) == _unspaced(
        [
            ("H1", "BÁO CÁO"),
            *outline,
            ("H2", "Thông tin theo yêu cầu của Công văn"),
            ("H2", f"PHỤ LỤC {campaign.report_title}"),
        ]
    )
    assert (
        "H3",
        "- Đánh giá trong công tác kiểm soát chi: việc tuân thủ các quy định/chưa "
        "tuân thủ quy định (nếu có); những trường hợp bị Kho bạc Nhà nước từ chối chi "
        "(nếu có).",
    ) in outline

    version = consolidation_run(actor=cast(Role.MINISTRY_COORDINATOR), campaign=campaign)
    national = render_national_report(version)
    tree = _check_tagged(
        national, f"Báo cáo toàn quốc {campaign.number} v{version.number}", "national report"
    )
    assert "Table" in {t.strip() for t in tree}
    headings = _check_headings(national, "national report")
    title = campaign.report_title
    with translation.override("vi"):
        listings = [str(x.label) for x in national_report(version).listings]
    assert listings  # one H3 per text column of the appendix that a province filled
    assert _unspaced(headings) == _unspaced(
        [
            ("H1", "BÁO CÁO TỔNG HỢP TOÀN QUỐC"),
            ("H2", "I. Tình hình tổng hợp báo cáo"),
            ("H2", "II. Kinh phí"),
            ("H2", "III. Tỷ lệ đạt và hiệu suất sử dụng trang thiết bị"),
            ("H2", "IV. Tồn tại, hạn chế và các trường hợp Kho bạc Nhà nước từ chối chi"),
            ("H2", "V. Ý kiến đánh giá của các địa phương theo đề cương"),
            # Section V: the outline one level down, a section an H3 and its points H4.
            *((f"H{int(tag[1]) + 1}", text) for tag, text in outline),
            ("H2", "VI. Nội dung các cột thuyết minh của phụ lục, theo từng tỉnh, thành phố"),
            *(("H3", text) for text in listings),
            ("H2", f"PHỤ LỤC 1 TỔNG HỢP SỐ LIỆU PHỤ LỤC CỦA CÁC TỈNH, THÀNH PHỐ {title}"),
            ("H2", "PHỤ LỤC 2 DANH SÁCH CÁC TỈNH, THÀNH PHỐ TRỰC THUỘC TRUNG ƯƠNG"),
        ]
    )
