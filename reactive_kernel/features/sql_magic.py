"""The `%%sql` cell magic: DuckDB over the notebook's dataframes, with its result and tables as globals.

The reactive kernel registers it; in plain IPython, `%load_ext reactive_kernel.features.sql_magic`. What the
kernel's graph sees of a cell comes from `reactive_kernel.core.sql` (static); this module only runs it.

A table or view the magic creates on the kernel's own connection lives as long as the global of the
same name holds its `SqlTable`. The kernel deletes a cell's globals before the cell runs again and when
the cell is deleted, so before each `%%sql` cell the magic drops the tables whose global is gone: the
re-run cell's `CREATE TABLE t` then works, and a deleted cell's tables disappear with its globals.
"""

from __future__ import annotations

import importlib
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, magics_class, no_var_expand

from reactive_kernel.core.errors import SqlError
from reactive_kernel.core.sql import SqlFacts, sql_facts

_FRAMES = frozenset(
    {
        ("pandas", "DataFrame"),
        ("polars", "DataFrame"),
        ("polars", "LazyFrame"),
        ("pyarrow", "Table"),
        ("pyarrow", "RecordBatch"),
        ("pyarrow", "RecordBatchReader"),
        ("pyarrow", "Dataset"),
    }
)
_BODY_LINE = 2  # the magic line is the cell's first line, so the SQL starts on line 2


def is_frame(value: object) -> bool:
    """A dataframe DuckDB can scan; checked by type name, so pandas, polars and pyarrow stay unimported."""
    return any((c.__module__.partition(".")[0], c.__name__) in _FRAMES for c in type(value).__mro__)


def is_connection(value: object) -> bool:
    cls = type(value)
    return cls.__name__ == "DuckDBPyConnection" and cls.__module__.lstrip("_").startswith("duckdb")


class SqlTable:
    """The value of a global naming a table or view a `%%sql` cell created; the rows stay in DuckDB."""

    __slots__ = ("connection", "kind", "name")

    def __init__(self, connection: Any, name: str, kind: str) -> None:
        self.connection = connection  # the DuckDB connection the table lives on
        self.name = name  # its name there, the same as the global's
        self.kind = kind  # "table" or "view"

    def relation(self) -> Any:
        """The table as a DuckDB relation (lazy): `.df()`, `.pl()`, `.arrow()`, `.filter(...)`."""
        return self.connection.table(self.name)

    def df(self) -> Any:
        """The whole table as a pandas DataFrame."""
        return self.relation().df()

    def drop(self) -> None:
        """Drop it if it still exists; never raises (the table may have become a view, or the reverse)."""
        quoted = '"' + self.name.replace('"', '""') + '"'
        for kind in dict.fromkeys([self.kind, "table", "view"]):
            try:
                self.connection.execute(f"DROP {kind} IF EXISTS {quoted}")
                return
            except Exception:  # duckdb.Error, or a closed connection: try the other kind, then give up
                continue

    def __repr__(self) -> str:
        return f"<DuckDB {self.kind} {self.name}>"


@magics_class
class SqlMagics(Magics):
    def __init__(self, shell: Any) -> None:
        super().__init__(shell)
        self.connection: Any = None  # the kernel's own in-memory DuckDB, made by the first %%sql cell
        self._owned: dict[str, SqlTable] = {}  # tables made on it, dropped once their global is gone

    @no_var_expand
    @cell_magic
    def sql(self, line: str, cell: str) -> object | None:
        """%%sql [result_name] [-c|--con CONNECTION]: run the cell's SQL on DuckDB and show the result.

        Dataframes (pandas, polars, pyarrow) named as tables in the query are read from the notebook's
        globals. The last statement's result is shown and, with result_name, assigned to it. Tables and
        views the cell creates become globals. Errors name the cell line; on an error nothing is kept.
        """
        facts = sql_facts(line, cell)
        sql_run = _sql_run()
        ns = self.shell.user_ns
        con = self._connection(facts.connection, ns)
        if con is self.connection:
            self._sweep(ns)
        frames = {name: ns[name] for name in sorted(facts.reads) if is_frame(ns.get(name))}
        result = sql_run.run(con, cell, frames, _BODY_LINE, own=con is self.connection)
        self._keep(facts, con, result, ns)
        return result

    def _connection(self, name: str | None, ns: dict[str, Any]) -> Any:
        if name is None:
            if self.connection is None:
                self.connection = _sql_run().connect()
            return self.connection
        if name not in ns:
            raise SqlError(1, f"%%sql -c {name}: no global named {name!r}; assign it duckdb.connect(...)")
        if not is_connection(ns[name]):
            kind = type(ns[name]).__name__
            raise SqlError(1, f"%%sql -c {name}: {name!r} holds a {kind}, not a DuckDB connection")
        return ns[name]

    def _sweep(self, ns: dict[str, Any]) -> None:
        """Drop the tables whose global was deleted (the cell that made them re-runs, or is gone)."""
        for name, table in list(self._owned.items()):
            if ns.get(name) is not table:
                del self._owned[name]
                table.drop()

    def _keep(self, facts: SqlFacts, con: Any, result: object, ns: dict[str, Any]) -> None:
        """Everything succeeded: now, and only now, bind the result and the created tables."""
        for name in facts.dropped:
            held = ns.get(name)
            if isinstance(held, SqlTable) and held.connection is con:
                del ns[name]
                self._owned.pop(name, None)
        for name, kind in facts.created:
            table = ns[name] = SqlTable(con, name, kind)
            if con is self.connection:
                self._owned[name] = table
        if facts.result is not None:
            ns[facts.result] = result


def _sql_run() -> Any:
    """The module that imports DuckDB, imported on the first %%sql cell so the kernel starts without it."""
    try:
        return importlib.import_module("reactive_kernel.features.sql_run")
    except ImportError as exc:
        if exc.name != "duckdb":
            raise
        raise UsageError("%%sql runs on DuckDB, which is not installed: pip install duckdb") from None


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext reactive_kernel.features.sql_magic` in plain IPython (the reactive kernel loads it)."""
    ipython.register_magics(SqlMagics(ipython))
