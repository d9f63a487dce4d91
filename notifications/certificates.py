"""Warnings that a registered signing certificate expires soon: to its holder and to the
ministry coordinators, once per certificate, 30 days ahead (CERTIFICATE_WARNING_DAYS)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q

from core import clock
from signatures.models import UserCertificate
from workflow.roles import NATIONAL_PERMISSION

from .services import email_render, emails_queue


def _coordinator_addresses() -> list[str]:
    users = User.objects.filter(
        Q(user_permissions__codename=NATIONAL_PERMISSION)
        | Q(groups__permissions__codename=NATIONAL_PERMISSION),
        is_active=True,
    ).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def certificate_expiry_warn(*, now: datetime.datetime | None = None) -> int:
    """Queue the warnings due; returns how many certificates were warned about."""
    now = now or clock.now()
    horizon = now + datetime.timedelta(days=settings.CERTIFICATE_WARNING_DAYS)
    coordinators = _coordinator_addresses()
    warned = 0
    with transaction.atomic():
        due = (
            UserCertificate.objects.select_for_update(skip_locked=True)
            .select_related("user")
            .filter(active=True, expiry_warned_on__isnull=True, not_after__lte=horizon)
            .filter(not_after__gt=now)
        )
        for registered in due:
            subject, body = email_render(
                "notifications/email/certificate_expiry",
                {"certificate": registered, "holder": registered.user},
            )
            addresses = (
                [registered.user.email, *coordinators] if registered.user.email else coordinators
            )
            emails_queue(kind="certificate_expiry", addresses=addresses, subject=subject, body=body)
            registered.expiry_warned_on = now.astimezone(clock.VN).date()
            registered.save(update_fields=["expiry_warned_on"])
            warned += 1
    return warned
