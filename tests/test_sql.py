"""Table-driven tests for core.sql (what %%sql cells read, create and drop) and their analysis."""

from __future__ import annotations

import pytest

from reactive_kernel.core.analysis import Mutation, analyze
from reactive_kernel.core.errors import SqlError
from reactive_kernel.core.sql import TableChange, parse_magic_line, sql_facts


def names(text: str) -> set[str]:
    return set(text.split())


# (SQL body, reads, created, dropped)
CASES = [
    # --- FROM and JOIN
    ("SELECT * FROM df", "df", "", ""),
    ("select a from df", "df", "", ""),
    ("SELECT * FROM df AS d", "df", "", ""),
    ("SELECT * FROM df d WHERE d.x > 1", "df", "", ""),
    ("SELECT * FROM a, b", "a b", "", ""),
    ("SELECT * FROM a x, b AS y, c", "a b c", "", ""),
    ("SELECT * FROM a AS x(c1, c2), b", "a b", "", ""),
    ("SELECT * FROM a JOIN b ON a.id = b.id", "a b", "", ""),
    ("SELECT * FROM a LEFT OUTER JOIN b USING (id) NATURAL JOIN c", "a b c", "", ""),
    ("SELECT * FROM a ASOF JOIN b ON a.t >= b.t POSITIONAL JOIN c", "a b c", "", ""),
    ("SELECT * FROM a, b JOIN c ON true", "a b c", "", ""),
    ("SELECT * FROM a WHERE x IN (SELECT y FROM b)", "a b", "", ""),
    ("SELECT (SELECT max(v) FROM b) AS m FROM a", "a b", "", ""),
    ("SELECT * FROM (SELECT * FROM inner_t) sub, outer_t", "inner_t outer_t", "", ""),
    ("SELECT * FROM a WHERE EXISTS (FROM b)", "a b", "", ""),
    ("SELECT * FROM a UNION ALL SELECT * FROM b", "a b", "", ""),
    ("SELECT * FROM a CROSS JOIN LATERAL (SELECT * FROM b) l", "a b", "", ""),
    ("FROM df", "df", "", ""),
    ("FROM df SELECT a", "df", "", ""),
    ("FROM df WHERE x GROUP BY y ORDER BY z LIMIT 3", "df", "", ""),
    ("SELECT * FROM df USING SAMPLE 10%", "df", "", ""),
    ("SELECT * FROM df TABLESAMPLE 10%", "df", "", ""),
    ("SELECT * FROM df QUALIFY row_number() OVER (PARTITION BY g) = 1", "df", "", ""),
    # --- names that are not tables
    ("SELECT * FROM read_csv('data.csv')", "", "", ""),
    ("SELECT * FROM range(10) r(i), df", "df", "", ""),
    ("SELECT * FROM 'data.parquet'", "", "", ""),
    ("SELECT * FROM main.t", "", "", ""),
    ("SELECT * FROM db.main.t JOIN u ON true", "u", "", ""),
    ('SELECT * FROM "my table"', "", "", ""),
    ('SELECT * FROM "df"', "df", "", ""),
    ('SELECT * FROM "class"', "", "", ""),
    ("SELECT extract(year FROM ts) FROM t", "t", "", ""),
    ("SELECT substring(s FROM 2 FOR 3), trim(both 'x' FROM s) FROM t", "t", "", ""),
    ("SELECT a IS DISTINCT FROM b, a IS NOT DISTINCT FROM c FROM t", "t", "", ""),
    ("SELECT * FROM unnest([1, 2]) u(x)", "", "", ""),
    ("SELECT * FROM (VALUES (1), (2)) v(x)", "", "", ""),
    ("SELECT 1", "", "", ""),
    ("", "", "", ""),
    # --- comments and strings never count
    ("SELECT 1 -- FROM a\n", "", "", ""),
    ("SELECT 1 /* FROM a */ FROM b", "b", "", ""),
    ("SELECT 1 /* nested /* FROM a */ still FROM c */ FROM b", "b", "", ""),
    ("SELECT 'FROM a' AS s FROM b", "b", "", ""),
    ("SELECT 'it''s FROM a' FROM b", "b", "", ""),
    ("SELECT E'\\' FROM a' FROM b", "b", "", ""),
    ("SELECT $$ FROM a $$, $q$ FROM c $q$ FROM b", "b", "", ""),
    ("SELECT 'unclosed FROM a", "", "", ""),
    ("SELECT 1 /* unclosed FROM a", "", "", ""),
    # --- CTEs are the statement's own
    ("WITH c AS (SELECT * FROM src) SELECT * FROM c", "src", "", ""),
    ("WITH RECURSIVE r(n) AS (SELECT 1 UNION SELECT n + 1 FROM r) SELECT * FROM r", "", "", ""),
    ("WITH a AS (FROM x), b AS MATERIALIZED (FROM a) SELECT * FROM b JOIN y ON true", "x y", "", ""),
    ("WITH c AS (SELECT 1) SELECT * FROM c; SELECT * FROM c", "c", "", ""),
    ("CREATE TABLE t AS WITH c AS (FROM src) FROM c", "src", "t", ""),
    ("SELECT CAST(x AS TIMESTAMP WITH TIME ZONE) FROM t", "t", "", ""),
    # --- CREATE, DROP
    ("CREATE TABLE t AS SELECT * FROM df", "df", "t", ""),
    ("CREATE TABLE t (a INTEGER, b VARCHAR)", "", "t", ""),
    ("create or replace temp table t as from df", "df", "t", ""),
    ("CREATE TEMPORARY TABLE IF NOT EXISTS t AS SELECT 1", "", "t", ""),
    ("CREATE VIEW v AS SELECT * FROM t", "t", "v", ""),
    ("CREATE OR REPLACE VIEW v (a) AS SELECT 1", "", "v", ""),
    ('CREATE TABLE "quoted" AS SELECT 1', "", "quoted", ""),
    ("CREATE TABLE main.t AS SELECT 1", "", "", ""),
    ("CREATE TABLE t (id INTEGER REFERENCES parent (id))", "parent", "t", ""),
    ("CREATE MACRO m(a) AS a + 1", "", "", ""),
    ("CREATE SEQUENCE s", "", "", ""),
    ("CREATE TABLE t AS SELECT 1; SELECT * FROM t", "", "t", ""),
    ("SELECT * FROM t; CREATE TABLE t AS SELECT 1", "t", "t", ""),
    ("CREATE OR REPLACE TABLE t AS SELECT * FROM t", "t", "t", ""),
    ("CREATE TABLE a AS SELECT 1; CREATE VIEW b AS FROM a", "", "a b", ""),
    ("DROP TABLE t", "t", "", "t"),
    ("DROP TABLE IF EXISTS t", "", "", "t"),
    ("DROP VIEW IF EXISTS a, b CASCADE", "", "", "a b"),
    ("DROP TABLE main.t", "", "", ""),
    ("DROP MACRO m", "", "", ""),
    ("CREATE TABLE tmp AS SELECT 1; DROP TABLE tmp", "", "", ""),
    ("CREATE TABLE tmp AS FROM df; CREATE TABLE out AS FROM tmp; DROP TABLE tmp", "df", "out", ""),
    ("DROP TABLE IF EXISTS t; CREATE TABLE t AS SELECT 1", "", "t", "t"),
    # --- statements that change a table read it too
    ("INSERT INTO t VALUES (1)", "t", "", ""),
    ("INSERT INTO t (a, b) SELECT a, b FROM df", "t df", "", ""),
    ("INSERT OR REPLACE INTO t BY NAME FROM df", "t df", "", ""),
    ("INSERT INTO t VALUES (1) ON CONFLICT DO UPDATE SET a = 2", "t", "", ""),
    ("UPDATE t SET a = s.a FROM s WHERE t.id = s.id", "t s", "", ""),
    ("DELETE FROM t WHERE a > 1", "t", "", ""),
    ("DELETE FROM t USING other WHERE t.id = other.id", "t other", "", ""),
    ("ALTER TABLE t ADD COLUMN c INTEGER", "t", "", ""),
    ("ALTER TABLE IF EXISTS t RENAME COLUMN a TO b", "t", "", ""),
    ("MERGE INTO t USING src ON t.id = src.id WHEN MATCHED THEN DELETE", "t src", "", ""),
    ("COPY t TO 'out.csv' (HEADER)", "t", "", ""),
    ("COPY t FROM 'in.csv'", "t", "", ""),
    ("COPY (SELECT * FROM df) TO 'out.parquet' WITH (FORMAT parquet)", "df", "", ""),
    ("COPY FROM DATABASE a TO b", "", "", ""),
    ("CREATE TABLE t AS SELECT 1; INSERT INTO t VALUES (2)", "", "t", ""),
    # --- other statements
    ("DESCRIBE df", "df", "", ""),
    ("SUMMARIZE df", "df", "", ""),
    ("SUMMARIZE SELECT * FROM df", "df", "", ""),
    ("TABLE t", "t", "", ""),
    ("PIVOT df ON year USING sum(v)", "df", "", ""),
    ("EXPLAIN SELECT * FROM df", "df", "", ""),
    ("SHOW TABLES", "", "", ""),
    ("ATTACH 'file.db' AS db; USE db", "", "", ""),
    ("SET threads = 2; PRAGMA version; INSTALL httpfs; LOAD httpfs", "", "", ""),
    ("BEGIN; CREATE TABLE t AS FROM df; COMMIT", "df", "t", ""),
]


@pytest.mark.parametrize(("body", "reads", "created", "dropped"), CASES, ids=[c[0][:60] for c in CASES])
def test_reads_created_dropped(body: str, reads: str, created: str, dropped: str) -> None:
    facts = sql_facts("", body)
    assert set(facts.reads) == names(reads)
    assert {name for name, _kind in facts.created} == names(created)
    assert set(facts.dropped) == names(dropped)


def test_created_kinds_in_order() -> None:
    facts = sql_facts("", "CREATE VIEW v AS SELECT 1;\nCREATE TABLE t AS SELECT 2;\nCREATE VIEW w AS FROM t")
    assert facts.created == (("v", "view"), ("t", "table"), ("w", "view"))


# (SQL body, changes as (name, line, how))
CHANGES = [
    ("INSERT INTO t VALUES (1)", [("t", 1, "INSERT INTO t")]),
    ("SELECT 1;\n\nUPDATE t SET a = 1", [("t", 3, "UPDATE t")]),
    ("DELETE FROM t", [("t", 1, "DELETE FROM t")]),
    ("ALTER TABLE t ADD COLUMN c INT", [("t", 1, "ALTER TABLE t")]),
    ("DROP VIEW IF EXISTS v", [("v", 1, "DROP VIEW v")]),
    ("COPY t FROM 'x.csv'", [("t", 1, "COPY t FROM ...")]),
    ("MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE", [("t", 1, "MERGE INTO t")]),
    ("CREATE TABLE t AS SELECT 1;\nINSERT INTO t VALUES (2)", []),  # its own table
    ("SELECT * FROM t", []),
    ("COPY t TO 'x.csv'", []),
]


@pytest.mark.parametrize(("body", "expected"), CHANGES, ids=[c[0][:60] for c in CHANGES])
def test_changes(body: str, expected: list[tuple[str, int, str]]) -> None:
    assert sql_facts("", body).changes == tuple(TableChange(*c) for c in expected)


# (magic line, result name, connection)
MAGIC_LINES = [
    ("", None, None),
    ("   ", None, None),
    ("res", "res", None),
    ("  res  ", "res", None),
    ("_private", "_private", None),
    ("-c con", None, "con"),
    ("--con con", None, "con"),
    ("--con=con", None, "con"),
    ("res -c con", "res", "con"),
    ("-c con res", "res", "con"),
    ("résultat", "résultat", None),
]


@pytest.mark.parametrize(("line", "result", "connection"), MAGIC_LINES, ids=[repr(c[0]) for c in MAGIC_LINES])
def test_magic_line(line: str, result: str | None, connection: str | None) -> None:
    assert parse_magic_line(line) == (result, connection)
    facts = sql_facts(line, "SELECT 1")
    assert (facts.result, facts.connection) == (result, connection)


# (magic line, body, what the error says)
BAD = [
    ("1abc", "", "the result name '1abc' is not a valid Python name"),
    ("class", "", "the result name 'class' is not a valid Python name"),
    ("a.b", "", "the result name 'a.b' is not a valid Python name"),
    ("a b", "", "one result name only, got 'a' and 'b'"),
    ("--out x", "", "unknown option '--out'"),
    ("-x", "", "unknown option '-x'"),
    ("-c", "", "-c needs a connection name"),
    ("--con=", "", "--con= needs a connection name"),
    ("-c 1con", "", "the connection '1con' is not a Python name"),
    ("-c a -c b", "", "names the connection twice"),
    ("t", "CREATE TABLE t AS SELECT 1", "the result name is also a table this cell creates"),
]


@pytest.mark.parametrize(("line", "body", "message"), BAD, ids=[c[0] for c in BAD])
def test_bad_magic_lines(line: str, body: str, message: str) -> None:
    with pytest.raises(SqlError) as info:
        sql_facts(line, body)
    assert info.value.line == 1
    assert message in str(info.value)
    assert str(info.value).startswith("line 1: ")
    assert "usage: %%sql [result_name]" in str(info.value) or "pick another" in str(info.value)


# (cell source, defs, refs): what the graph sees of a %%sql cell
CELLS = [
    ("%%sql\nSELECT * FROM df", "", "df"),
    ("%%sql res\nSELECT * FROM df", "res", "df"),
    ("%%sql _res\nSELECT * FROM df", "", "df"),
    ("%%sql -c con\nSELECT * FROM t", "", "con t"),
    ("%%sql res --con db\nFROM t", "res", "db t"),
    ("%%sql\nCREATE TABLE t AS SELECT * FROM df", "t", "df"),
    ("%%sql out\nCREATE VIEW v AS FROM df;\nSELECT * FROM v JOIN w USING (id)", "out v", "df w"),
    ("%%sql\nSELECT * FROM _private", "", ""),
    ("%%sql\nSELECT * FROM print", "", ""),  # a builtin is not a ref
    ("%%sql\nSELECT 'FROM x' -- FROM y", "", ""),
    ("%%time\n%%sql r\nSELECT * FROM df", "r", "df"),
    ("\n\n%%sql r\nSELECT * FROM df", "r", "df"),
]


@pytest.mark.parametrize(("source", "defs", "refs"), CELLS, ids=[c[0][:60] for c in CELLS])
def test_cells(source: str, defs: str, refs: str) -> None:
    facts = analyze(source)
    assert facts.error is None
    assert (set(facts.defs), set(facts.refs)) == (names(defs), names(refs))


def test_cell_private_result_and_dropped_tables() -> None:
    facts = analyze("%%sql _r\nDROP TABLE IF EXISTS old;\nSELECT 1")
    assert facts.private == {"_r"}
    assert facts.deleted == {"old"}


def test_cell_changes_become_mutation_warnings_on_cell_lines() -> None:
    facts = analyze("%%sql\nSELECT 1;\nINSERT INTO t VALUES (1);\nDELETE FROM u")
    assert facts.mutations == (Mutation("t", 3, "INSERT INTO t"), Mutation("u", 4, "DELETE FROM u"))


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("%%sql 1abc\nSELECT 1", "SyntaxError: %%sql: the result name '1abc' is not a valid Python name"),
        ("%%sql --nope\nSELECT 1", "SyntaxError: %%sql: unknown option '--nope'"),
        ("x = 1\n\n%%sql --nope\nSELECT 1", None),  # not a cell magic there: plain Python's error
    ],
)
def test_bad_magic_line_is_the_cells_error(source: str, error: str | None) -> None:
    facts = analyze(source)
    assert facts.error is not None
    if error is not None:
        assert facts.error.startswith(error)
        assert facts.error.endswith("(line 1)")


def test_bad_magic_line_error_names_its_line_after_blank_lines() -> None:
    assert analyze("\n\n%%sql 1abc\nSELECT 1").error.endswith("(line 3)")


def test_table_is_large_enough() -> None:
    assert len(CASES) + len(CHANGES) + len(MAGIC_LINES) + len(BAD) + len(CELLS) >= 140
