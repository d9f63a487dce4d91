from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from submissions.models import Submission
from workflow.receipts import check_chain


class Command(BaseCommand):
    help = "Check every submission's receipt chain; exit non-zero naming the first broken one."

    def handle(self, *args: Any, **options: Any) -> None:
        checked = 0
        for submission in (
            Submission.objects.filter(receipts__isnull=False).distinct().order_by("pk")
        ):
            result = check_chain(submission)
            if not result.ok:
                number = result.receipt.display_number if result.receipt else "?"
                raise CommandError(f"{submission}: receipt {number}: {result.problem}")
            checked += 1
        self.stdout.write(f"{checked} receipt chain(s) intact")
