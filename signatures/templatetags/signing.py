"""Is signing with a certificate file offered here (the setting, signatures.pkcs12)?"""

from __future__ import annotations

from django import template

from signatures import pkcs12

register = template.Library()


@register.simple_tag
def pkcs12_enabled() -> bool:
    return pkcs12.enabled()
