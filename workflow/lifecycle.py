"""A campaign's life: draft → open → closed → archived (viewflow.fsm).

What each state allows is said once, on ``campaigns.Campaign`` (``is_editable``,
``accepts_drafting``, ``accepts_review``); this module is the only way between the states.

- **Open** (from a draft): every unit of the campaign gets its submission with its process
  started in drafting, and ``campaign_opened`` is sent in the same transaction, so the
  notifications app tells each unit's drafters; deadlines run from then on.
- **Close** (from open): drafting, submitting and reminders stop; reports already sent are
  still checked and consolidated, and the national report stays.
- **Archive** (from closed): everything becomes read-only.

Each move is one transaction: a refusal, or an error half way, changes nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from viewflow import fsm

from campaigns.models import Campaign

from . import access
from .services import submission_start
from .signals import campaign_opened
from .transitions import process_refusal

logger = logging.getLogger(__name__)

State = Campaign.State


class LifecycleError(Exception):
    """A move that was refused; the message is for the user, and nothing changed."""


def _has_units(lifecycle: CampaignLifecycle) -> bool:
    return lifecycle.campaign.units.exists()


def _has_appendix_or_outline(lifecycle: CampaignLifecycle) -> bool:
    campaign = lifecycle.campaign
    return campaign.rows.exists() or campaign.sections.exists()


class CampaignLifecycle:
    state = fsm.State(State, default=State.DRAFT)

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign

    @state.setter()
    def _state_set(self, value: str) -> None:
        self.campaign.state = value

    @state.getter()
    def _state_get(self) -> str:
        return self.campaign.state

    @state.on_success()
    def _state_saved(self, descriptor: Any, source: Any, target: Any, **kwargs: Any) -> None:
        self.campaign.save(update_fields=["state"])

    @state.transition(
        source=State.DRAFT, target=State.OPEN, conditions=[_has_units, _has_appendix_or_outline]
    )
    def open(self) -> int:
        started = 0
        for unit in self.campaign.units.order_by("code"):
            submission_start(campaign=self.campaign, unit=unit)
            started += 1
        return started

    @state.transition(source=State.OPEN, target=State.CLOSED)
    def close(self) -> None:
        pass

    @state.transition(source=State.CLOSED, target=State.ARCHIVED)
    def archive(self) -> None:
        pass


def _move(actor: User, campaign: Campaign, move: str) -> Any:
    if not access.can_administer_campaigns(actor):
        raise LifecycleError(_("Only a campaign administrator can open, close or archive it."))
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        lifecycle = CampaignLifecycle(locked)
        method = getattr(lifecycle, move)
        if not method.can_proceed(check_conditions=False):
            raise LifecycleError(refusal(locked, move))
        if not method.can_proceed():
            raise LifecycleError(
                _("The campaign has no units, or neither an appendix nor an outline to answer.")
            )
        if move == "open" and (why := process_refusal(locked.definition or {})):
            raise LifecycleError(why)
        result = method()
        if move == "open":
            campaign_opened.send(sender=Campaign, campaign=locked)
    campaign.state = locked.state
    logger.info("campaign %s: %s by %s", campaign.code, move, actor.username)
    return result


def refusal(campaign: Campaign, move: str) -> str:
    """Why ``move`` cannot be made from the campaign's state (in the user's language)."""
    messages = {
        "open": _("Only a draft can be opened; this campaign is %(state)s."),
        "close": _("Only an open campaign can be closed; this campaign is %(state)s."),
        "archive": _("Only a closed campaign can be archived; this campaign is %(state)s."),
    }
    return str(messages[move]) % {"state": campaign.get_state_display().lower()}


def campaign_move(*, actor: User, campaign: Campaign, move: str) -> int | None:
    """Make ``move`` ("open", "close" or "archive"); opening returns how many units started."""
    if move not in ("open", "close", "archive"):
        raise ValueError(move)
    result: int | None = _move(actor, campaign, move)
    return result


def campaign_open(*, actor: User, campaign: Campaign) -> int:
    """Open a draft: start its units' submissions and tell them. Returns how many started."""
    return campaign_move(actor=actor, campaign=campaign, move="open") or 0


def campaign_close(*, actor: User, campaign: Campaign) -> None:
    campaign_move(actor=actor, campaign=campaign, move="close")


def campaign_archive(*, actor: User, campaign: Campaign) -> None:
    campaign_move(actor=actor, campaign=campaign, move="archive")


def available_moves(campaign: Campaign) -> list[str]:
    """The moves the campaign's state allows now (the buttons to show)."""
    lifecycle = CampaignLifecycle(campaign)
    return [
        move
        for move in ("open", "close", "archive")
        if getattr(lifecycle, move).can_proceed(check_conditions=False)
    ]
