"""The stages a submission passes through (DESIGN.md, "Stages")."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    DRAFTING = "drafting", _("Drafting")
    DEPARTMENT_REVIEW = "department_review", _("Department review")
    PROVINCIAL_SIGNOFF = "provincial_signoff", _("Provincial sign-off")
    MINISTRY_CHECK = "ministry_check", _("Ministry check")
    CONSOLIDATION = "consolidation", _("Awaiting consolidation")
    CONSOLIDATED = "consolidated", _("Consolidated")
