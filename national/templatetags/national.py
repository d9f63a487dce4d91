"""Whether to show the national report in the top bar (national.access decides)."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from national import access
from workflow.access import AnyUser

register = template.Library()


@register.simple_tag
def national_report_visible(user: AnyUser) -> bool:
    return access.can_view_national_report(user)


@register.filter
def rate(value: Decimal | str | None) -> str:
    """A percentage with two decimals and the active language's separators: 45,20%."""
    if value is None or value == "":
        return ""
    return number_format(Decimal(value), decimal_pos=2, use_l10n=True, force_grouping=True) + "%"
