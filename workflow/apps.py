from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("Workflow")

    def ready(self) -> None:
        # Models import here only once the registry is ready; drafting learns the engine's
        # rule of who may edit (submissions.services.edit_rule_set), as it cannot import it.
        from submissions.services import edit_rule_set

        from .access import can_edit_submission

        edit_rule_set(can_edit_submission)
