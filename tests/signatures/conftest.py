"""The test PKI (made once per session, its CRLs served on the loopback), the trust list and a
Hà Nội report waiting for its signatory's signature."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User

from core.enums import Role, Stage
from national.models import NationalVersion
from national.services import consolidation_run
from receipts.signoff import report_prepare_for_signing
from signatures.models import PreparedDocument
from signatures.services import trust_anchor_add, user_certificate_register
from submissions.models import Submission

from ..cast import Cast, drive_to
from .pki import CrlServer, Pki, make_pki


@pytest.fixture(scope="session")
def crl_server() -> Iterator[CrlServer]:
    server = CrlServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pki(crl_server: CrlServer) -> Pki:
    return make_pki(crl_server)


@pytest.fixture
def trust_list(db: None, pki: Pki) -> None:
    """The administrator loaded the test root and its intermediate."""
    root, intermediate = pki.anchors()
    trust_anchor_add(name="Root CA thử nghiệm", certificate=root, kind="root")
    trust_anchor_add(name="CA cấp dưới", certificate=intermediate, kind="intermediate")


@dataclass
class Signoff:
    submission: Submission
    signatory: User
    cast: Cast

    def prepare(self) -> PreparedDocument:
        return report_prepare_for_signing(submission=self.submission, signer=self.signatory)

    def prepared_bytes(self) -> bytes:
        with self.prepare().pdf.open("rb") as fh:
            return bytes(fh.read())


@pytest.fixture
def signoff(hanoi: Submission, cast: Cast, pki: Pki, trust_list: None, settings: Any) -> Signoff:
    """Hà Nội's report at the provincial sign-off, a personal signature required, and the
    signatory's certificates registered (the bad ones too: each is refused for its own
    reason); another person's certificate registered to the reviewer."""
    settings.SIGNOFF_REQUIRES_PERSONAL_SIGNATURE = True
    drive_to(hanoi, Stage.PROVINCIAL_SIGNOFF, cast)
    signatory = cast(Role.PROVINCIAL_SIGNATORY)
    signatory.first_name, signatory.last_name = "Nguyễn Văn", "Ký"
    signatory.save()
    for holder in (
        pki.valid,
        pki.expired,
        pki.revoked,
        pki.wrong_usage,
        pki.untrusted,
        pki.unreachable_crl,
    ):
        user_certificate_register(user=signatory, certificate=holder.der)
    user_certificate_register(user=cast(Role.DEPARTMENT_REVIEWER), certificate=pki.another_user.der)
    return Signoff(hanoi, signatory, cast)


@pytest.fixture
def version(hanoi: Submission, cast: Cast, trust_list: None) -> NationalVersion:
    """Version 1 of the national report, with Hà Nội in it."""
    drive_to(hanoi, Stage.CONSOLIDATION, cast)
    return consolidation_run(actor=cast(Role.MINISTRY_COORDINATOR), campaign=hanoi.campaign)


@pytest.fixture
def coordinator(cast: Cast, pki: Pki) -> User:
    """The ministry's signer: the coordinator, with a certificate registered to them."""
    user = cast(Role.MINISTRY_COORDINATOR)
    user.first_name, user.last_name = "Trần Thị", "Điều Phối"
    user.save()
    user_certificate_register(user=user, certificate=pki.coordinator.der)
    user_certificate_register(user=user, certificate=pki.revoked.der)
    return user
