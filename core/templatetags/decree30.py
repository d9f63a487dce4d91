"""The forms Decree 30/2020/NĐ-CP (Appendix I) prescribes for official documents."""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

register = template.Library()


@register.filter
def decree_date(value: datetime.date | None) -> str:
    """The date line's date: "ngày 03 tháng 5 năm 2020". Days 1-9 and months 1-2 take a
    leading zero (months 3-12 do not), so that no one can add a digit to a signed date.
    An aware datetime is read in Việt Nam's time (settings.TIME_ZONE)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    month = f"{value.month:02d}" if value.month <= 2 else str(value.month)
    return gettext("day %(d)s month %(m)s year %(y)s") % {
        "d": f"{value.day:02d}",
        "m": month,
        "y": str(value.year),
    }


@register.filter
def docno(value: str) -> SafeString:
    """A document's number and symbol (e.g. "123/BTC-XYZ") kept on one line: a line break at
    its hyphen would split the issuing body's symbol."""
    return format_html('<span class="docno">{}</span>', value)
