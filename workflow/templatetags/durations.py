"""How long something has waited, in words of the page's language ("3 ngày 4 giờ")."""

from __future__ import annotations

import datetime

from django import template
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
