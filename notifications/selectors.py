from __future__ import annotations

from django.db.models import Count, QuerySet

from .models import Email


def emails_recent(*, status: str = "", limit: int = 200) -> QuerySet[Email]:
    """The latest e-mails, newest first (all of them are national: coordinators only)."""
    emails = Email.objects.all()
    if status:
        emails = emails.filter(status=status)
    return emails.order_by("-created_at", "-pk")[:limit]


def emails_by_status() -> dict[str, int]:
    return dict(Email.objects.values_list("status").annotate(n=Count("pk")).order_by())
