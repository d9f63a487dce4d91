"""Run the reminder sweep and the outbox sweep once: for cron or a systemd timer where no Celery
beat runs."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from notifications.reminders import reminders_sweep
from notifications.services import outbox_sweep


class Command(BaseCommand):
    help = (
        "Send the deadline reminders that are due and not sent yet, and fire viewflow's due "
        "timers, then send the e-mails still waiting in the outbox. Running it again sends "
        "nothing twice."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = reminders_sweep()
        self.stdout.write(
            f"reminders: {result.before} before the due day, {result.overdue} overdue, "
            f"{result.emails} e-mail(s); viewflow timers fired: {result.timers_fired}"
        )
        outbox = outbox_sweep()
        self.stdout.write(f"outbox: {outbox.sent} of {outbox.due} e-mail(s) waiting sent")
