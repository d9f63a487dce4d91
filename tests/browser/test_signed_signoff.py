"""The provincial sign-off with the signatory's own signature, in a real browser: the report
to sign downloaded, signed with a PKCS#12 certificate (as an outside tool would), uploaded;
the timeline and the receipt name the signer; /verify/ recognises the signed report. And the
same step from the review page, signed in the browser flow with the certificate file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from campaigns.models import Campaign
from core.enums import Role, Stage
from signatures.services import trust_anchor_add, user_certificate_register
from submissions.models import Submission
from workflow.services import submission_start

from ..cast import drive_to, make_cast
from ..signatures.pki import PASSWORD, CrlServer, Pki, make_pki

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pki() -> Iterator[Pki]:
    server = CrlServer()
    yield make_pki(server)
    server.stop()


def _at_signoff(make_user: Any, pki: Pki) -> tuple[Submission, User]:
    """Hà Nội's report at the sign-off, its signatory's certificate registered, the trust list
    loaded."""
    campaign = Campaign.objects.get(code="5137-btc-nsnn")
    submission = submission_start(campaign=campaign, unit=campaign.units.get(code="01"))
    cast = make_cast(make_user)
    drive_to(submission, Stage.PROVINCIAL_SIGNOFF, cast)
    signatory = cast(Role.PROVINCIAL_SIGNATORY)
    signatory.first_name, signatory.last_name = "Nguyễn Văn", "Ký"
    signatory.save()
    root, intermediate = pki.anchors()
    trust_anchor_add(name="Root", certificate=root)
    trust_anchor_add(name="Intermediate", certificate=intermediate, kind="intermediate")
    user_certificate_register(user=signatory, certificate=pki.valid.der)
    return submission, signatory


def _log_in(page: Any, base: str, user: User) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "secret-password")
    page.click("form button[type=submit].w-100")


def test_the_signatory_signs_the_report_and_uploads_it(
    page: Any, live_app: Any, make_user: Any, pki: Pki, settings: Any, tmp_path: Path
) -> None:
    settings.SIGNOFF_REQUIRES_PERSONAL_SIGNATURE = True
    submission, signatory = _at_signoff(make_user, pki)
    base = live_app.url
    _log_in(page, base, signatory)
    page.goto(f"{base}{submission.get_absolute_url()}")
    with page.expect_download() as download:
        page.click("#signing-copy")
    prepared = Path(download.value.path()).read_bytes()
    signed = tmp_path / "bao-cao-da-ky.pdf"
    signed.write_bytes(pki.valid.sign(prepared))  # the signing tool, with the PKCS#12 file

    page.set_input_files("#signed-pdf", str(signed))
    page.click("#do-sign")
    assert page.locator(".alert").first.inner_text().startswith("Đã thực hiện")
    assert page.locator("#stage").inner_text() == "Bộ Tài chính kiểm tra"
    timeline = page.locator("#timeline").inner_text()
    assert "Đã ký số bằng chứng thư" in timeline and "Nguyễn Văn Ký" in timeline

    page.locator("#timeline .receipt a", has_text="kiểm tra").last.click()
    assert "Nguyễn Văn Ký" in page.locator("#signer").inner_text()

    page.goto(f"{base}/verify/")
    page.set_input_files("#id_file", str(signed))
    page.click("form button[type=submit].btn-primary")
    verdict = page.locator("#verdict").inner_text()
    assert "Nguyễn Văn Ký" in verdict and "vẫn được xác thực" in verdict


def test_the_signatory_signs_with_a_certificate_file_from_the_review_page(
    page: Any, live_app: Any, make_user: Any, pki: Pki, settings: Any, tmp_path: Path
) -> None:
    settings.SIGNOFF_REQUIRES_PERSONAL_SIGNATURE = True
    submission, signatory = _at_signoff(make_user, pki)
    certificate_file = tmp_path / "chu-ky.p12"
    certificate_file.write_bytes(pki.valid.pkcs12())
    base = live_app.url
    _log_in(page, base, signatory)
    page.goto(base + reverse("reviews:review", args=[submission.pk]))
    decision = page.locator("#decision")
    decision.locator("#sign-with-pkcs12 summary").click()
    page.set_input_files("#pkcs12-file", str(certificate_file))
    # A wrong password first: refused in Vietnamese, nothing done.
    page.fill("#pkcs12-password", "khong-dung")
    decision.locator("button[name=action][value=sign]").click()
    assert "mật khẩu không đúng" in page.locator(".alert").first.inner_text()
    assert page.locator("#stage").inner_text() == "UBND tỉnh ký duyệt"

    page.goto(base + reverse("reviews:review", args=[submission.pk]))
    decision.locator("#sign-with-pkcs12 summary").click()
    page.set_input_files("#pkcs12-file", str(certificate_file))
    page.fill("#pkcs12-password", PASSWORD.decode())
    decision.locator("button[name=action][value=sign]").click()
    assert page.locator(".alert").first.inner_text().startswith("Đã thực hiện")
    assert page.locator("#stage").inner_text() == "Bộ Tài chính kiểm tra"
    timeline = page.locator("#timeline").inner_text()
    assert "Đã ký số bằng chứng thư" in timeline and "Nguyễn Văn Ký" in timeline
