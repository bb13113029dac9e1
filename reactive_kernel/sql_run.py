"""Run a `%%sql` body on a DuckDB connection: every statement or none, errors named by their cell line.

Imported only when a `%%sql` cell runs, so the kernel starts without DuckDB.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb

from reactive_kernel.errors import SqlError

# Statement types whose result is rows worth showing; the others (CREATE, DROP, SET, ...) give None.
_ROWS = frozenset("SELECT EXPLAIN PRAGMA CALL EXECUTE RELATION MULTI INSERT UPDATE DELETE MERGE_INTO".split())
_CONTEXT = re.compile(r"^(LINE (\d+): )(.*)(?:\n( *)(\^+))?", re.M)  # DuckDB's "LINE 3: ..." and its carets


@dataclass(frozen=True)
class _Statement:
    query: str  # the statement's own text, starting at its first token
    line: int  # cell line of that first token
    kind: str  # DuckDB's StatementType name: SELECT, CREATE, ...


def connect() -> Any:
    """The kernel's own in-memory database."""
    con = duckdb.connect(":memory:")
    # Only the dataframes a query names as tables (the cell's refs) are visible, never a variable DuckDB
    # would find by looking through Python's frames behind the graph's back.
    con.execute("SET python_enable_replacements = false")
    return con


def run(con: Any, body: str, frames: Mapping[str, object], first_line: int) -> object | None:
    """Run `body` on `con` with `frames` visible as tables; the last statement's rows, or None.

    `first_line` is the cell line of the body's first line. Several statements run in one transaction
    (unless the body manages its own), so an error leaves nothing behind. Raises SqlError.
    """
    statements = _split(con, body, first_line)
    for name, frame in frames.items():
        con.register(name, frame)
    try:
        return _execute(con, statements)
    finally:
        for name in frames:
            con.unregister(name)


def _split(con: Any, body: str, first_line: int) -> list[_Statement]:
    """DuckDB's own parser splits the body; each statement keeps the line it starts on."""
    try:
        parsed = con.extract_statements(body)
    except duckdb.Error as exc:
        raise _error(exc, first_line) from None
    statements, pos = [], 0
    for statement in parsed:
        at = body.find(statement.query, pos)
        at, pos = (pos, pos) if at < 0 else (at, at + len(statement.query))
        line = first_line + body.count("\n", 0, at)
        statements.append(_Statement(statement.query, line, statement.type.name))
    return statements


def _execute(con: Any, statements: list[_Statement]) -> object | None:
    if not statements:
        return None
    atomic = len(statements) > 1 and all(s.kind != "TRANSACTION" for s in statements)
    if atomic:
        _one(con, _Statement("BEGIN TRANSACTION", statements[0].line, "TRANSACTION"))
    try:
        for statement in statements[:-1]:
            _one(con, statement)
        result = _one(con, statements[-1], fetch=True)
        if atomic:
            _one(con, _Statement("COMMIT", statements[-1].line, "TRANSACTION"))
    except BaseException:  # an error or an interrupt: undo every statement of the cell
        if atomic:
            _rollback(con)
        raise
    return result


def _one(con: Any, statement: _Statement, fetch: bool = False) -> object | None:
    try:
        cursor = con.execute(statement.query)
        return _rows(cursor) if fetch and statement.kind in _ROWS else None
    except duckdb.Error as exc:
        raise _error(exc, statement.line) from None
    except RuntimeError as exc:  # DuckDB saw the kernel's SIGINT between two of its tasks
        if str(exc) != "Query interrupted":
            raise
        raise KeyboardInterrupt from None


def _rollback(con: Any) -> None:
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:  # DuckDB already ended the transaction
        pass


def _rows(cursor: Any) -> object:
    """A pandas DataFrame (Jupyter shows it as an HTML table); without pandas, Arrow or plain rows."""
    if _have("pandas"):
        return cursor.df()
    if _have("pyarrow"):
        return (getattr(cursor, "to_arrow_table", None) or cursor.fetch_arrow_table)()
    return Rows(tuple(d[0] for d in cursor.description or ()), tuple(cursor.fetchall()))


@functools.cache
def _have(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


@dataclass(frozen=True)
class Rows:
    """A query result when neither pandas nor pyarrow is installed."""

    columns: tuple[str, ...]  # column names, in order
    rows: tuple[tuple[Any, ...], ...]  # the values, row by row

    def __repr__(self) -> str:
        table = [self.columns, *(tuple(map(str, row)) for row in self.rows)]
        widths = [max(len(str(r[i])) for r in table) for i in range(len(self.columns))]
        lines = ["  ".join(str(v).ljust(w) for v, w in zip(r, widths)).rstrip() for r in table]
        return "\n".join([lines[0], "  ".join("-" * w for w in widths), *lines[1:]])


def _error(exc: Exception, line: int) -> SqlError:
    """DuckDB says `LINE n:` relative to the statement's start; say it as a line of the cell."""
    text = str(exc).strip()
    match = _CONTEXT.search(text)
    if match is None:
        return SqlError(line, text)
    line += int(match.group(2)) - 1
    context = f"    {match.group(3)}"
    if match.group(5):
        context += f"\n    {' ' * max(len(match.group(4)) - len(match.group(1)), 0)}{match.group(5)}"
    return SqlError(line, f"{text[: match.start()].rstrip()}\n\n{context}")
