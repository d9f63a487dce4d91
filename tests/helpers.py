"""Build form posts the way the browser sends them, from what is saved; race calls on threads;
read a table of a page as a reader meets it."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from html.parser import HTMLParser
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from django.db import connections

from submissions import values
from submissions.forms import LineItemForm
from submissions.models import LineItem, Submission
from submissions.selectors import TableRow

if TYPE_CHECKING:
    from receipts.models import Receipt


def line_by_code(submission: Submission, code: str) -> LineItem:
    """The line of a template row (by its code), or of a group that takes entries itself."""
    return submission.lines.select_related("row").get(row__code=code)


def figures(line: LineItem) -> Any:
    """A line's figures by measure key (``figures(line).spent``), whatever slot stores them."""
    return SimpleNamespace(**values.for_line(line).values(line))


def slots(submission: Submission, **by_key: Any) -> dict[str, Any]:
    """Measures by key as the slots that store them, for a query's ``update()``."""
    measures = values.for_campaign(submission.campaign)
    return {measures.slot(key): value for key, value in by_key.items()}


def appendix_post(
    submission: Submission, changes: dict[int, dict[str, str]], **extra: str
) -> dict[str, Any]:
    """Every field of every line as it is saved, with ``changes`` typed over it."""
    submission.refresh_from_db()
    data: dict[str, Any] = {"revision": str(submission.revision), "action": "save"}
    for line in submission.lines.all():
        form = LineItemForm(instance=line, prefix=f"l{line.pk}")
        for name, field in form.fields.items():
            value = form.initial.get(name)
            if value is None:
                text = "unknown" if name.startswith("accepted_") else ""
            elif isinstance(value, bool):
                text = "true" if value else "false"
            else:
                text = str(field.prepare_value(value)).replace(".", ",")
            data[f"l{line.pk}-{name}"] = text
        for name, value in changes.get(line.pk, {}).items():
            data[f"l{line.pk}-{name}"] = value
    data.update(extra)
    return data


COMPLETE_ROW = {
    "demand": "100",
    "alloc_invest_ctmt": "10",
    "alloc_invest_self": "20",
    "alloc_invest_separate": "30",
    "alloc_recurrent_ctmt": "0",
    "alloc_recurrent_self": "5",
    "alloc_recurrent_separate": "0",
    "spent": "60",
    "vs_demand_pct": "60",
    "vs_resolution17_pct": "80",
    "infrastructure_status": "Đáp ứng mục tiêu của nhiệm vụ và Nghị quyết 17/NQ-CP",
    "use_as_designed_pct": "100",
}


def group_row(table: list[TableRow], code: str) -> TableRow:
    """The row of the task group with this code in a rendered appendix."""
    return next(
        r for r in table if r.kind == "group" and r.template_row and r.template_row.code == code
    )


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Start the calls together on threads; each returns its result or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # the loser's refusal is the result
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def submit_through_the_page(client: Any, submission: Submission, drafter: Any) -> Receipt:
    """The drafter presses "submit" on the page: told it was done, the submission at the
    department, and its receipt (returned for the caller's checks)."""
    from core.enums import Action, Stage
    from receipts.models import Receipt

    client.force_login(drafter)
    response = client.post(
        f"/submissions/{submission.pk}/decide/",
        {"action": Action.SUBMIT, "expected_stage": Stage.DRAFTING},
        follow=True,
    )
    assert response.status_code == 200
    assert 'class="alert alert-success"' in response.content.decode()
    submission.refresh_from_db()
    assert submission.stage == Stage.DEPARTMENT_REVIEW
    return Receipt.objects.get(submission=submission)


@dataclasses.dataclass
class HtmlTable:
    """A table of a page as a reader meets it: its caption, and each row's cells as text, with
    whether each cell is a header (th) and its scope."""

    caption: str = ""
    rows: list[list[tuple[str, str, str]]] = dataclasses.field(
        default_factory=list
    )  # (tag, scope, text)

    def texts(self) -> list[list[str]]:
        return [[text for _tag, _scope, text in row] for row in self.rows]


def html_table(page: str, table_within: str) -> HtmlTable:
    """The first <table> inside the element with the id ``table_within`` (or that table's
    own id), read with the standard library's HTML parser; cell text with spaces collapsed."""

    class Reader(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.depth = 0  # elements open inside the one with the id, once found
            self.table = HtmlTable()
            self.in_table = self.done = False
            self.cell: tuple[str, str] | None = None
            self.buffer: list[str] = []
            self.in_caption = False

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if self.done:
                return
            if not self.depth and dict(attrs).get("id") != table_within:
                return
            self.depth += tag not in {"br", "img", "input", "col", "meta", "link"}
            if tag == "table":
                self.in_table = True
            elif self.in_table and tag == "tr":
                self.table.rows.append([])
            elif self.in_table and tag in {"th", "td"}:
                self.cell, self.buffer = (tag, dict(attrs).get("scope") or ""), []
            elif self.in_table and tag == "caption":
                self.in_caption, self.buffer = True, []

        def handle_endtag(self, tag: str) -> None:
            if not self.depth or self.done:
                return
            self.depth -= 1
            text = " ".join("".join(self.buffer).split())
            if tag in {"th", "td"} and self.cell:
                self.table.rows[-1].append((*self.cell, text))
                self.cell = None
            elif tag == "caption":
                self.table.caption, self.in_caption = text, False
            elif tag == "table":
                self.done = True

        def handle_data(self, data: str) -> None:
            if self.cell or self.in_caption:
                self.buffer.append(data)

    reader = Reader()
    reader.feed(page)
    assert reader.in_table, f"no table in #{table_within}"
    return reader.table
