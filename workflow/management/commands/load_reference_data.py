from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from campaigns.reference import load_reference_data
from workflow.services import roles_ensure_groups


class Command(BaseCommand):
    help = "Load (or refresh) the administrative units, the campaigns and the role groups."

    def handle(self, *args: Any, **options: Any) -> None:
        campaigns = load_reference_data()
        roles_ensure_groups()
        for campaign in campaigns:
            self.stdout.write(
                f"{campaign.number}: {campaign.units.count()} units, "
                f"{campaign.rows.count()} appendix rows, {campaign.columns.count()} columns, "
                f"{campaign.sections.count()} outline sections"
            )
