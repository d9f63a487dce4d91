"""Access predicates for templates: the same answers the views get from workflow.access."""

from __future__ import annotations

from django import template

from workflow import access

register = template.Library()


@register.filter
def can_administer(user: access.AnyUser) -> bool:
    return access.can_administer(user)
