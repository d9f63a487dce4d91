from __future__ import annotations

from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("Workflow")

    def ready(self) -> None:
        """Refuse to start when the viewflow flow and the declared process disagree; hand
        drafting the engine's rule of who may edit."""
        from . import flows  # the flow's module needs the app registry ready (its models)

        problems = flows.flow_disagreements(flows.PROCESS, flows.SubmissionFlow)
        if problems:
            raise ImproperlyConfigured(
                "workflow.flows.SubmissionFlow does not match the process declared in "
                "workflow/transitions.py: " + "; ".join(problems)
            )

        # Models import here only once the registry is ready; drafting learns the engine's
        # rule of who may edit (submissions.services.edit_rule_set), as it cannot import it.
        from submissions.services import edit_rule_set

        from .access import can_edit_submission

        edit_rule_set(can_edit_submission)
