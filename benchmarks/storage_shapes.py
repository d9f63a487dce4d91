"""Benchmark: three ways to store a campaign's figures so that a new campaign needs no
migration, measured on PostgreSQL at the size of the national aggregation target.

The data has the first campaign's shape (its definition in campaigns/data): 10,000
synthetic provinces by 17 entry lines, each line with 8 amounts, 6 percentages, 2 yes/no
and 7 texts (23 measures; 170,000 lines).

1. **typed columns** (``typed``): one numeric / boolean / text column per measure. What the
   application had before slots (named after the first campaign's measures); "typed slots
   mapped by the definition" (amount_1 ... amount_n) is the same table with generic names,
   so it has the same figures.
2. **JSONB** (``jsonb``): one ``values`` document per line, keyed by kind then measure
   ({"amount": {...}, "percent": {...}, ...}) so that CHECK constraints can still hold per
   kind (jsonb_path_exists: amounts ≥ 0 and numbers, percentages in 0..100).
3. **a typed value per cell** (``cells``): one row per filled cell with a typed column per
   kind, keyed by (line, measure), with the same CHECKs as the typed columns.

For each: the national aggregation (every amount summed, every rate weighted by funds spent,
yes/no counted, GROUP BY appendix row and by province), reading one province's appendix,
rewriting one province's appendix, and the size on disk. Not a test: it prints figures.

    .venv/bin/python -m benchmarks.storage_shapes [repetitions]
"""

# ruff: noqa: S608  (the SQL is built from this file's own constants; no input reaches it)
from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import psycopg2

PROVINCES = 10_000
LINES = 17
AMOUNTS = 8
PERCENTS = 6
FLAGS = 2
TEXTS = 7
DATABASE = "bench_storage_shapes"

A = [f"a{i}" for i in range(1, AMOUNTS + 1)]
P = [f"p{i}" for i in range(1, PERCENTS + 1)]
F = [f"f{i}" for i in range(1, FLAGS + 1)]
T = [f"t{i}" for i in range(1, TEXTS + 1)]
SPENT = A[-1]  # the weight of every rate

SCHEMA = f"""
CREATE TABLE line (id serial PRIMARY KEY, province int NOT NULL, row_id int NOT NULL);
CREATE INDEX line_province ON line (province);

CREATE TABLE typed (
  line_id int PRIMARY KEY REFERENCES line,
  {", ".join(f"{a} numeric(15,3) CHECK ({a} >= 0)" for a in A)},
  {", ".join(f"{p} numeric(5,2) CHECK ({p} BETWEEN 0 AND 100)" for p in P)},
  {", ".join(f"{f} boolean" for f in F)},
  {", ".join(f"{t} varchar(2000) NOT NULL DEFAULT ''" for t in T)}
);

CREATE TABLE jsonb_line (
  line_id int PRIMARY KEY REFERENCES line,
  vals jsonb NOT NULL CHECK (jsonb_typeof(vals) = 'object'),
  CHECK (NOT jsonb_path_exists(vals, '$.amount.* ? (@.type() != "number" || @ < 0)')),
  CHECK (NOT jsonb_path_exists(vals, '$.percent.* ? (@.type() != "number" || @ < 0 || @ > 100)')),
  CHECK (NOT jsonb_path_exists(vals, '$.flag.* ? (@.type() != "boolean")')),
  CHECK (NOT jsonb_path_exists(vals, '$.text.* ? (@.type() != "string")'))
);

CREATE TABLE cell (
  line_id int NOT NULL REFERENCES line,
  measure smallint NOT NULL,
  amount numeric(15,3) CHECK (amount >= 0),
  percent numeric(5,2) CHECK (percent BETWEEN 0 AND 100),
  flag boolean,
  text varchar(2000),
  PRIMARY KEY (line_id, measure),
  CHECK (num_nonnulls(amount, percent, flag, text) = 1)
);
"""

# Measures of the cell table: amounts 1..8, percentages 11..16, flags 21..22, texts 31..37.
M_A = {a: i for i, a in enumerate(A, start=1)}
M_P = {p: 10 + i for i, p in enumerate(P, start=1)}
M_F = {f: 20 + i for i, f in enumerate(F, start=1)}
M_T = {t: 30 + i for i, t in enumerate(T, start=1)}

FILL = f"""
INSERT INTO line (province, row_id)
SELECT p, r FROM generate_series(1, {PROVINCES}) p, generate_series(1, {LINES}) r;

INSERT INTO typed
SELECT id,
  {", ".join("round((random() * 9000)::numeric, 3)" for _ in A)},
  {", ".join("CASE WHEN random() < 0.8 THEN round((random() * 100)::numeric, 2) END" for _ in P)},
  {", ".join("random() < 0.6" for _ in F)},
  {", ".join("'Sản phẩm đã hoàn thành, nêu rõ tên và số lượng'" for _ in T)}
FROM line;

INSERT INTO jsonb_line
SELECT line_id, jsonb_build_object(
  'amount', jsonb_strip_nulls(jsonb_build_object({", ".join(f"'{a}', {a}" for a in A)})),
  'percent', jsonb_strip_nulls(jsonb_build_object({", ".join(f"'{p}', {p}" for p in P)})),
  'flag', jsonb_strip_nulls(jsonb_build_object({", ".join(f"'{f}', {f}" for f in F)})),
  'text', jsonb_build_object({", ".join(f"'{t}', {t}" for t in T)}))
FROM typed;

INSERT INTO cell (line_id, measure, amount)
SELECT line_id, m.id, CASE m.id {" ".join(f"WHEN {M_A[a]} THEN {a}" for a in A)} END
FROM typed, (VALUES {", ".join(f"({M_A[a]})" for a in A)}) m(id);
INSERT INTO cell (line_id, measure, percent)
SELECT line_id, m.id, v FROM (
  SELECT line_id, m.id, CASE m.id {" ".join(f"WHEN {M_P[p]} THEN {p}" for p in P)} END AS v
  FROM typed, (VALUES {", ".join(f"({M_P[p]})" for p in P)}) m(id)) m WHERE v IS NOT NULL;
INSERT INTO cell (line_id, measure, flag)
SELECT line_id, m.id, CASE m.id {" ".join(f"WHEN {M_F[f]} THEN {f}" for f in F)} END
FROM typed, (VALUES {", ".join(f"({M_F[f]})" for f in F)}) m(id);
INSERT INTO cell (line_id, measure, text)
SELECT line_id, m.id, CASE m.id {" ".join(f"WHEN {M_T[t]} THEN {t}" for t in T)} END
FROM typed, (VALUES {", ".join(f"({M_T[t]})" for t in T)}) m(id);
ANALYZE;
"""


def _aggregates(value: Callable[[str, str], str]) -> str:
    """Every figure of one result row: sums, rates' weighted sums and weights, yes counts."""
    parts = [f"sum({value('amount', a)})" for a in A]
    for p in P:
        parts.append(f"sum({value('percent', p)} * {value('amount', SPENT)})")
        parts.append(
            f"sum(CASE WHEN {value('percent', p)} IS NOT NULL THEN {value('amount', SPENT)} END)"
        )
    parts += [f"count(*) FILTER (WHERE {value('flag', f)})" for f in F]
    return ", ".join(parts) + ", count(*)"


def _typed(kind: str, measure: str) -> str:
    return f"t.{measure}"


def _json(kind: str, measure: str) -> str:
    cast = "boolean" if kind == "flag" else "numeric"
    return f"(j.vals->'{kind}'->>'{measure}')::{cast}"


def _pivot(kind: str, measure: str) -> str:
    return f"c_{measure}"


CELL_PIVOT = ", ".join(
    [f"max(c.amount) FILTER (WHERE c.measure = {M_A[a]}) AS c_{a}" for a in A]
    + [f"max(c.percent) FILTER (WHERE c.measure = {M_P[p]}) AS c_{p}" for p in P]
    + [f"bool_or(c.flag) FILTER (WHERE c.measure = {M_F[f]}) AS c_{f}" for f in F]
)

AGGREGATION = {
    "typed": (
        f"SELECT l.row_id, {_aggregates(_typed)} FROM line l JOIN typed t ON t.line_id = l.id "
        "GROUP BY l.row_id",
        f"SELECT l.province, {_aggregates(_typed)} FROM line l JOIN typed t ON t.line_id = l.id "
        "GROUP BY l.province",
    ),
    "jsonb": (
        f"SELECT l.row_id, {_aggregates(_json)} FROM line l JOIN jsonb_line j "
        "ON j.line_id = l.id GROUP BY l.row_id",
        f"SELECT l.province, {_aggregates(_json)} FROM line l JOIN jsonb_line j "
        "ON j.line_id = l.id GROUP BY l.province",
    ),
    # A cell's rate needs the same line's funds spent: the cells are pivoted back to lines.
    "cells": (
        f"SELECT x.row_id, {_aggregates(_pivot)} FROM (SELECT l.row_id, {CELL_PIVOT} "
        "FROM line l JOIN cell c ON c.line_id = l.id GROUP BY l.id) x GROUP BY x.row_id",
        f"SELECT x.province, {_aggregates(_pivot)} FROM (SELECT l.province, {CELL_PIVOT} "
        "FROM line l JOIN cell c ON c.line_id = l.id GROUP BY l.id) x GROUP BY x.province",
    ),
}
READ = {
    "typed": "SELECT t.* FROM line l JOIN typed t ON t.line_id = l.id WHERE l.province = %s",
    "jsonb": "SELECT j.* FROM line l JOIN jsonb_line j ON j.line_id = l.id WHERE l.province = %s",
    "cells": "SELECT c.* FROM line l JOIN cell c ON c.line_id = l.id WHERE l.province = %s",
}
WRITE = {
    "typed": f"UPDATE typed t SET {', '.join(f'{a} = {a} + 1' for a in A)}, "
    f"{', '.join(f'{x} = 50' for x in P)}, t1 = 'sửa' "
    "FROM line l WHERE l.id = t.line_id AND l.province = %s",
    "jsonb": "UPDATE jsonb_line j SET vals = jsonb_set(jsonb_set(vals, '{amount,a1}', "
    "to_jsonb(coalesce((vals->'amount'->>'a1')::numeric, 0) + 1)), '{percent,p1}', '50') "
    "FROM line l WHERE l.id = j.line_id AND l.province = %s",
    "cells": "UPDATE cell c SET amount = amount + 1 FROM line l "
    "WHERE l.id = c.line_id AND l.province = %s AND c.amount IS NOT NULL",
}
TABLES = {"typed": "typed", "jsonb": "jsonb_line", "cells": "cell"}


def _connect(dbname: str) -> Any:
    connection = psycopg2.connect(
        host=os.environ.get("PGHOST", "127.0.0.1"),
        port=int(os.environ.get("PGPORT", "5432")),
        user=os.environ.get("PGUSER", "postgres"),
        dbname=dbname,
    )
    connection.autocommit = True
    return connection


def _median(fn: Callable[[], Any], repetitions: int) -> float:
    fn()  # warm
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(repetitions: int = 5) -> None:
    admin = _connect("postgres")
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        cursor.execute(f"CREATE DATABASE {DATABASE}")
    try:
        db = _connect(DATABASE)
        with db.cursor() as cursor:
            cursor.execute(SCHEMA)
            start = time.perf_counter()
            cursor.execute(FILL)
            filled = time.perf_counter() - start
            cursor.execute("SELECT count(*) FROM line")
            lines = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM cell")
            cells = cursor.fetchone()[0]

            # The same figures from every shape, or the comparison means nothing.
            results = {}
            for shape, (by_row, _) in AGGREGATION.items():
                cursor.execute(by_row + " ORDER BY 1")
                results[shape] = [tuple(round(float(v or 0), 2) for v in r) for r in cursor]
            assert results["typed"] == results["jsonb"] == results["cells"], "shapes disagree"

            def run(sql: str, *args: Any) -> Callable[[], None]:
                def go() -> None:
                    cursor.execute(sql, args)
                    if cursor.description:
                        cursor.fetchall()

                return go

            def undone(sql: str, *args: Any) -> Callable[[], None]:
                def go() -> None:
                    cursor.execute("BEGIN")
                    cursor.execute(sql, args)
                    cursor.execute("ROLLBACK")

                return go

            print()
            print(
                f"figure storage shapes, PostgreSQL, {PROVINCES:,} provinces, {lines:,} lines, "
                f"{len(A) + len(P) + len(F) + len(T)} measures ({cells:,} cells); median of "
                f"{repetitions}, warm (filled in {filled:.1f} s)"
            )
            header = (
                f"{'shape':<8} {'by row s':>9} {'by province s':>14} {'read 1 ms':>10} "
                f"{'write 1 ms':>11} {'size MB':>8}"
            )
            print(header)
            for shape, (by_row, by_province) in AGGREGATION.items():
                row_s = _median(run(by_row), repetitions)
                province_s = _median(run(by_province), repetitions)
                read_ms = _median(run(READ[shape], PROVINCES // 2), repetitions * 10) * 1000
                write_ms = _median(undone(WRITE[shape], PROVINCES // 2), repetitions * 10) * 1000
                cursor.execute("SELECT pg_total_relation_size(%s)", (TABLES[shape],))
                size = cursor.fetchone()[0] / 1024 / 1024
                print(
                    f"{shape:<8} {row_s:>9.3f} {province_s:>14.3f} {read_ms:>10.2f} "
                    f"{write_ms:>11.2f} {size:>8.1f}"
                )
        db.close()
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        admin.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
