"""The coordinator's view of the outbox: what was sent to whom, what failed."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from workflow import access

from . import selectors
from .models import Email


@login_required
def email_list(request: HttpRequest) -> HttpResponse:
    if not access.is_national(request.user):
        raise Http404
    status = request.GET.get("status", "")
    if status not in Email.Status.values:
        status = ""
    counts = selectors.emails_by_status()
    return render(
        request,
        "notifications/email_list.html",
        {
            "emails": selectors.emails_recent(status=status),
            "status": status,
            "statuses": [(s, label, counts.get(s, 0)) for s, label in Email.Status.choices],
        },
    )
