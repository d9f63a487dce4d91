"""Where each word of a PDF sits: poppler's pdftotext -bbox, parsed (points, origin top left)."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass

NS = "{http://www.w3.org/1999/xhtml}"
MM = 72 / 25.4  # points per millimetre


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class Page:
    number: int
    width: float
    height: float
    words: list[Word]

    def lines(self) -> list[list[Word]]:
        """The words grouped by baseline (same bottom within half a point), left to right."""
        rows: dict[int, list[Word]] = {}
        for word in self.words:
            rows.setdefault(round(word.y1 * 2), []).append(word)
        return [sorted(rows[k], key=lambda w: w.x0) for k in sorted(rows)]

    def text_lines(self) -> list[str]:
        return [" ".join(w.text for w in line) for line in self.lines()]


def pages(pdf: bytes) -> list[Page]:
    out = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"],  # noqa: S607 - poppler-utils on PATH
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout
    root = ET.fromstring(out)  # noqa: S314 - poppler's output for our own PDF
    return [
        Page(
            number=n,
            width=float(page.get("width", 0)),
            height=float(page.get("height", 0)),
            words=[
                Word(
                    w.text or "",
                    float(w.get("xMin", 0)),
                    float(w.get("yMin", 0)),
                    float(w.get("xMax", 0)),
                    float(w.get("yMax", 0)),
                )
                for w in page.iter(f"{NS}word")
            ],
        )
        for n, page in enumerate(root.iter(f"{NS}page"), start=1)
    ]
