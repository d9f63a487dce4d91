"""A registered certificate expiring within 30 days: its holder and the coordinators are
warned once."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.core import mail
from django.core.management import call_command

from core.enums import Role
from signatures.models import UserCertificate
from signatures.services import user_certificate_register

from ..cast import Cast
from .pki import DAY, NOW, issue, make_authority


def test_the_holder_and_the_coordinator_are_warned_once_30_days_ahead(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    authority = make_authority("CA", "http://127.0.0.1:9", "x", None)
    signatory = cast(Role.PROVINCIAL_SIGNATORY)
    soon = issue(authority, "Sắp Hết Hạn", not_after=NOW + 20 * DAY)
    later = issue(authority, "Còn Lâu", not_after=NOW + 90 * DAY)
    user_certificate_register(user=signatory, certificate=soon.der)
    user_certificate_register(user=signatory, certificate=later.der)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("warn_certificate_expiry", stdout=out)
    assert "1 certificate(s) warned about" in out.getvalue()
    recipients = sorted(address for m in mail.outbox for address in m.to)
    assert recipients == sorted([signatory.email, cast(Role.MINISTRY_COORDINATOR).email])
    day = (NOW + 20 * DAY).astimezone(datetime.UTC)
    assert all("hết hạn" in m.subject for m in mail.outbox)
    assert any(f"{day:%d/%m/%Y}" in m.body or "Sắp Hết Hạn" in m.body for m in mail.outbox)
    assert UserCertificate.objects.filter(expiry_warned_on__isnull=False).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        call_command("warn_certificate_expiry", stdout=io.StringIO())
    assert len(mail.outbox) == 2  # nothing sent twice
