"""Is a submission complete and consistent enough to submit? What is still missing?

Saving a draft keeps incomplete work; this check is what stands between a draft
and the submit action. ``missing`` lists what is not filled in yet, ``problems``
what is filled in but inconsistent. Each finding names the place to fix it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from campaigns.measures import Appendix, Measure, above, appendix_of, facts_of, labels_joined
from campaigns.models import OutlineSection

from . import selectors
from . import values as line_values
from .models import LineItem, NarrativeAnswer, Submission


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


def _required(measure: Measure, value: Callable[[str], Any]) -> bool:
    if measure.required == "always":
        return True
    if measure.required == "when":
        return above(value(measure.when_measure), measure.when_above)
    return False


def line_findings(
    line: LineItem, appendix: Appendix, measures: line_values.LineMeasures | None = None
) -> tuple[list[Finding], list[Finding]]:
    """What one line lacks and what is inconsistent on it, by the campaign's definition: its
    required measures (always, or when another is above a threshold), a reason beside a
    share that needs one, and shares that may not add up beyond a limit."""
    stored = measures or line_values.for_line(line)

    def value(key: str) -> Any:
        return stored.get(line, key)

    anchor = f"line-{line.pk}"
    missing: list[Finding] = []
    problems: list[Finding] = []
    absent = [
        m.key
        for m in appendix.measures.values()
        if m.key in stored.slots and _required(m, value) and _blank(value(m.key))
    ]
    names = list(dict.fromkeys(appendix.label(n) for n in absent))
    if names:
        missing.append(
            Finding(
                _("Row “%(row)s”: %(fields)s not filled in.")
                % {"row": _label(line), "fields": ", ".join(names)},
                anchor,
                "appendix",
            )
        )
    for rule in appendix.reasons:
        if above(value(rule.measure), rule.threshold) and _blank(value(rule.reason)):
            problems.append(
                Finding(
                    _("Row “%(row)s”: give the reason for “%(field)s”.")
                    % {"row": _label(line), "field": appendix.label(rule.measure)},
                    anchor,
                    "appendix",
                )
            )
    for limit in appendix.at_most:
        total = sum((value(n) or Decimal(0) for n in limit.measures), Decimal(0))
        if total > limit.limit:
            problems.append(
                Finding(
                    _("Row “%(row)s”: %(fields)s add up to more than %(limit)s%%.")
                    % {
                        "row": _label(line),
                        "fields": labels_joined(appendix, limit.measures),
                        "limit": f"{limit.limit:g}",
                    },
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
) -> Readiness:
    result = Readiness()
    appendix = appendix_of(submission.campaign)
    measures = line_values.for_campaign(submission.campaign)
    for line in lines:
        missing, problems = line_findings(line, appendix, measures)
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
    if not facts_of(submission.campaign).asks("treasury_refusal_count"):
        return result  # a letter that does not ask the Treasury's refusals
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
    )
