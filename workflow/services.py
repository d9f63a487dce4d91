"""Writes of the workflow app: roles and their scope (transitions come with the workflow)."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission, User
from django.db import transaction
from guardian.shortcuts import assign_perm

from submissions.models import AdministrativeUnit

from .roles import NATIONAL_PERMISSION, UNIT_PERMISSION, Role, group_name


@transaction.atomic
def roles_ensure_groups() -> dict[Role, Group]:
    """One group per role; the coordinator's group carries the national permission."""
    groups = {role: Group.objects.get_or_create(name=group_name(role))[0] for role in Role}
    national = Permission.objects.get(
        codename=NATIONAL_PERMISSION, content_type__app_label="submissions"
    )
    groups[Role.MINISTRY_COORDINATOR].permissions.add(national)
    return groups


@transaction.atomic
def role_grant(*, user: User, role: Role, units: list[AdministrativeUnit] | None = None) -> None:
    """Put the user in the role's group and, for a per-unit role, scope it to ``units``."""
    group = roles_ensure_groups()[role]
    user.groups.add(group)
    codename = UNIT_PERMISSION.get(role)
    if codename is None:
        return
    for unit in units or []:
        assign_perm(f"submissions.{codename}", user, unit)
