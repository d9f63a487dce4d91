"""The campaign administrator's pages, as a browser would use them: a definition uploaded
(refused with every error by path, or saved as a draft), the draft previewed as a unit gets
it (and nothing of the preview kept), then opened."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaigns.models import Campaign
from core.enums import Role, Stage
from submissions.models import Submission

pytestmark = pytest.mark.django_db

DEFINITION_5137 = Path(__file__).resolve().parents[2] / "campaigns/data/campaign-5137-btc-nsnn.json"


def new_definition() -> dict[str, Any]:
    """Letter 5137's definition as the next letter: another code and number, two units."""
    data: dict[str, Any] = json.loads(DEFINITION_5137.read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    data.pop("$schema", None)
    data["code"] = "99-btc-th"
    data["letter"]["number"] = "99/BTC-TH"
    data["units"] = {"set": "2008-2025", "only": ["01", "48"]}
    return data


def upload(data: Any, name: str = "definition.json") -> SimpleUploadedFile:
    raw = data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode()
    return SimpleUploadedFile(name, raw, content_type="application/json")


@pytest.fixture
def admin_client(client: Any, make_user: Any) -> Any:
    client.force_login(make_user(Role.CAMPAIGN_ADMINISTRATOR, username="campaign.admin"))
    return client


def test_the_pages_are_the_campaign_administrators_only(client: Any, cast: Any) -> None:
    client.force_login(cast(Role.MINISTRY_COORDINATOR))
    assert client.get("/campaigns/").status_code == 404
    assert client.get("/campaigns/new/").status_code == 404


def test_the_list_shows_every_campaign_with_its_state(
    admin_client: Any, campaign: Campaign
) -> None:
    page = admin_client.get("/campaigns/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "5137/BTC-NSNN" in page
    assert "Đang mở" in page


def test_a_definition_with_mistakes_is_refused_with_each_path_and_nothing_saved(
    admin_client: Any, campaign: Campaign
) -> None:
    data = new_definition()
    data["deadline"]["date"] = "2020-01-01"  # before the letter
    data["process"][0]["kind"] = "ministry_check"  # not drafting first
    del data["letter"]["subject"]
    response = admin_client.post(
        "/campaigns/new/", {"file": upload(data)}, HTTP_ACCEPT_LANGUAGE="vi"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Định nghĩa chưa được lưu" in page
    assert "deadline" in page and "process[0]" in page and "letter" in page
    assert not Campaign.objects.filter(code="99-btc-th").exists()


def test_a_file_that_is_not_json_is_refused_with_its_line(admin_client: Any) -> None:
    response = admin_client.post(
        "/campaigns/new/", {"file": upload(b'{"code": "x",\n  oops}')}, HTTP_ACCEPT_LANGUAGE="vi"
    )
    page = response.content.decode()
    assert "Định nghĩa chưa được lưu" in page
    assert "2" in page  # the line of the mistake
    assert Campaign.objects.count() == 1


def test_a_valid_definition_becomes_a_draft_previewed_then_opened(
    admin_client: Any, campaign: Campaign, make_user: Any
) -> None:
    make_user(Role.DRAFTER, "01", username="hn.d", email="hn.d@example.vn")
    response = admin_client.post("/campaigns/new/", {"file": upload(new_definition())})
    assert response.status_code == 302
    draft = Campaign.objects.get(code="99-btc-th")
    assert response["Location"] == f"/campaigns/{draft.code}/"
    assert draft.state == Campaign.State.DRAFT
    assert draft.units.count() == 2
    assert draft.columns.count() == campaign.columns.count()

    detail = admin_client.get(f"/campaigns/{draft.code}/", HTTP_ACCEPT_LANGUAGE="vi")
    assert "Bản nháp" in detail.content.decode()

    # The drafting page as Hà Nội's drafter will get it; nothing of it is kept.
    appendix = admin_client.get(f"/campaigns/{draft.code}/preview/appendix/")
    assert appendix.status_code == 200
    html = appendix.content.decode()
    assert 'id="preview-banner"' in html
    assert "Kinh phí đã bố trí" in html
    assert 'id="save-appendix"' not in html
    narrative = admin_client.get(f"/campaigns/{draft.code}/preview/narrative/")
    assert narrative.status_code == 200
    workbook = admin_client.get(f"/campaigns/{draft.code}/preview/appendix.xlsx")
    assert workbook.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).worksheets[0]
    texts = {str(c.value) for row in sheet.iter_rows() for c in row if c.value}
    assert "Kinh phí đã thực hiện" in texts
    assert not Submission.objects.filter(campaign=draft).exists()

    opened = admin_client.post(f"/campaigns/{draft.code}/move/open/", follow=True)
    assert "99/BTC-TH" in opened.content.decode()
    draft.refresh_from_db()
    assert draft.state == Campaign.State.OPEN
    assert sorted(Submission.objects.filter(campaign=draft).values_list("unit__code", "stage")) == [
        ("01", Stage.DRAFTING),
        ("48", Stage.DRAFTING),
    ]
    # An open campaign's definition is no longer replaced.
    again = admin_client.post(
        "/campaigns/new/", {"file": upload(new_definition())}, HTTP_ACCEPT_LANGUAGE="vi"
    )
    assert "Định nghĩa chưa được lưu" in again.content.decode()


def test_the_next_campaign_starts_from_a_copy(admin_client: Any, campaign: Campaign) -> None:
    response = admin_client.get(f"/campaigns/{campaign.code}/copy/")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["code"] != campaign.code
    assert data["appendix"] == campaign.definition["appendix"]
