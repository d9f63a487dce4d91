"""The other reads and writes: submission detail with its timeline and receipts, the
narrative, attachments, the dashboard's figures, the national versions, the schema."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import yaml
from django.core.management import call_command
from django.utils import translation

from core.enums import Role, Stage
from national.services import consolidation_run
from submissions.models import Submission

from ..cast import Cast, drive_to
from ..submissions.test_attachments import PDF
from .conftest import problem

SCHEMA = Path(__file__).resolve().parents[2] / "api" / "openapi.yaml"


def test_detail_has_deadlines_next_roles_and_timeline_with_receipts(
    api_as: Any, hanoi: Submission, cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # the receipts' PDFs
        drive_to(hanoi, Stage.PROVINCIAL_SIGNOFF, cast)
    body = api_as(cast(Role.PROVINCIAL_SIGNATORY)).get(f"/api/v1/submissions/{hanoi.pk}/").json()
    assert body["stage"] == Stage.PROVINCIAL_SIGNOFF
    assert body["next_roles"] == [Role.PROVINCIAL_SIGNATORY]
    assert [a["action"] for a in body["actions"]] == ["sign", "return"]
    assert {s["stage"] for s in body["stages"]} >= {Stage.DRAFTING, Stage.DEPARTMENT_REVIEW}
    assert body["standing"]["status"]
    assert [t["action"] for t in body["timeline"]] == ["submit", "approve"]
    receipt = body["timeline"][0]["receipt"]
    assert receipt["number"].endswith("/BN-5137")
    first = hanoi.receipts.order_by("number").first()
    assert first is not None
    assert receipt["verification_url"].endswith(f"/verify/{first.token}/")
    listed = api_as(cast(Role.DRAFTER)).get(f"/api/v1/submissions/{hanoi.pk}/receipts/").json()
    assert [r["number"] for r in listed] == [t["receipt"]["number"] for t in body["timeline"]]
    pdf = api_as(cast(Role.DRAFTER)).get(
        f"/api/v1/submissions/{hanoi.pk}/receipts/{listed[0]['id']}/pdf/"
    )
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_narrative_round_trip(api_as: Any, hanoi: Submission, cast: Cast) -> None:
    client = api_as(cast(Role.DRAFTER))
    url = f"/api/v1/submissions/{hanoi.pk}/narrative/"
    body = client.get(url).json()
    code = body["sections"][0]["points"][0]["code"]
    saved = client.patch(
        url,
        {
            "revision": 0,
            "answers": {code: "Đánh giá"},
            "treasury_refusal_count": 2,
            "treasury_refusal_amount": "12.5",
            "problem_kinds": [],
        },
        format="json",
    )
    assert saved.status_code == 200, saved.content
    assert saved.json()["sections"][0]["points"][0]["answer"] == "Đánh giá"
    assert saved.json()["treasury_refusal_amount"] == "12.500"
    bad = client.patch(
        url,
        {"revision": 1, "answers": {"nope": "x"}, "treasury_refusal_count": -1},
        format="json",
    )
    assert bad.status_code == 400
    fields = {e["field"] for e in problem(bad)["errors"]}
    assert "answers.nope" in fields
    hanoi.refresh_from_db()
    assert hanoi.revision == 1


def test_attachment_upload_checks_content(api_as: Any, hanoi: Submission, cast: Cast) -> None:
    client = api_as(cast(Role.DRAFTER))
    url = f"/api/v1/submissions/{hanoi.pk}/attachments/"
    fake = io.BytesIO(b"MZ not a pdf at all")
    fake.name = "bao-cao.pdf"
    refused = client.post(url, {"revision": 0, "file": fake}, format="multipart")
    assert refused.status_code == 400
    assert problem(refused)["errors"][0]["field"] == "file"
    pdf = io.BytesIO(PDF)
    pdf.name = "bao-cao.pdf"
    done = client.post(url, {"revision": 0, "file": pdf}, format="multipart")
    assert done.status_code == 201, done.content
    assert client.get(url).json()[0]["original_name"] == "bao-cao.pdf"


def test_dashboard_figures_and_etag(api_as: Any, hanoi: Submission, cast: Cast) -> None:
    drive_to(hanoi, Stage.MINISTRY_CHECK, cast)
    client = api_as(cast(Role.MINISTRY_COORDINATOR))
    url = "/api/v1/monitoring/5137-btc-nsnn/dashboard/"
    first = client.get(url)
    body = first.json()
    assert body["rates"]["expected"] == 63 and body["rates"]["actual"] == 1
    rows = {r["code"]: r for r in body["rows"]}
    assert rows["01"]["stage"] == Stage.MINISTRY_CHECK and rows["01"]["submission"] == hanoi.pk
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    only = client.get(url + "?stage=ministry_check").json()
    assert only["count"] == 1 and only["rates"]["expected"] == 63
    paged = client.get(url + "?page_size=50&page=2").json()
    assert paged["count"] == 63 and len(paged["rows"]) == 13 and paged["next"] is None
    assert len(body["rows"]) == 63  # 100 a page by default


def test_national_versions_and_figures(api_as: Any, hanoi: Submission, cast: Cast) -> None:
    drive_to(hanoi, Stage.CONSOLIDATED, cast)
    version = consolidation_run(campaign=hanoi.campaign, actor=cast(Role.MINISTRY_COORDINATOR))
    client = api_as(cast(Role.MINISTRY_CHECKER))
    listed = client.get("/api/v1/national/5137-btc-nsnn/versions/").json()
    assert [v["number"] for v in listed] == [version.number]
    detail = client.get(f"/api/v1/national/5137-btc-nsnn/versions/{version.number}/").json()
    scopes = {f["scope"] for f in detail["figures"]}
    assert scopes == {"row", "group", "total", "province"}
    total = next(f for f in detail["figures"] if f["scope"] == "total")
    assert total["values"]["provinces"] == 1
    assert [p["unit"] for p in detail["provinces"] if p["status"] == "included"] == ["01"]


def test_schema_is_valid_and_committed(db: None, tmp_path: Path) -> None:
    """``make api-schema`` (README, 'Web API') regenerates
    the committed copy; an API change shows as a diff of it."""
    out = tmp_path / "openapi.yaml"
    with translation.override("en"):
        call_command(
            "spectacular", "--validate", "--fail-on-warn", "--lang", "en", "--file", str(out)
        )
    generated = yaml.safe_load(out.read_text())
    assert generated == yaml.safe_load(SCHEMA.read_text()), (
        "api/openapi.yaml is out of date: regenerate it (README, 'Web API')"
    )
    assert "/api/v1/submissions/{id}/appendix/" in generated["paths"]


def test_docs_page_runs_offline_under_the_csp(client: Any, db: None) -> None:
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<style>" not in html and "<script>" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "Content-Security-Policy" in page
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
