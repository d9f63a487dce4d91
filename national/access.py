"""Who may see the national report and who may consolidate: the one place national views ask.

Built on workflow.access: the coordinator (national scope) consolidates; a ministry
checker reads the report. Anyone else, a province's users included, gets a 404.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from campaigns.models import Campaign
from core.enums import Role
from signatures.models import UserCertificate
from workflow import access, signoff
from workflow.access import AnyUser

from .models import NationalVersion


def can_consolidate(user: AnyUser) -> bool:
    return access.is_national(user)


def can_sign_version(user: AnyUser, version: NationalVersion) -> bool:
    """The ministry's signer: a coordinator with a registered signing certificate, on a
    campaign whose national report is signed (its definition), a version not yet signed."""
    return (
        access.is_national(user)
        and user.pk is not None
        and signoff.national_report_signable(version.campaign)
        and UserCertificate.objects.filter(user_id=user.pk, active=True).exists()
        and not hasattr(version, "signature")
    )


def can_view_national_report(user: AnyUser) -> bool:
    """The coordinator, and ministry checkers (whatever provinces their desk holds)."""
    if access.is_national(user):
        return True
    return access.holds_unit_role(user, Role.MINISTRY_CHECKER)


def get_campaign_for_report_or_404(user: AnyUser, code: str) -> Campaign:
    if not can_view_national_report(user):
        raise Http404
    return get_object_or_404(Campaign.objects.started(), code=code)


def get_version_for_user_or_404(user: AnyUser, code: str, number: int) -> NationalVersion:
    campaign = get_campaign_for_report_or_404(user, code)
    return get_object_or_404(
        NationalVersion.objects.select_related("campaign", "created_by"),
        campaign=campaign,
        number=number,
    )
