"""Access predicates for templates: the same answers the views get from workflow.access."""

from __future__ import annotations

from typing import Any

from django import template

from workflow import access, signoff

register = template.Library()


@register.filter
def can_administer(user: access.AnyUser) -> bool:
    return access.can_administer(user)


@register.filter
def needs_signature(transition: Any, submission: Any) -> bool:
    """Does this step, on this submission, complete only with the actor's signed report?"""
    return signoff.signature_required(transition, submission.campaign)
