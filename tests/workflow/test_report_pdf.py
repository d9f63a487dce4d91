"""The submission's official PDF: the appendix with the letter's 17 columns, all on the page."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from receipts import pdf
from submissions import services
from submissions.models import Submission

from ..cast import fill_complete
from ..helpers import line_by_code


def _words(path: Path) -> list[tuple[float, float, str]]:
    """Every word of the PDF as poppler places it: (right edge, page width, text)."""
    html = subprocess.run(  # noqa: S603 - our own arguments, no shell
        ["pdftotext", "-bbox", str(path), "-"],  # noqa: S607 - poppler-utils on the PATH
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    words = []
    for page in html.split("<page ")[1:]:
        width = float(re.search(r'width="([\d.]+)"', page).group(1))  # type: ignore[union-attr]
        for x_max, text in re.findall(r'xMax="([\d.]+)"[^>]*>([^<]*)</word>', page):
            words.append((float(x_max), width, text))
    return words


def test_the_appendix_shows_every_column_of_the_letter_within_the_page(
    hanoi: Submission, drafter: Any, tmp_path: Path
) -> None:
    fill_complete(hanoi, drafter)
    hanoi.refresh_from_db()
    line = line_by_code(hanoi, "1.3")
    services.appendix_save(
        actor=drafter,
        submission=hanoi,
        revision=hanoi.revision,
        values={line.pk: {"infrastructure_status": "Chưa có trung tâm dữ liệu dự phòng"}},
    )
    path = tmp_path / "bao-cao.pdf"
    path.write_bytes(pdf.render_report(hanoi))

    reader = PdfReader(io.BytesIO(path.read_bytes()))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Thực trạng cơ sở vật chất so với mục tiêu, chủ trương về ứng dụng CNTT, CPĐT" in text
    assert "Chưa có trung tâm dữ liệu dự phòng" in text
    assert "Nguồn từ CTMT CNTT" in text
    # The last column, "Khó khăn/ Đề xuất", and everything else stay inside the page.
    assert "Khó khăn/ Đề xuất" in text
    outside = [(x, width, word) for x, width, word in _words(path) if x > width]
    assert outside == []
