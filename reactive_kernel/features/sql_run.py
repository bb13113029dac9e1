"""Run a `%%sql` body on a DuckDB connection: every statement or none, errors named by their cell line.

Imported only when a `%%sql` cell runs, so the kernel starts without DuckDB.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import duckdb

from reactive_kernel.core.errors import SqlError

# Statement types whose result is rows worth showing; the others (CREATE, DROP, SET, ...) give None.
_ROWS = frozenset("SELECT EXPLAIN PRAGMA CALL EXECUTE RELATION MULTI INSERT UPDATE DELETE MERGE_INTO".split())
_WORD = re.compile(r"\w*")  # the carets under an error's place underline the word that starts there


@dataclass(frozen=True)
class _Cell:
    """The cell's SQL as DuckDB sees it: padded with the magic line's newline(s), so that DuckDB's own
    line numbers and ours are the cell's lines."""

    text: str  # empty lines for the lines above the SQL, then the SQL

    def line(self, at: int) -> int:
        return 1 + self.text.count("\n", 0, at)

    def caret(self, at: int) -> str:
        """The cell line holding offset `at`, and carets under the word that starts there."""
        begin = self.text.rfind("\n", 0, at) + 1
        end = self.text.find("\n", at)
        width = max(len(_WORD.match(self.text, at).group()), 1)
        return f"    {self.text[begin : None if end < 0 else end]}\n    {' ' * (at - begin)}{'^' * width}"


@dataclass(frozen=True)
class _Statement:
    query: str  # the text DuckDB's parser cut for it: may start with blanks or comments, may end with `;`
    start: int  # where that text starts in the cell's text
    first: int  # where its first token starts there: the place of an error DuckDB gives no position for
    kind: str  # DuckDB's StatementType name: SELECT, CREATE, ...
    pad: int = 0  # newlines sent before the query, so that DuckDB counts lines as the cell does

    @property
    def sent(self) -> str:
        return "\n" * self.pad + self.query

    def offset(self, position: int) -> int | None:
        """Where DuckDB's `position` (UTF-8 bytes into `sent`) is in the cell, None if not in the query."""
        if not self.pad <= position <= self.pad + len(self.query.encode()):  # e.g. in a view's own text
            return None
        return self.start + _chars(self.query, position - self.pad)


def connect() -> Any:
    """The kernel's own in-memory database."""
    con = duckdb.connect(":memory:")
    # Only the dataframes a query names as tables (the cell's refs) are visible, never a variable DuckDB
    # would find by looking through Python's frames behind the graph's back.
    con.execute("SET python_enable_replacements = false")
    return con


def run(
    con: Any, body: str, frames: Mapping[str, object], first_line: int, own: bool = False
) -> object | None:
    """Run `body` on `con` with `frames` visible as tables; the last statement's rows, or None.

    `first_line` is the cell line of the body's first line. Several statements run in one transaction
    (unless the body manages its own), so an error leaves nothing behind. Raises SqlError, on the line of
    the statement that failed; on the kernel's own connection (`own`), on the line DuckDB points at.
    """
    cell = _Cell("\n" * (first_line - 1) + body)
    with _errors_as_json(con) if own else contextlib.nullcontext():
        statements = _split(con, cell)
        for name, frame in frames.items():
            con.register(name, frame)
        try:
            return _execute(con, cell, statements)
        finally:
            for name in frames:
                con.unregister(name)


@contextlib.contextmanager
def _errors_as_json(con: Any) -> Iterator[None]:
    """DuckDB's documented `errors_as_json` setting while the cell runs: an error's position is data.

    Only on the kernel's own connection: on a connection the notebook made, a cell that leaves a failed
    transaction open (DuckDB 2 then refuses every statement but ROLLBACK) could not set it back.
    """
    try:
        con.execute("SET errors_as_json = true")
    except duckdb.Error:  # a failed transaction a cell left open: this cell's first statement says so
        pass
    try:
        yield
    finally:
        try:
            con.execute("SET errors_as_json = false")
        except duckdb.Error:  # that failed transaction: the next cell sets it again
            pass


def _split(con: Any, cell: _Cell) -> list[_Statement]:
    """DuckDB's own parser splits the body; each statement keeps where it and its first token start."""
    try:
        parsed = con.extract_statements(cell.text)
    except duckdb.Error as exc:
        raise _error(exc, cell, _Statement(cell.text, 0, _first_token(cell.text), "")) from None
    statements, pos = [], 0
    for statement in parsed:
        at = cell.text.find(statement.query, pos)
        at, pos = (pos, pos) if at < 0 else (at, at + len(statement.query))
        first = at + _first_token(statement.query)
        pad = cell.line(at) - 1
        statements.append(_Statement(statement.query, at, first, statement.type.name, pad))
    return statements


def _first_token(query: str) -> int:
    """Where the first token that is not a comment starts, by DuckDB's own tokenizer (in characters)."""
    for position, kind in duckdb.tokenize(query):
        if kind != duckdb.token_type.comment:
            return _chars(query, position)
    return 0


def _chars(text: str, position: int) -> int:
    """DuckDB's positions count UTF-8 bytes; Python strings count characters."""
    return len(text.encode()[:position].decode(errors="ignore"))


def _execute(con: Any, cell: _Cell, statements: list[_Statement]) -> object | None:
    if not statements:
        return None
    first, last = statements[0], statements[-1]
    atomic = len(statements) > 1 and all(s.kind != "TRANSACTION" for s in statements)
    if atomic:  # a failed BEGIN (the connection is in a transaction already) is the first statement's
        _one(con, cell, first, "BEGIN TRANSACTION")
    try:
        for statement in statements[:-1]:
            _one(con, cell, statement)
        result = _one(con, cell, last, fetch=True)
        if atomic:
            _one(con, cell, last, "COMMIT")
    except BaseException:  # an error or an interrupt: undo every statement of the cell
        if atomic:
            _rollback(con)
        raise
    return result


def _one(con: Any, cell: _Cell, statement: _Statement, query: str = "", fetch: bool = False) -> object | None:
    """Run `query`, by default the statement itself; an error in either is the statement's."""
    try:
        cursor = con.execute(query or statement.sent)
        return _rows(cursor) if fetch and statement.kind in _ROWS else None
    except duckdb.Error as exc:
        raise _error(exc, cell, statement, located=not query) from None
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


def _error(exc: Exception, cell: _Cell, statement: _Statement, located: bool = True) -> SqlError:
    """The error on the line DuckDB points at in the statement, else on the statement's first line.

    With a position (`errors_as_json`), the message shows that line of the cell with carets under it;
    without, it is DuckDB's own, whose `LINE n` counts the cell's lines too (the statement was padded).
    A `located=False` error came from our BEGIN or COMMIT, whose positions are not in the cell.
    """
    reason, position = _reason(exc)
    at = statement.offset(position) if located and position is not None else None
    if at is None:
        return SqlError(cell.line(statement.first), reason)
    return SqlError(cell.line(at), f"{reason}\n\n{cell.caret(at)}")


def _reason(exc: Exception) -> tuple[str, int | None]:
    """DuckDB's message, and the byte position it gives, from its `errors_as_json` form; an error in
    another form (the setting is off, or the Python client raised it) is shown as it is."""
    text = str(exc).strip()
    try:
        report, end = json.JSONDecoder().raw_decode(text, text.index("{"))
    except ValueError:  # no JSON in it
        return text, None
    if end != len(text) or not isinstance(report, dict) or "exception_message" not in report:
        return text, None
    kind = report.get("exception_type")
    reason = f"{kind} Error: {report['exception_message']}" if kind else str(report["exception_message"])
    position = report.get("position")
    return reason, int(position) if str(position).isdigit() else None
