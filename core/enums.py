"""The words of the engine: the stages a submission passes, the roles people hold, the
actions they take. This module imports no app of the project, so every app may use it.
"""

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


class Role(models.TextChoices):
    DRAFTER = "drafter", _("Drafter")
    DEPARTMENT_REVIEWER = "department_reviewer", _("Department reviewer")
    PROVINCIAL_SIGNATORY = "provincial_signatory", _("Provincial signatory")
    MINISTRY_CHECKER = "ministry_checker", _("Ministry checker")
    MINISTRY_COORDINATOR = "ministry_coordinator", _("Ministry coordinator")
    CAMPAIGN_ADMINISTRATOR = "campaign_administrator", _("Campaign administrator")
    ADMINISTRATOR = "administrator", _("Administrator")


class Action(models.TextChoices):
    SUBMIT = "submit", _("Submit for review")
    APPROVE = "approve", _("Approve")
    SIGN = "sign", _("Sign off")
    ACCEPT = "accept", _("Accept")
    RETURN = "return", _("Return")
    CONSOLIDATE = "consolidate", _("Consolidate")
    REOPEN = "reopen", _("Reopen")


# Where a province, or one stage of its report, stands against its due day (the words only;
# the rule that gives it is workflow.deadlines.status_at).
class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OVERDUE = "overdue", _("Overdue")
    DONE_ON_TIME = "done_on_time", _("Done on time")
    DONE_LATE = "done_late", _("Done late")
