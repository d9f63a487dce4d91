"""Django's admin edits users, roles, units and campaigns: administrators only."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from workflow.access import can_administer


class AdministratorsAdminSite(admin.AdminSite):
    """Like the default site, but is_staff alone is not enough (see workflow.access)."""

    def has_permission(self, request: HttpRequest) -> bool:
        return can_administer(request.user)
