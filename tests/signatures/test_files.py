"""A signed file is kept only with its step: a refused upload writes none, a step that fails after
writing it (its transaction rolled back) removes it, and verify_receipts --files reports a
file in the signatures folder that no document names."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import transaction

from core.enums import Action, Stage
from national.models import NationalVersion, VersionSignature
from national.services import version_prepare_for_signing, version_sign
from signatures.models import SignedDocument
from workflow.models import AuditRecord
from workflow.services import TransitionError, submission_transition
from workflow.signals import transition_done

from .conftest import Signoff
from .pki import Pki


def _signed_files() -> list[Path]:
    return sorted((Path(django_settings.MEDIA_ROOT) / "signatures" / "signed").glob("*"))


def _sign_off(signoff: Signoff, data: bytes) -> AuditRecord:
    return submission_transition(
        actor=signoff.signatory,
        submission=signoff.submission,
        action=Action.SIGN,
        expected_stage=Stage.PROVINCIAL_SIGNOFF,
        signed_pdf=data,
    )


class StepFailed(Exception):
    pass


@pytest.fixture
def failing_step() -> Iterator[None]:
    """A receiver of the step's signal that fails, as a receipt that cannot be issued would:
    after the signed file is written, inside the step's transaction."""

    def fail(**kwargs: Any) -> None:
        raise StepFailed("the receipt could not be issued")

    transition_done.connect(fail, dispatch_uid="tests.failing_step", weak=False)
    yield
    transition_done.disconnect(dispatch_uid="tests.failing_step")


def test_a_refused_upload_leaves_no_file(signoff: Signoff, pki: Pki) -> None:
    with pytest.raises(TransitionError):
        _sign_off(signoff, pki.revoked.sign(signoff.prepared_bytes()))
    assert _signed_files() == []


def test_a_step_rolled_back_after_the_file_was_written_leaves_no_file(
    signoff: Signoff, pki: Pki, failing_step: None
) -> None:
    signed = pki.valid.sign(signoff.prepared_bytes())
    with pytest.raises(StepFailed):
        _sign_off(signoff, signed)
    signoff.submission.refresh_from_db()
    assert signoff.submission.stage == Stage.PROVINCIAL_SIGNOFF
    assert not SignedDocument.objects.exists()
    assert _signed_files() == []


def test_the_signed_file_is_kept_with_its_step(signoff: Signoff, pki: Pki) -> None:
    _sign_off(signoff, pki.valid.sign(signoff.prepared_bytes()))
    (kept,) = _signed_files()
    assert SignedDocument.objects.get().pdf.name == f"signatures/signed/{kept.name}"


def test_a_national_version_refused_leaves_no_file(
    version: NationalVersion, coordinator: Any, pki: Pki
) -> None:
    prepared = version_prepare_for_signing(version=version, signer=coordinator)
    with prepared.pdf.open("rb") as fh:
        data = fh.read()
    with pytest.raises(Exception, match=r"thu hồi|revoked"):
        version_sign(actor=coordinator, version=version, signed_pdf=pki.revoked.sign(data))
    assert _signed_files() == [] and not VersionSignature.objects.exists()


def test_verify_receipts_reports_a_signed_file_no_document_names(
    signoff: Signoff, pki: Pki
) -> None:
    _sign_off(signoff, pki.valid.sign(signoff.prepared_bytes()))
    out = io.StringIO()
    call_command("verify_receipts", "--files", stdout=out)
    assert "no file in the signatures folder without its document" in out.getvalue()
    # A file left by a process that died between writing it and committing its step.
    left = Path(django_settings.MEDIA_ROOT) / "signatures" / "signed" / "left-behind.pdf"
    left.write_bytes(b"%PDF-1.7 left behind")
    with pytest.raises(CommandError, match=r"signatures folder that no document names.*left"):
        call_command("verify_receipts", "--files", stdout=io.StringIO())
    left.unlink()
    # A signed file changed on disk is named too.
    path = Path(SignedDocument.objects.get().pdf.path)
    path.write_bytes(path.read_bytes() + b"\n")
    with pytest.raises(CommandError, match="signed"):
        call_command("verify_receipts", "--files", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_a_failure_after_the_step_committed_keeps_its_file(signoff: Signoff, pki: Pki) -> None:
    """A callback run on commit that fails raises out of the step, but the step is recorded:
    its signed file stays."""

    def fail() -> None:
        raise StepFailed("after the commit")

    def fail_after_commit(**kwargs: Any) -> None:
        transaction.on_commit(fail)

    signed = pki.valid.sign(signoff.prepared_bytes())
    transition_done.connect(fail_after_commit, dispatch_uid="tests.after_commit", weak=False)
    try:
        with pytest.raises(StepFailed):
            _sign_off(signoff, signed)
    finally:
        transition_done.disconnect(dispatch_uid="tests.after_commit")
    signoff.submission.refresh_from_db()
    assert signoff.submission.stage == Stage.MINISTRY_CHECK
    (kept,) = _signed_files()
    assert SignedDocument.objects.get().pdf.name == f"signatures/signed/{kept.name}"
