"""``manage.py validate_campaign <file>``: each error as ``path: message`` and status 1, or a
one-line summary."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from campaigns.definition import MAX_BYTES
from campaigns.models import Campaign

from .test_definition import FILE_5137, definition_5137


def test_the_5137_file_is_valid(campaign: Campaign) -> None:
    out = io.StringIO()
    call_command("validate_campaign", str(FILE_5137), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines == [
        f"{FILE_5137} hợp lệ: đợt báo cáo 5137-btc-nsnn, công văn 5137/BTC-NSNN; 15 dòng phụ "
        "lục, 32 cột (23 cột lá), 12 điểm đề cương, 5 bước."
    ]


def test_each_error_is_printed_by_its_path_and_the_status_is_1(
    campaign: Campaign, tmp_path: Path
) -> None:
    data = definition_5137()
    del data["letter"]["number"]
    data["process"][0]["kind"] = "consolidation"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("validate_campaign", str(bad), stdout=out)
    assert failed.value.returncode == 1
    assert str(failed.value) == f"{bad}: 3 lỗi."
    assert out.getvalue().splitlines() == [
        "letter.number: Thiếu mục bắt buộc này.",
        "process[0].kind: Quy trình phải bắt đầu bằng bước soạn thảo (drafting).",
        "process[0].kind: Bước tổng hợp chỉ có một lần, ở cuối quy trình.",
    ]


def test_a_file_too_large_or_missing_is_refused(campaign: Campaign, tmp_path: Path) -> None:
    large = tmp_path / "large.json"
    large.write_bytes(b" " * (MAX_BYTES + 10))
    out = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("validate_campaign", str(large), stdout=out)
    assert failed.value.returncode == 1
    assert out.getvalue().startswith("$: Tệp lớn hơn mức 1,0\xa0MB")
    with pytest.raises(CommandError, match="Không đọc được"):
        call_command("validate_campaign", str(tmp_path / "none.json"), stdout=out)
