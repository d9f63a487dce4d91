"""The roles of DESIGN.md: a Django group each, scoped per unit by object permissions.

A provincial role is a group membership plus a django-guardian permission on the
administrative unit (AdministrativeUnit) it applies to. Ministry checkers hold the
``check_unit`` permission on the units of their desk. The coordinator's scope is
national, given by a global permission through the group.
"""

from __future__ import annotations

from core.enums import Role

# Role -> the object permission on AdministrativeUnit that scopes it.
UNIT_PERMISSION = {
    Role.DRAFTER: "draft_unit",
    Role.DEPARTMENT_REVIEWER: "review_unit",
    Role.PROVINCIAL_SIGNATORY: "signoff_unit",
    Role.MINISTRY_CHECKER: "check_unit",
}
# The coordinator sees every unit: a global permission held by the group.
NATIONAL_PERMISSION = "coordinate_campaign"
# Whoever writes, opens, closes and archives campaigns (campaigns.Campaign's permission).
CAMPAIGN_PERMISSION = "administer_campaigns"
# The roles whose scope is national, and the permission their group carries.
NATIONAL_PERMISSIONS = {
    Role.MINISTRY_COORDINATOR: NATIONAL_PERMISSION,
    Role.CAMPAIGN_ADMINISTRATOR: CAMPAIGN_PERMISSION,
}


def group_name(role: Role) -> str:
    """The Django group of a role is named by the role's value (stable across languages)."""
    return str(role.value)
