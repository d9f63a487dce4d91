"""Whether a signature is required is the campaign's choice (its definition's ``signatures``
part); a definition that says nothing follows the settings."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from campaigns.models import Campaign
from core.enums import Action, Role, Stage
from signatures.models import SignedDocument
from submissions.models import Submission
from workflow import signoff
from workflow.services import TransitionError, submission_transition
from workflow.transitions import PROCESS

from ..cast import Cast, drive_to
from .conftest import Signoff
from .pki import Pki

SIGN = PROCESS.find(Stage.PROVINCIAL_SIGNOFF, Action.SIGN)


def _declare(campaign: Campaign, **part: Any) -> None:
    campaign.definition = {**campaign.definition, "signatures": part}
    campaign.save(update_fields=["definition"])


@pytest.mark.parametrize(
    ("part", "setting", "required"),
    [
        ({}, False, False),
        ({}, True, True),
        ({"signoff": "personal"}, False, True),
        ({"signoff": "none"}, True, False),
        ({"national_report": "none"}, True, True),
    ],
)
def test_the_campaign_decides_and_the_setting_is_the_default(
    campaign: Campaign, settings: Any, part: dict[str, str], setting: bool, required: bool
) -> None:
    settings.SIGNOFF_REQUIRES_PERSONAL_SIGNATURE = setting
    _declare(campaign, **part)
    assert SIGN is not None
    assert signoff.signature_required(SIGN, campaign) is required
    submit = PROCESS.find(Stage.DRAFTING, Action.SUBMIT)
    assert submit is not None and not signoff.signature_required(submit, campaign)


def test_the_5137_definition_says_nothing_so_the_setting_applies(
    campaign: Campaign, settings: Any
) -> None:
    assert "signatures" not in campaign.definition
    settings.SIGNOFF_ORGANISATION_SIGNATURE = "required"
    assert signoff.organisation_mode(campaign) == "required"
    assert signoff.national_report_signable(campaign)
    _declare(campaign, organisation="off", national_report="none")
    assert signoff.organisation_mode(campaign) == "off"
    assert not signoff.national_report_signable(campaign)


def test_a_campaign_requiring_the_signature_refuses_the_button_alone(
    hanoi: Submission, cast: Cast, settings: Any
) -> None:
    settings.SIGNOFF_REQUIRES_PERSONAL_SIGNATURE = False
    _declare(hanoi.campaign, signoff="personal")
    drive_to(hanoi, Stage.PROVINCIAL_SIGNOFF, cast)
    with (
        translation.override("vi"),
        pytest.raises(TransitionError, match="cần chữ ký số của đồng chí"),
    ):
        submission_transition(
            actor=cast(Role.PROVINCIAL_SIGNATORY),
            submission=hanoi,
            action=Action.SIGN,
            expected_stage=Stage.PROVINCIAL_SIGNOFF,
        )
    hanoi.refresh_from_db()
    assert hanoi.stage == Stage.PROVINCIAL_SIGNOFF


def test_a_campaign_not_requiring_it_signs_off_with_the_button(
    signoff: Signoff, settings: Any
) -> None:
    assert settings.SIGNOFF_REQUIRES_PERSONAL_SIGNATURE  # the fixture's server setting
    _declare(signoff.submission.campaign, signoff="none")
    submission_transition(
        actor=signoff.signatory,
        submission=signoff.submission,
        action=Action.SIGN,
        expected_stage=Stage.PROVINCIAL_SIGNOFF,
    )
    signoff.submission.refresh_from_db()
    assert signoff.submission.stage == Stage.MINISTRY_CHECK
    assert not SignedDocument.objects.exists()


def test_the_campaigns_organisation_choice_is_the_one_checked(
    signoff: Signoff, pki: Pki, settings: Any
) -> None:
    settings.SIGNOFF_ORGANISATION_SIGNATURE = "optional"
    _declare(signoff.submission.campaign, signoff="personal", organisation="required")
    signed = pki.valid.sign(signoff.prepared_bytes())
    with translation.override("vi"), pytest.raises(TransitionError, match="cơ quan ban hành"):
        submission_transition(
            actor=signoff.signatory,
            submission=signoff.submission,
            action=Action.SIGN,
            expected_stage=Stage.PROVINCIAL_SIGNOFF,
            signed_pdf=signed,
        )
    assert not SignedDocument.objects.exists()
