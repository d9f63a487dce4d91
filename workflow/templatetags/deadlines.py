"""Deadline facts in calendar days (working days come with the deadlines issue)."""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def days_left(deadline: datetime.date | None) -> str:
    """'3 days left', 'due today' or '2 days overdue', counted in Asia/Ho_Chi_Minh."""
    if deadline is None:
        return ""
    days = (deadline - timezone.localdate()).days
    if days > 0:
        return ngettext("%(n)s day left", "%(n)s days left", days) % {"n": days}
    if days == 0:
        return _("due today")
    return ngettext("%(n)s day overdue", "%(n)s days overdue", -days) % {"n": -days}
