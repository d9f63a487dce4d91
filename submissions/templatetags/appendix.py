"""Template helpers for the appendix table: field lookup by name and VND amounts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.forms import BaseForm, BoundField
from django.utils.formats import number_format

register = template.Library()


@register.filter
def field(form: BaseForm | None, name: str) -> BoundField | None:
    if form is None or not name or name not in form.fields:
        return None
    return form[name]


@register.filter
def lookup(mapping: dict[Any, Any] | None, key: Any) -> Any:
    return (mapping or {}).get(key)


@register.filter
def attr(obj: Any, name: str) -> Any:
    return getattr(obj, name, None) if obj is not None and name else None


@register.filter
def amount(value: Decimal | int | None) -> str:
    """An amount with the active language's separators (1.234,5 in Vietnamese); '' for none."""
    if value is None or value == "":
        return ""
    value = Decimal(value).normalize()
    if value == value.to_integral():
        value = value.quantize(Decimal(1))
    return number_format(value, use_l10n=True, force_grouping=True)
