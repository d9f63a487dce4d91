"""Accessibility checks for the browser tests: axe-core run in the page, the exceptions to
its rules in one place, a summary per page and role for the test output, and the sizes of
a phone and a tablet.

axe-core is vendored (``vendor/axe.min.js``, npm's axe-core, MPL-2.0, its licence in
``vendor/axe-LICENSE``) rather than taken from PyPI: the Python wrappers there are one-person
packages that also just inject this script, and would be one more dependency to lock. It is
added to the browser context as an init script (``context.add_init_script``): a ``<script>``
tag with the text inline (``page.add_script_tag``) would be blocked by the Content Security
Policy, which the ``page`` fixture treats as a defect.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

AXE_SCRIPT = Path(__file__).resolve().parent / "vendor" / "axe.min.js"

# WCAG 2.0 and 2.1, levels A and AA: the rules a Vietnamese public-service portal must meet.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
IMPACTS = ("critical", "serious", "moderate", "minor")
FAILING_IMPACTS = {"critical", "serious"}

# Every exception to the rules above, with its reason: a rule id, or "rule-id:css selector"
# to excuse one element only. Empty means every rule holds on every page checked.
EXCEPTIONS: dict[str, str] = {}

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}
DEVICES = {"phone": PHONE, "tablet": TABLET}


@dataclass
class Summary:
    """What axe found, page by page and role by role, printed at the end of the run."""

    rows: list[tuple[str, str, str, Counter[str]]] = field(default_factory=list)

    def add(self, page: str, role: str, language: str, counts: Counter[str]) -> None:
        self.rows.append((page, role, language, counts))

    def lines(self) -> list[str]:
        if not self.rows:
            return []
        width = max(len(r[0]) for r in self.rows)
        role_width = max(len(r[1]) for r in self.rows)
        head = f"{'page':<{width}}  {'role':<{role_width}}  lang  " + "  ".join(
            f"{i:>8}" for i in IMPACTS
        )
        out = ["axe-core " + axe_version() + ", WCAG 2.1 A/AA: violations by impact", head]
        for page, role, language, counts in self.rows:
            out.append(
                f"{page:<{width}}  {role:<{role_width}}  {language:<4}  "
                + "  ".join(f"{counts.get(i, 0):>8}" for i in IMPACTS)
            )
        total: Counter[str] = Counter()
        for *_, counts in self.rows:
            total.update(counts)
        out.append(
            f"{len(self.rows)} page views checked; "
            + ", ".join(f"{i} {total.get(i, 0)}" for i in IMPACTS)
        )
        if EXCEPTIONS:
            out.append("exceptions: " + "; ".join(f"{k}: {v}" for k, v in EXCEPTIONS.items()))
        return out


SUMMARY = Summary()


def axe_version() -> str:
    with AXE_SCRIPT.open(encoding="utf-8") as f:
        return f.readline().removeprefix("/*! axe ").strip()


def axe_ready(context: Any) -> None:
    """Every page opened in this browser context from now on carries axe-core."""
    context.add_init_script(path=str(AXE_SCRIPT))


def _excused(violation: dict[str, Any]) -> dict[str, Any] | None:
    """The violation less the nodes an exception covers; None when nothing is left."""
    rule = violation["id"]
    if rule in EXCEPTIONS:
        return None
    nodes = [
        n
        for n in violation["nodes"]
        if not any(f"{rule}:{target}" in EXCEPTIONS for target in n["target"])
    ]
    return {**violation, "nodes": nodes} if nodes else None


def axe_check(page: Any, name: str, role: str) -> list[str]:
    """Run axe on the page as it stands; record the counts; return the failures, described."""
    result = page.evaluate(
        """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                          resultTypes: ['violations']})""",
        WCAG_TAGS,
    )
    language = page.evaluate("document.documentElement.lang")
    counts: Counter[str] = Counter()
    failures = []
    for violation in result["violations"]:
        kept = _excused(violation)
        if kept is None:
            continue
        counts[kept["impact"]] += len(kept["nodes"])
        if kept["impact"] in FAILING_IMPACTS:
            targets = ", ".join(" ".join(n["target"]) for n in kept["nodes"][:5])
            failures.append(
                f"{name} as {role} ({language}): {kept['id']} [{kept['impact']}] "
                f"{kept['help']}: {len(kept['nodes'])} x {targets}"
            )
    SUMMARY.add(name, role, language, counts)
    return failures


# Touch targets (44 x 44 CSS px) on a phone or tablet, with the exceptions WCAG 2.5.5 itself
# makes or that the page answers otherwise, each with its reason:
TOUCH_TARGET_EXCEPTIONS = {
    ".appendix-wrap *": "the appendix grid: a spreadsheet of 17 columns that scrolls in its box",
    "svg *": "the dashboard's chart bars: the same figures are a table below the chart",
    "inline links": "a link inside a sentence (WCAG 2.5.5's inline exception)",
    ".visually-hidden-focusable": "the skip link: off screen until it has focus",
}
SMALL_TARGETS_JS = """() => [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary')]
  .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
  .filter(e => !e.closest('.appendix-wrap, svg, .visually-hidden-focusable, [hidden]'))
  .filter(e => !(e.tagName === 'A' && e.parentElement.textContent.replace(/\\s+/g, ' ').trim()
                 !== e.textContent.replace(/\\s+/g, ' ').trim()))
  .map(e => { const r = e.getBoundingClientRect();
              return {what: e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                            + ' "' + e.textContent.replace(/\\s+/g, ' ').trim().slice(0, 40) + '"',
                      width: Math.round(r.width), height: Math.round(r.height)}; })
  .filter(t => t.width < 44 || t.height < 44)"""
