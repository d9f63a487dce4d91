"""How long something has waited, and how many working days are left, in words of the page's
language ("3 ngày 4 giờ", "quá hạn 2 ngày làm việc")."""

from __future__ import annotations

import datetime

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

register = template.Library()


@register.filter
def waited(span: datetime.timedelta | None) -> str:
    """Days and hours, or hours and minutes under a day; Django's timesince has no Vietnamese."""
    if span is None:
        return ""
    minutes = max(0, int(span.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        text = ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
        if hours:
            text += " " + ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
        return text
    if hours:
        text = ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
        if minutes:
            text += " " + ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
        return text
    if minutes:
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    return gettext("just now")


@register.filter
def days_left(left: int | None) -> str:
    """Working days left to a due day (workflow.deadlines: negative once overdue): the number
    while some are left, "quá hạn 3 ngày làm việc" once past; '' for none."""
    if left is None:
        return ""
    if left >= 0:
        return number_format(left, use_l10n=True, force_grouping=True)
    late = -left
    return ngettext("%(n)s working day overdue", "%(n)s working days overdue", late) % {
        "n": number_format(late, use_l10n=True, force_grouping=True)
    }
