from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from campaigns.models import AdministrativeUnit, Campaign
from core.enums import Role
from workflow.services import role_grant


class Command(BaseCommand):
    help = (
        "Give a user a role, scoped to units: by code, a whole region (a ministry checker's "
        "regional desk) or every unit of a campaign."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", choices=[r.value for r in Role])
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--units", nargs="+", metavar="CODE", default=[])
        scope.add_argument("--region", metavar="REGION_CODE")
        scope.add_argument("--all", action="store_true", help="every unit of the campaign")
        parser.add_argument(
            "--campaign", help="the campaign's code (default: the one issued last)", default=""
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
            campaign = (
                Campaign.objects.get(code=options["campaign"])
                if options["campaign"]
                else Campaign.objects.order_by("-issued_on", "-pk")[:1].get()
            )
        except (User.DoesNotExist, Campaign.DoesNotExist) as exc:
            raise CommandError(str(exc)) from exc
        units = campaign.units.all()
        if options["region"]:
            units = units.filter(region__code=options["region"])
        elif options["units"]:
            units = units.filter(code__in=options["units"])
        elif not options["all"]:
            units = AdministrativeUnit.objects.none()
        role = Role(options["role"])
        role_grant(user=user, role=role, units=list(units))
        self.stdout.write(f"{user.username}: {role.label} on {units.count()} unit(s)")
