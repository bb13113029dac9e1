"""The %%sql magic in process on a real DuckDB: results, tables as globals, errors by cell line, atomicity."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import pytest

duckdb = pytest.importorskip("duckdb", reason="the %%sql magic runs on DuckDB: pip install duckdb")
pd = pytest.importorskip("pandas", reason="results are pandas DataFrames when pandas is installed")

from IPython.core.error import UsageError  # noqa: E402

from reactive_kernel.core.errors import SqlError  # noqa: E402
from reactive_kernel.features.sql_magic import SqlMagics, SqlTable, is_connection, is_frame  # noqa: E402
from reactive_kernel.features.sql_run import Rows  # noqa: E402


class Cells:
    """A namespace and the magic, as a kernel holds them; `run` is one %%sql cell."""

    def __init__(self) -> None:
        self.ns: dict[str, object] = {}
        self.magics = SqlMagics(SimpleNamespace(user_ns=self.ns))

    def run(self, cell: str) -> object:
        line, _, body = cell.partition("\n")
        assert line.startswith("%%sql")
        return self.magics.sql(line[len("%%sql") :], body)

    def error(self, cell: str) -> SqlError:
        with pytest.raises(SqlError) as info:
            self.run(cell)
        return info.value

    def tables(self) -> set[str]:
        con = self.magics.connection
        return {row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


@pytest.fixture
def cells() -> Cells:
    return Cells()


@pytest.fixture
def frame() -> object:
    return pd.DataFrame({"g": ["a", "b", "a"], "v": [1, 2, 3]})


def test_result_is_a_dataframe_bound_to_the_name(cells, frame):
    cells.ns["df"] = frame
    result = cells.run("%%sql res\nSELECT g, sum(v)::INT AS s\nFROM df\nGROUP BY g ORDER BY g")
    assert isinstance(result, pd.DataFrame)
    assert result.to_dict("list") == {"g": ["a", "b"], "s": [4, 2]}
    assert cells.ns["res"] is result


def test_without_a_name_nothing_is_bound(cells, frame):
    cells.ns["df"] = frame
    result = cells.run("%%sql\nSELECT count(*) AS n FROM df")
    assert result.to_dict("list") == {"n": [3]}
    assert set(cells.ns) == {"df"}


def test_private_result_name_is_still_bound(cells):
    cells.run("%%sql _r\nSELECT 1 AS x")
    assert cells.ns["_r"].to_dict("list") == {"x": [1]}


def test_a_result_feeds_the_next_sql_cell(cells):
    cells.run("%%sql first\nSELECT 1 AS x UNION ALL SELECT 2")
    assert cells.run("%%sql\nSELECT sum(x)::INT AS s FROM first").to_dict("list") == {"s": [3]}


def test_dataframes_are_visible_only_for_the_query(cells, frame):
    cells.ns["df"] = frame
    cells.run("%%sql\nSELECT * FROM df")
    with pytest.raises(duckdb.CatalogException):
        cells.magics.connection.execute("SELECT * FROM df")


def test_a_dataframe_the_query_does_not_name_is_not_found(cells, frame):
    cells.ns["df"] = frame
    error = cells.error("%%sql\nSELECT * FROM main.df")  # qualified: not a ref, so not registered
    assert "df does not exist" in str(error)


def test_created_tables_become_globals_holding_a_handle(cells, frame):
    cells.ns["df"] = frame
    assert cells.run("%%sql\nCREATE TABLE t AS SELECT * FROM df;\nCREATE VIEW v AS SELECT g FROM t") is None
    assert isinstance(cells.ns["t"], SqlTable) and repr(cells.ns["t"]) == "<DuckDB table t>"
    assert repr(cells.ns["v"]) == "<DuckDB view v>"
    assert cells.ns["t"].df().to_dict("list") == frame.to_dict("list")
    assert cells.ns["v"].relation().fetchall() == [("a",), ("b",), ("a",)]
    assert cells.run("%%sql\nSELECT sum(v)::INT AS s FROM t").to_dict("list") == {"s": [6]}


def test_a_table_whose_global_is_deleted_is_dropped_before_the_next_cell(cells):
    cells.run("%%sql\nCREATE TABLE t AS SELECT 1 AS x")
    del cells.ns["t"]  # what the kernel does before the cell runs again
    cells.run("%%sql\nCREATE TABLE t AS SELECT 2 AS x")
    assert cells.ns["t"].df().to_dict("list") == {"x": [2]}
    del cells.ns["t"]  # the cell was deleted
    cells.run("%%sql\nSELECT 1")
    assert "t" not in cells.tables()


def test_a_table_whose_global_was_replaced_is_dropped(cells):
    cells.run("%%sql\nCREATE VIEW v AS SELECT 1 AS x")
    cells.ns["v"] = 5
    cells.run("%%sql\nSELECT 1")
    assert "v" not in cells.tables()
    assert cells.ns["v"] == 5


def test_while_its_global_holds_it_a_table_stays(cells):
    cells.run("%%sql\nCREATE TABLE t AS SELECT 1 AS x")
    error = cells.error("%%sql\nCREATE TABLE t AS SELECT 2 AS x")  # plain IPython: re-run without delete
    assert "already exists" in str(error)
    cells.run("%%sql\nCREATE OR REPLACE TABLE t AS SELECT 3 AS x")
    assert cells.ns["t"].df().to_dict("list") == {"x": [3]}


def test_drop_table_removes_the_global(cells):
    cells.run("%%sql\nCREATE TABLE t AS SELECT 1 AS x")
    cells.run("%%sql\nDROP TABLE t")
    assert "t" not in cells.ns and "t" not in cells.tables()


def test_a_table_created_and_dropped_in_the_cell_leaves_nothing(cells):
    cells.run("%%sql out\nCREATE TABLE tmp AS SELECT 1 AS x;\nSELECT * FROM tmp;\nDROP TABLE tmp")
    assert "tmp" not in cells.ns and "tmp" not in cells.tables()
    assert cells.ns["out"] is None  # the last statement (DROP) has no rows


def test_dml_shows_the_row_count(cells):
    cells.run("%%sql\nCREATE TABLE t (x INTEGER)")
    assert cells.run("%%sql\nINSERT INTO t VALUES (1), (2)").iloc[0, 0] == 2


def test_explicit_transactions_are_left_to_the_cell(cells):
    cells.run("%%sql\nBEGIN;\nCREATE TABLE t AS SELECT 1 AS x;\nCOMMIT")
    assert "t" in cells.tables()


# -- errors --------------------------------------------------------------------------------------

# (cell, the line the error names, words in it)
ERRORS = [
    ("%%sql\nSELECT 1 FORM x", 2, "syntax error"),
    ("%%sql\nSELECT 1;\nSELECT 2;\nSELECT zz FORM t", 4, "syntax error"),
    ("%%sql\n\n\nSELECT zz", 4, 'column "zz"'),
    ("%%sql\nSELECT 1 AS a;\n\nSELECT a,\n  zz\nFROM (SELECT 1 AS a)", 5, 'column "zz" not found'),
    ("%%sql\nSELECT * FROM nowhere", 2, "nowhere does not exist"),
    ("%%sql\nSELECT 1;\n  SELECT CAST('x' AS INTEGER)", 3, "Could not convert"),
    (
        "%%sql\nCREATE TABLE k (a INTEGER PRIMARY KEY);\nINSERT INTO k VALUES (1),\n (1)",
        3,
        "duplicate key",
    ),  # no LINE from DuckDB: the statement's first line
    ("%%sql\n-- a comment\n/* another */ SELECT zz", 3, 'column "zz"'),
    (
        "%%sql\nCREATE TABLE p (a INT PRIMARY KEY);\n-- then\n/* a note */\nINSERT INTO p VALUES (1), (1)",
        5,
        "duplicate key",
    ),  # the statement's first token, past the comments before it
    ("%%sql\nSELECT 'é' || 'ß';\nSELECT zz FORM t", 3, "syntax error"),  # DuckDB counts bytes
]


@pytest.mark.parametrize(("cell", "line", "words"), ERRORS, ids=[repr(c[0][6:40]) for c in ERRORS])
def test_errors_name_the_cell_line(cells, cell, line, words):
    error = cells.error(cell)
    assert error.line == line
    assert str(error).startswith(f"line {line}: ")
    assert words in str(error)
    assert "LINE " not in str(error)  # DuckDB's statement-relative numbering is gone


def test_error_shows_the_line_with_carets_under_the_mistake(cells):
    error = cells.error("%%sql\nSELECT 1 AS a\nFROM (SELECT 1) WHERE zz > 1")
    assert str(error).endswith("\n    FROM (SELECT 1) WHERE zz > 1\n                          ^^")
    rendered = error._render_traceback_()
    assert rendered[0].startswith("\x1b[0;31mSqlError\x1b[0m: line 3: Binder Error: Referenced column")
    assert rendered[-1].strip() == "^^"


def test_carets_count_characters_not_bytes(cells):
    error = cells.error("%%sql\nSELECT 'é' || 'ß' AS s,\n  'ü' || zz")
    assert error.line == 3
    assert str(error).endswith("\n      'ü' || zz\n" + " " * (4 + 9) + "^^")


def test_the_kernels_connection_keeps_duckdbs_error_format_outside_cells(cells):
    cells.error("%%sql\nSELECT zz")
    cells.run("%%sql\nSELECT 1")
    con = cells.magics.connection
    assert con.execute("SELECT current_setting('errors_as_json')").fetchone() == (False,)


def test_a_cell_that_leaves_its_failed_transaction_open(cells):
    assert cells.error("%%sql\nBEGIN;\nCREATE TABLE t (a INTEGER);\nSELECT zz").line == 4
    cells.run("%%sql\nROLLBACK")
    error = cells.error("%%sql\n\nSELECT zz")
    assert error.line == 3 and str(error).endswith("\n    SELECT zz\n           ^^")


def test_errors_on_a_notebooks_connection_name_the_statement_and_leave_its_settings(cells):
    con = cells.ns["con"] = duckdb.connect()
    error = cells.error("%%sql -c con\nSELECT 1;\n\n  -- why\nSELECT a,\n  zz\nFROM (SELECT 1 AS a)")
    assert error.line == 5  # the failing statement's first line: no position is read from the message
    assert "\nLINE 6:   zz" in str(error)  # DuckDB's own context, counting the cell's lines
    assert con.execute("SELECT current_setting('errors_as_json')").fetchone() == (False,)


def test_on_error_nothing_is_kept(cells, frame):
    cells.ns["df"] = frame
    cell = "%%sql res\nCREATE TABLE made AS FROM df;\nCREATE VIEW seen AS FROM made;\nSELECT zz FROM made"
    assert cells.error(cell).line == 4
    assert "res" not in cells.ns and "made" not in cells.ns and "seen" not in cells.ns
    assert cells.tables() == set()


def test_on_error_an_earlier_result_is_not_replaced(cells):
    cells.run("%%sql res\nSELECT 1 AS x")
    cells.error("%%sql res\nSELECT zz")
    assert cells.ns["res"].to_dict("list") == {"x": [1]}  # the kernel deletes it before a re-run


class Interrupting:
    """A real DuckDB connection, but the statement mentioning `slow` stops as DuckDB does on SIGINT."""

    def __init__(self) -> None:
        self.con = duckdb.connect()

    def execute(self, query: str) -> object:
        if "slow" in query:
            raise RuntimeError("Query interrupted")  # what DuckDB raises when it sees the signal
        return self.con.execute(query)

    def __getattr__(self, name: str) -> object:
        return getattr(self.con, name)


def test_an_interrupted_cell_is_a_keyboard_interrupt_and_keeps_nothing():
    from reactive_kernel.features import sql_run

    con = Interrupting()
    with pytest.raises(KeyboardInterrupt):
        sql_run.run(con, "CREATE TABLE made AS SELECT 1 AS x;\nSELECT count(*) FROM slow", {}, 2)
    assert con.con.execute("SELECT count(*) FROM information_schema.tables").fetchall() == [(0,)]


def test_a_connection_already_in_a_transaction_is_an_error_on_the_first_statement(cells):
    con = cells.ns["con"] = duckdb.connect()
    con.execute("BEGIN TRANSACTION")
    error = cells.error("%%sql -c con\n\nSELECT 1;\nSELECT 2")
    assert error.line == 3 and "within a transaction" in str(error)


def test_bad_magic_line_raises_before_running(cells):
    error = cells.error("%%sql 1abc\nCREATE TABLE t AS SELECT 1")
    assert error.line == 1 and "not a valid Python name" in str(error)
    assert cells.magics.connection is None or "t" not in cells.tables()


def test_missing_duckdb_says_how_to_install(cells, monkeypatch):
    monkeypatch.setitem(sys.modules, "duckdb", None)
    monkeypatch.delitem(sys.modules, "reactive_kernel.features.sql_run", raising=False)
    with pytest.raises(UsageError, match="pip install duckdb"):
        cells.run("%%sql\nSELECT 1")


# -- named connections ---------------------------------------------------------------------------


def test_named_connection(cells, frame):
    con = cells.ns["con"] = duckdb.connect()
    con.execute("CREATE TABLE kept AS SELECT 42 AS x")
    cells.ns["df"] = frame
    assert cells.run("%%sql r -c con\nSELECT x FROM kept").to_dict("list") == {"x": [42]}
    cells.run("%%sql --con con\nCREATE TABLE mine AS SELECT count(*) AS n FROM df")
    assert cells.ns["mine"].connection is con
    del cells.ns["mine"]
    cells.run("%%sql\nSELECT 1")  # the kernel's connection: the user's database is never swept
    assert con.execute("SELECT n FROM mine").fetchall() == [(3,)]
    assert cells.magics.connection is not con


@pytest.mark.parametrize(
    ("value", "message"),
    [(None, "no global named 'con'"), (5, "'con' holds a int, not a DuckDB connection")],
)
def test_named_connection_errors(cells, value, message):
    if value is not None:
        cells.ns["con"] = value
    error = cells.error("%%sql -c con\nSELECT 1")
    assert error.line == 1 and message in str(error)


# -- dataframe kinds -----------------------------------------------------------------------------


def test_polars_frames():
    pl = pytest.importorskip("polars", reason="polars is not installed")
    cells = Cells()
    cells.ns["pf"] = pl.DataFrame({"v": [1, 2, 3]})
    cells.ns["lazy"] = pl.DataFrame({"v": [10]}).lazy()
    result = cells.run("%%sql\nSELECT (SELECT sum(v) FROM pf)::INT AS a, (SELECT sum(v) FROM lazy)::INT AS b")
    assert result.to_dict("list") == {"a": [6], "b": [10]}


def test_pyarrow_tables_batches_and_datasets():
    pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed")
    ds = pytest.importorskip("pyarrow.dataset", reason="pyarrow.dataset is not installed")
    cells = Cells()
    cells.ns.update(
        tbl=pa.table({"v": [1, 2]}), batch=pa.record_batch({"v": [3]}), dset=ds.dataset(pa.table({"v": [4]}))
    )
    result = cells.run(
        "%%sql\nSELECT sum(v)::INT AS s FROM (FROM tbl UNION ALL FROM batch UNION ALL FROM dset)"
    )
    assert result.to_dict("list") == {"s": [10]}


def test_type_checks_need_no_imports(frame):
    assert is_frame(frame) and not is_frame([1]) and not is_frame(None)
    assert is_connection(duckdb.connect()) and not is_connection(frame)


def test_rows_fallback_prints_a_table():
    assert repr(Rows(("a", "long"), ((1, "x"), (22, None)))) == "a   long\n--  ----\n1   x\n22  None"
