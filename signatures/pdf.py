"""The visible signature field of a document prepared for signing.

The document's template draws the signer's block where Decree 30/2020/NĐ-CP puts it (the
right-hand column after the text: the authority, the title, then room for the signature) and
marks it with an id; WeasyPrint turns the id into a named destination, which says on which
page and where the block is. The field is added there as an incremental update, so the
template stays the one home of the layout.
"""

from __future__ import annotations

import io
from typing import Any

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields

FIELD_WIDTH = 200.0
FIELD_HEIGHT = 70.0


def _named_destinations(tree: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    names = tree.get("/Names")
    if names is not None:
        items = [names[i] for i in range(len(names))]
        for key, value in zip(items[::2], items[1::2], strict=False):
            found[str(key)] = value.get_object()
    for kid in tree.get("/Kids", []):
        found.update(_named_destinations(kid.get_object()))
    return found


def _page_refs(node: Any) -> list[int]:
    refs = []
    for kid in node.get_object()["/Kids"]:
        obj = kid.get_object()
        if obj.get("/Type") == "/Pages":
            refs.extend(_page_refs(obj))
        else:
            refs.append(kid.idnum)
    return refs


def signature_place(pdf: bytes, anchor: str) -> tuple[int, tuple[int, int, int, int]]:
    """The page (from 0) and box of the signature at ``anchor``; the last page's lower right
    corner when the document has no such anchor."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    pages = _page_refs(reader.root["/Pages"])
    names = reader.root.get("/Names")
    dests = _named_destinations(names["/Dests"].get_object()) if names and "/Dests" in names else {}
    target = dests.get(anchor)
    if target is not None:
        page_ref, left, top = target.raw_get(0), float(target[2]), float(target[3])
        page = pages.index(page_ref.idnum)
        return page, (int(left), int(top - FIELD_HEIGHT), int(left + FIELD_WIDTH), int(top))
    return len(pages) - 1, (340, 60, 340 + int(FIELD_WIDTH), 60 + int(FIELD_HEIGHT))


def with_signature_field(pdf: bytes, *, field_name: str, anchor: str) -> bytes:
    """``pdf`` with an empty visible signature field at its signer's block."""
    page, box = signature_place(pdf, anchor)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    fields.append_signature_field(
        writer, fields.SigFieldSpec(sig_field_name=field_name, on_page=page, box=box)
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
