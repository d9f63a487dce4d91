"""Is a submission complete and consistent enough to submit? What is still missing?

Saving a draft keeps incomplete work; this check is what stands between a draft
and the submit action. ``missing`` lists what is not filled in yet, ``problems``
what is filled in but inconsistent. Each finding names the place to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from campaigns.models import OutlineSection

from . import selectors
from .models import ALLOCATION_FIELDS, REASON_FOR, USE_FIELDS, LineItem, NarrativeAnswer, Submission

REQUIRED_AMOUNTS = ("demand", *ALLOCATION_FIELDS, "spent")
# Asked for wherever money was spent: what it achieved against demand and Resolution 17, and
# the state of the infrastructure it formed against the goals and policies.
REQUIRED_WHEN_SPENT = ("vs_demand_pct", "vs_resolution17_pct", "infrastructure_status")


@dataclass(frozen=True)
class Finding:
    message: str
    anchor: str  # the id of the element to go to
    part: str  # "appendix", "narrative" or "facts"


@dataclass
class Readiness:
    missing: list[Finding] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.missing) + len(self.problems)

    @property
    def ready(self) -> bool:
        return not self.missing and not self.problems

    def count(self, part: str) -> int:
        return sum(1 for f in (*self.missing, *self.problems) if f.part == part)


def _blank(value: object) -> bool:
    """Not answered: an empty number, or text of nothing but spaces (0 is an answer)."""
    return value is None or (isinstance(value, str) and not value.strip())


def _label(line: LineItem) -> str:
    return line.display_label


def _field_name(name: str, labels: dict[str, str]) -> str:
    """What the campaign's header calls a measure; the six allocation parts go by their total."""
    if name in ALLOCATION_FIELDS:
        name = "allocated"
    if name in labels:
        return labels[name]
    return str(getattr(LineItem._meta.get_field(name), "verbose_name", name))


def line_findings(
    line: LineItem, labels: dict[str, str] | None = None
) -> tuple[list[Finding], list[Finding]]:
    labels = labels or {}
    anchor = f"line-{line.pk}"
    missing: list[Finding] = []
    problems: list[Finding] = []
    absent = [n for n in REQUIRED_AMOUNTS if _blank(getattr(line, n))]
    if line.spent:
        absent += [n for n in REQUIRED_WHEN_SPENT if _blank(getattr(line, n))]
    names = list(dict.fromkeys(_field_name(n, labels) for n in absent))
    if names:
        missing.append(
            Finding(
                _("Row “%(row)s”: %(fields)s not filled in.")
                % {"row": _label(line), "fields": ", ".join(names)},
                anchor,
                "appendix",
            )
        )
    for pct_name, reason_name in REASON_FOR.items():
        pct = getattr(line, pct_name)
        if pct and not getattr(line, reason_name).strip():
            problems.append(
                Finding(
                    _("Row “%(row)s”: give the reason for “%(field)s”.")
                    % {"row": _label(line), "field": _field_name(pct_name, labels)},
                    anchor,
                    "appendix",
                )
            )
    use_total = sum((getattr(line, n) or Decimal(0) for n in USE_FIELDS), Decimal(0))
    if use_total > 100:
        problems.append(
            Finding(
                _("Row “%(row)s”: the three equipment-use shares add up to more than 100%%.")
                % {"row": _label(line)},
                anchor,
                "appendix",
            )
        )
    if line.is_custom and not line.label.strip():
        missing.append(Finding(_("A sub-item you added has no name."), anchor, "appendix"))
    return missing, problems


def check_readiness(
    submission: Submission,
    *,
    lines: list[LineItem],
    sections: list[OutlineSection],
    answers: dict[int, NarrativeAnswer],
    labels: dict[str, str] | None = None,
) -> Readiness:
    """``labels`` names measures as the campaign's header does (selectors.measure_labels)."""
    result = Readiness()
    for line in lines:
        missing, problems = line_findings(line, labels)
        result.missing += missing
        result.problems += problems
    for section in sections:
        for point in section.points.all():
            answer = answers.get(point.pk)
            if point.required and (answer is None or not answer.text.strip()):
                result.missing.append(
                    Finding(
                        _("Narrative point %(point)s has no answer yet.")
                        % {"point": point.display_code},
                        f"point-{point.pk}",
                        "narrative",
                    )
                )
    count, amount = submission.treasury_refusal_count, submission.treasury_refusal_amount
    if count is None:
        result.missing.append(
            Finding(
                _("Say how many payments the State Treasury refused (0 if none)."),
                "facts-treasury",
                "facts",
            )
        )
    elif count > 0 and amount is None:
        result.missing.append(
            Finding(
                _("Give the amount of the payments the State Treasury refused."),
                "facts-treasury",
                "facts",
            )
        )
    elif count == 0 and amount:
        result.problems.append(
            Finding(
                _("A refused amount is given but no refused case is counted."),
                "facts-treasury",
                "facts",
            )
        )
    return result


def readiness_of(submission: Submission, lines: list[LineItem] | None = None) -> Readiness:
    """The readiness of a submission as it is saved now (``lines``: its appendix lines, when
    the caller has read them already)."""
    return check_readiness(
        submission,
        lines=selectors.appendix_lines(submission) if lines is None else lines,
        sections=list(selectors.outline(submission.campaign)),
        answers=selectors.answers_by_point(submission),
        labels=selectors.measure_labels(submission.campaign),
    )
