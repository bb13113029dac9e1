"""%%sql cells on a real reactive kernel process, driven over its comm as the JupyterLab extension does."""

from __future__ import annotations

import pytest

from tests.frontend import Frontend

pytest.importorskip("duckdb", reason="%%sql cells run on DuckDB: pip install duckdb")
pytest.importorskip("pandas", reason="the scenarios start from pandas dataframes")

FRAME = 'import pandas as pd\ndf = pd.DataFrame({"g": ["a", "b", "a"], "v": [1, 2, 3]})'
AGGREGATE = "%%sql result\nSELECT g, sum(v)::INT AS s\nFROM df\nGROUP BY g ORDER BY g"


@pytest.fixture
def fe():
    frontend = Frontend()
    yield frontend
    frontend.shutdown()


def html(execution) -> str:
    return "".join(o["data"].get("text/html", "") for o in execution.outputs if o.get("data"))


def probe(fe: Frontend, code: str) -> str:
    """Run code outside the graph (no cell id) and return what it printed."""
    return fe.execute(None, code).stdout.strip()


def test_dataframe_to_sql_to_python_and_rerun(fe):
    fe.cells.update({"a": FRAME, "b": AGGREGATE, "c": 'print(result.to_dict("list"))'})
    fe.sync()
    b = fe.states["b"]
    assert (b["defs"], b["refs"], b["parents"], b["children"]) == (["result"], ["df"], ["a"], ["c"])
    results = fe.run("a")
    assert fe.executed == ["a", "b", "c"]
    assert "<table" in html(results["b"]) and "<td>4</td>" in html(results["b"])
    assert results["c"].stdout == "{'g': ['a', 'b'], 's': [4, 2]}\n"
    fe.cells["a"] = FRAME.replace("[1, 2, 3]", "[10, 20, 30]")
    fe.sync()
    results = fe.run("a")
    assert fe.executed[3:] == ["a", "b", "c"]
    assert results["c"].stdout == "{'g': ['a', 'b'], 's': [40, 20]}\n"
    assert fe.statuses() == {"a": "fresh", "b": "fresh", "c": "fresh"}


def test_created_table_links_sql_cells_and_its_cell_reruns(fe):
    fe.cells.update(
        {
            "a": FRAME,
            "t1": "%%sql\nCREATE TABLE t AS SELECT * FROM df WHERE v > 1",
            "t2": "%%sql n\nSELECT count(*)::INT AS n FROM t",
            "t3": "print(n.n[0], t)",
        }
    )
    fe.sync()
    assert (fe.states["t1"]["defs"], fe.states["t1"]["refs"]) == (["t"], ["df"])
    assert fe.states["t2"]["parents"] == ["t1"]
    results = fe.run("a")
    assert fe.executed == ["a", "t1", "t2", "t3"]
    assert results["t3"].stdout == "2 <DuckDB table t>\n"
    results = fe.run("t1")  # CREATE TABLE t again: the kernel deleted t, so its old table went too
    assert results["t1"].status == "ok"
    assert results["t3"].stdout == "2 <DuckDB table t>\n"
    fe.cells["a"] = FRAME.replace("[1, 2, 3]", "[5, 6, 7]")
    fe.sync()
    assert fe.run("a")["t3"].stdout == "3 <DuckDB table t>\n"


def test_deleting_the_creating_cell_drops_its_table(fe):
    fe.cells.update({"t1": "%%sql\nCREATE TABLE t AS SELECT 1 AS x", "t2": "%%sql\nSELECT * FROM t"})
    fe.sync()
    fe.run("t1")
    del fe.cells["t1"]
    fe.sync()
    execution = fe.execute("t2", fe.cells["t2"])
    assert execution.status == "error"
    assert execution.reply["ename"] == "SqlError"
    assert "Table with name t does not exist" in execution.reply["evalue"]


def test_error_names_the_cell_line_and_keeps_nothing(fe):
    fe.cells.update(
        {
            "e": "%%sql bad\nCREATE TABLE made AS SELECT 1 AS x;\nSELECT zz FROM made",
            "r": "print(bad)",
        }
    )
    fe.sync()
    results = fe.run("e")
    reply = results["e"].reply
    assert (reply["status"], reply["ename"]) == ("error", "SqlError")
    assert reply["evalue"].startswith('line 3: Binder Error: Referenced column "zz" not found')
    error = next(o for o in results["e"].outputs if "ename" in o)
    assert "Traceback" not in "".join(error["traceback"]) and "File " not in "".join(error["traceback"])
    assert fe.statuses() == {"e": "error", "r": "blocked"}
    assert probe(fe, "print('bad' in globals(), 'made' in globals())") == "False False"
    count = "%%sql\nSELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'made'"
    assert fe.execute(None, count).outputs[-1]["data"]["text/plain"].split()[-1] == "0"
    fe.cells["e"] = fe.cells["e"].replace("zz", "x")
    fe.sync()
    results = fe.run("e")
    assert results["r"].stdout.split() == ["x", "0", "1"]


def test_without_a_result_name_nothing_is_defined_and_the_table_is_shown(fe):
    fe.cells.update({"a": FRAME, "q": "%%sql\nSELECT * FROM df ORDER BY v"})
    fe.sync()
    assert (fe.states["q"]["defs"], fe.states["q"]["refs"]) == ([], ["df"])
    results = fe.run("a")
    assert results["q"].status == "ok"
    assert html(results["q"]).count("</tr>") == 4  # header and three rows
    assert probe(fe, "print(sorted(k for k in globals() if not k.startswith('_') and k.islower()))") == (
        "['df', 'exit', 'get_ipython', 'open', 'pd', 'quit']"
    )


def test_named_connection_is_a_ref(fe):
    fe.cells.update(
        {
            "c": "import duckdb\ncon = duckdb.connect()\ncon.execute('CREATE TABLE kept AS SELECT 42 AS x')",
            "q": "%%sql r -c con\nSELECT x + 1 AS y FROM kept",
            "p": "print(r.y[0])",
        }
    )
    fe.sync()
    assert (fe.states["q"]["refs"], fe.states["q"]["parents"]) == (["con", "kept"], ["c"])
    assert fe.run("c")["p"].stdout == "43\n"


def test_bad_magic_line_is_the_cells_error(fe):
    fe.cells.update({"q": "%%sql 1abc\nSELECT 1"})
    fe.sync()
    execution = fe.execute("q", fe.cells["q"])
    assert execution.reply["ename"] == "SqlError"
    assert execution.reply["evalue"].startswith("line 1: %%sql: the result name '1abc' is not a valid")


def test_changing_another_cells_table_warns(fe):
    fe.send({"type": "set_definitions", "definitions": "unique"})  # the rule under test
    fe.cells.update(
        {"t1": "%%sql\nCREATE TABLE t (x INTEGER)", "w": "%%sql\nSELECT 1;\nINSERT INTO t VALUES (1)"}
    )
    fe.sync()
    fe.run("t1")
    fe.execute("w", fe.cells["w"])
    warning = fe.shown(fe.states["w"]["warnings"][0])
    assert warning.startswith("line 3: `INSERT INTO t` mutates 't', which cell #1 (t) defines.")


def test_polars_and_pyarrow_inputs(fe):
    pytest.importorskip("polars", reason="polars is not installed")
    pytest.importorskip("pyarrow", reason="pyarrow is not installed")
    fe.cells.update(
        {
            "p": "import polars as pl\npf = pl.DataFrame({'v': [1, 2, 3]})",
            "a": "import pyarrow as pa\narrow_t = pa.table({'v': [10, 20]})",
            "q": "%%sql s\nSELECT (SELECT sum(v) FROM pf)::INT AS p, (SELECT sum(v) FROM arrow_t)::INT AS a",
            "r": "print(s.p[0], s.a[0])",
        }
    )
    fe.sync()
    assert fe.states["q"]["parents"] == ["p", "a"]
    fe.run("p")  # q needs a too: the kernel has it run first
    assert fe.statuses() == dict.fromkeys("paqr", "fresh")
    assert fe.execute("r", fe.cells["r"]).stdout == "6 30\n"
