"""Check a campaign definition file: ``manage.py validate_campaign campaign.json``.

Prints each error as ``path: message`` and exits with status 1, or prints a one-line summary
of the campaign and exits with 0. Nothing is written to the database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campaigns.definition import MAX_BYTES, parse


def _count_columns(columns: list[dict[str, Any]]) -> tuple[int, int]:
    """(nodes, leaves) of a header tree."""
    nodes = leaves = 0
    for column in columns:
        children = column.get("children", [])
        below = _count_columns(children)
        nodes += 1 + below[0]
        leaves += below[1] if children else 1
    return nodes, leaves


class Command(BaseCommand):
    help = "Check a campaign definition file (JSON) against its schema and rules."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            with path.open("rb") as fh:
                raw = fh.read(MAX_BYTES + 1)  # enough to tell a file that is too large
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(reason)s") % {"file": path, "reason": exc.strerror}
            ) from None
        data, errors = parse(raw)
        if errors:
            for error in errors:
                self.stdout.write(f"{error.path}: {error.message}")
            count = len(errors)
            raise CommandError(
                ngettext("%(file)s: %(count)s error.", "%(file)s: %(count)s errors.", count)
                % {"file": path, "count": count},
                returncode=1,
            )
        assert data is not None
        groups = data["appendix"]["groups"]
        nodes, leaves = _count_columns(data["appendix"]["columns"])
        self.stdout.write(
            _(
                "%(file)s is valid: campaign %(code)s, letter %(number)s; %(rows)s appendix rows, "
                "%(columns)s columns (%(leaves)s leaves), %(points)s outline points, "
                "%(stages)s stages."
            )
            % {
                "file": path,
                "code": data["code"],
                "number": data["letter"]["number"],
                "rows": len(groups) + sum(len(g.get("rows", [])) for g in groups),
                "columns": nodes,
                "leaves": leaves,
                "points": sum(len(s["points"]) for s in data["outline"]["sections"]),
                "stages": len(data["process"]),
            }
        )
