"""A `%%sql` cell -> SqlFacts: its magic line's options and the tables its SQL reads, creates and drops.

Pure and fast, and never imports DuckDB: the graph needs these facts for cells that have not run. The
scan is lexical, not a SQL parser: comments and string literals are dropped, then table names are taken
from the positions where SQL names a table (`FROM a, b`, `JOIN`, `INTO`, `UPDATE`, `CREATE TABLE`, ...).
Only unqualified names that are valid Python identifiers are reported, since only those can link cells:
`main.t`, `"my table"` and `read_csv(...)` are left to DuckDB.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from typing import NamedTuple

from reactive_kernel.core.errors import SqlError

USAGE = "usage: %%sql [result_name] [-c|--con CONNECTION]"


@dataclass(frozen=True)
class TableChange:
    """A statement that changes a table the cell did not create (ownership belongs elsewhere)."""

    name: str  # the table, e.g. "t" in INSERT INTO t
    line: int  # 1-based line in the SQL body (the cell line after the magic line)
    how: str  # short description for the warning, e.g. "INSERT INTO t"


@dataclass(frozen=True)
class SqlFacts:
    """What a `%%sql` cell's magic line and body say, before anything runs."""

    result: str | None  # global the last statement's result is bound to, or None
    connection: str | None  # global holding the DuckDB connection (a ref), or None for the kernel's own
    reads: frozenset[str]  # tables and dataframes read or changed before the cell creates them: refs
    created: tuple[tuple[str, str], ...]  # (name, "table" | "view") the cell leaves behind, in order: defs
    dropped: frozenset[str]  # tables and views dropped that the cell did not create
    changes: tuple[TableChange, ...]  # INSERT/UPDATE/DELETE/ALTER/DROP/COPY FROM of others' tables


# -- the magic line ------------------------------------------------------------------------------


def _python_name(word: str) -> bool:
    return word.isidentifier() and not keyword.iskeyword(word)


def parse_magic_line(line: str) -> tuple[str | None, str | None]:
    """`%%sql [result_name] [-c|--con CONNECTION]` -> (result_name, connection); SqlError on line 1."""
    words, result, connection = line.split(), None, None
    while words:
        word = words.pop(0)
        if word in ("-c", "--con") or word.startswith("--con="):
            value = word.partition("=")[2] if "=" in word else (words.pop(0) if words else "")
            if not value or connection is not None:
                problem = "names the connection twice" if connection else f"{word} needs a connection name"
                raise SqlError(1, f"%%sql {line.strip()}: {problem} ({USAGE})")
            if not _python_name(value):
                raise SqlError(1, f"%%sql: the connection {value!r} is not a Python name ({USAGE})")
            connection = value
        elif word.startswith("-"):
            raise SqlError(1, f"%%sql: unknown option {word!r} ({USAGE})")
        elif result is not None:
            raise SqlError(1, f"%%sql: one result name only, got {result!r} and {word!r} ({USAGE})")
        elif not _python_name(word):
            raise SqlError(1, f"%%sql: the result name {word!r} is not a valid Python name ({USAGE})")
        else:
            result = word
    return result, connection


# -- tokens --------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    \s+ | --[^\n]*
    | (?P<block>/\*(?:[^*/]|\*(?!/)|/(?!\*))*(?:\*/|\Z))  # a comment with no comment inside
    | (?P<nested>/\*)
    | (?P<literal>[eE]'(?:\\.|''|[^'\\])*'? | '(?:''|[^'])*'?
        | \$(?P<tag>(?:[^\W\d]\w*)?)\$.*?(?:\$(?P=tag)\$|\Z) | \d[\w.]*)
    | (?P<word>[^\W\d]\w*)
    | "(?P<quoted>(?:""|[^"])*)"?
    | (?P<other>.)
    """,
    re.X | re.S,
)


class _Token(NamedTuple):
    text: str  # a name (quotes removed), or the punctuation itself; "" for literals
    key: str  # upper-cased for unquoted words (keywords are case-insensitive); "" otherwise
    pos: int  # offset in the body, for line numbers
    name: bool  # a word or a quoted identifier: something that can name a table


_LITERAL = _Token("", "", 0, False)  # strings and numbers: never a name, never a keyword


def _skip_nested(body: str, pos: int) -> int:
    """Block comments nest in DuckDB (as in PostgreSQL); an unclosed one runs to the end."""
    depth = 0
    while pos < len(body):
        if body.startswith("/*", pos):
            depth, pos = depth + 1, pos + 2
        elif body.startswith("*/", pos):
            depth, pos = depth - 1, pos + 2
            if depth == 0:
                return pos
        else:
            pos += 1
    return pos


def _tokens(body: str) -> list[_Token]:
    """Names, punctuation and placeholder literals; comments and whitespace dropped."""
    tokens: list[_Token] = []
    pos = 0
    while True:
        for match in _TOKEN.finditer(body, pos):
            kind = match.lastgroup
            if kind == "word":
                text = match.group()
                tokens.append(_Token(text, text.upper(), match.start(), True))
            elif kind == "other":
                text = match.group()
                tokens.append(_Token(text, text, match.start(), False))
            elif kind == "literal":
                tokens.append(_LITERAL)
            elif kind == "quoted":
                tokens.append(_Token(match.group("quoted").replace('""', '"'), "", match.start(), True))
            elif kind == "nested":
                pos = _skip_nested(body, match.start())
                break
        else:
            return tokens


def _statements(tokens: list[_Token]) -> list[list[_Token]]:
    out: list[list[_Token]] = [[]]
    for token in tokens:
        if token.key == ";":
            out.append([])
        else:
            out[-1].append(token)
    return [s for s in out if s]


# -- one statement -------------------------------------------------------------------------------

# Words that end a table item: after `FROM t` one of these is a clause, not an alias.
_NOT_ALIAS = frozenset(
    "WHERE GROUP ORDER LIMIT OFFSET HAVING WINDOW QUALIFY UNION EXCEPT INTERSECT JOIN INNER LEFT RIGHT"
    " FULL OUTER CROSS NATURAL POSITIONAL ASOF SEMI ANTI ON USING SELECT SET VALUES RETURNING FETCH FOR"
    " TABLESAMPLE PIVOT UNPIVOT LATERAL BY DEFAULT WITH AND OR NOT TO FROM INTO AS".split()
)
# A parenthesised group starting with one of these is a query, so a FROM inside it names tables; in
# `extract(year FROM d)` or `trim(both 'x' FROM s)` it does not.
_QUERY_START = frozenset("SELECT WITH FROM VALUES TABLE PIVOT UNPIVOT SUMMARIZE DESCRIBE ( INSERT".split())
_NOT_TABLE = frozenset({"SELECT", "VALUES", "WITH", "LATERAL", "SAMPLE", "DATABASE", "FROM"})
_NAMES_TABLE = frozenset({"DESCRIBE", "SUMMARIZE", "TABLE", "PIVOT", "UNPIVOT"})  # at a statement's start


class _Scan:
    """Walks one statement's tokens once, noting what it reads, creates, drops and changes."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.t = tokens
        self.close, self.group = _brackets(tokens)
        self.ctes: set[str] = set()
        self.reads: list[_Token] = []
        self.created: list[tuple[_Token, str]] = []  # (name, "table" | "view")
        self.dropped: list[tuple[_Token, str, bool]] = []  # (name, "TABLE" | "VIEW", IF EXISTS)
        self.changes: list[tuple[_Token, str]] = []

    def key(self, i: int) -> str:
        return self.t[i].key if 0 <= i < len(self.t) else ""

    def scan(self) -> _Scan:
        for i, token in enumerate(self.t):
            k = token.key
            if k == "WITH":
                self._ctes(i + 1)
            elif k == "FROM" and self.key(i - 1) == "DELETE":
                self._target(i + 1, "DELETE FROM")
            elif k == "FROM" and self._table_from(i):
                self._items(i + 1)
            elif k == "JOIN" or (k == "USING" and self.key(i + 1) not in ("(", "SAMPLE")):
                self._items(i + 1)
            elif k == "INTO":
                self._target(i + 1, "MERGE INTO" if self.key(i - 1) == "MERGE" else "INSERT INTO")
            elif k == "UPDATE" and self.key(i + 1) != "SET":  # not ON CONFLICT DO UPDATE SET
                self._target(i + 1, "UPDATE")
            elif k == "REFERENCES" or (i == 0 and k in _NAMES_TABLE):
                self._target(i + 1)
            elif i == 0 and k in ("CREATE", "DROP", "ALTER", "COPY"):
                getattr(self, "_" + k.lower())()
        if self.ctes:  # `WITH x AS (...) SELECT ... FROM x`: x is the statement's own
            self.reads = [r for r in self.reads if r.text not in self.ctes]
        return self

    def _table_from(self, i: int) -> bool:
        if self.key(i - 1) == "DISTINCT" and self.key(i - 2) in ("IS", "NOT"):
            return False  # a IS DISTINCT FROM b
        opener = self.group[i]
        return opener < 0 or self.key(opener + 1) in _QUERY_START

    def _name(self, i: int) -> tuple[_Token | None, int]:
        """A possibly qualified name at i -> (the name if unqualified, the index after it)."""
        if i >= len(self.t) or not self.t[i].name or self.t[i].key in _NOT_TABLE:
            return None, i
        start = i
        while self.key(i + 1) == "." and i + 2 < len(self.t) and self.t[i + 2].name:
            i += 2
        return (self.t[i] if i == start else None), i + 1

    def _target(self, i: int, how: str = "") -> None:
        """The one table a statement reads or changes: INSERT INTO t (cols), UPDATE t, DESCRIBE t."""
        name, _ = self._name(i)
        if name is not None:
            self.reads.append(name)
            if how:
                self.changes.append((name, f"{how} {name.text}"))

    def _items(self, i: int) -> None:
        """`t [AS] alias [(cols)], (subquery) alias, f(...), ...`: the plain names are tables read."""
        while i < len(self.t):
            if self.key(i) == "LATERAL":
                i += 1
            if self.key(i) == "(":
                i = self.close[i] + 1
            else:
                name, after = self._name(i)
                if after == i:
                    return
                i = after
                if self.key(i) == "(":  # a table function: read_csv(...), range(...)
                    i = self.close[i] + 1
                elif name is not None:
                    self.reads.append(name)
            i = self._alias(i)
            if self.key(i) != ",":
                return
            i += 1

    def _alias(self, i: int) -> int:
        if self.key(i) == "AS":
            i += 1
        if i < len(self.t) and self.t[i].name and self.t[i].key not in _NOT_ALIAS:
            i += 1
            if self.key(i) == "(":
                i = self.close[i] + 1
        return i

    def _ctes(self, i: int) -> None:
        """`WITH [RECURSIVE] a [(cols)] AS [NOT] [MATERIALIZED] (...), b AS (...)`."""
        if self.key(i) == "RECURSIVE":
            i += 1
        while i < len(self.t) and self.t[i].name:
            name, i = self.t[i], i + 1
            if self.key(i) == "(":
                i = self.close[i] + 1
            if self.key(i) != "AS":
                return  # not a CTE after all: `WITH TIME ZONE`, `WITH ORDINALITY`
            self.ctes.add(name.text)
            i += 1
            while self.key(i) in ("NOT", "MATERIALIZED"):
                i += 1
            if self.key(i) == "(":
                i = self.close[i] + 1
            if self.key(i) != ",":
                return
            i += 1

    def _create(self) -> None:
        """CREATE [OR REPLACE] [TEMP|TEMPORARY] TABLE|VIEW [IF NOT EXISTS] name."""
        i = 1
        while self.key(i) in ("OR", "REPLACE", "TEMP", "TEMPORARY", "PERSISTENT"):
            i += 1
        kind = self.key(i).lower()
        if kind in ("table", "view"):
            name, _ = self._name(i + 4 if self.key(i + 1) == "IF" else i + 1)
            if name is not None:
                self.created.append((name, kind))

    def _drop(self) -> None:
        """DROP TABLE|VIEW [IF EXISTS] a, b [CASCADE]."""
        kind, exists = self.key(1), self.key(2) == "IF"
        i = 4 if exists else 2
        while kind in ("TABLE", "VIEW") and i < len(self.t):
            name, i = self._name(i)
            if name is not None:
                self.dropped.append((name, kind, exists))
            if self.key(i) != ",":
                return
            i += 1

    def _alter(self) -> None:
        if self.key(1) in ("TABLE", "VIEW"):
            self._target(4 if self.key(2) == "IF" else 2, f"ALTER {self.key(1)}")

    def _copy(self) -> None:
        """COPY t FROM 'f' changes t; COPY t TO 'f' reads it."""
        name, i = self._name(1)
        if self.key(i) == "(":
            i = self.close[i] + 1
        if name is not None:
            self.reads.append(name)
            if self.key(i) == "FROM":
                self.changes.append((name, f"COPY {name.text} FROM ..."))


def _brackets(tokens: list[_Token]) -> tuple[list[int], list[int]]:
    """For each `(` its matching `)` (or the end), and for each token the `(` it sits in (-1: none)."""
    close, group, stack = [len(tokens)] * len(tokens), [-1] * len(tokens), []
    for i, token in enumerate(tokens):
        group[i] = stack[-1] if stack else -1
        if token.key == "(":
            stack.append(i)
        elif token.key == ")" and stack:
            close[stack.pop()] = i
    return close, group


# -- the cell ------------------------------------------------------------------------------------


def sql_facts(magic_line: str, body: str) -> SqlFacts:
    """The facts for a `%%sql` cell; raises SqlError (line 1) only for a bad magic line."""
    result, connection = parse_magic_line(magic_line)
    created: dict[str, str] = {}  # what exists now, as the statements run in order
    reads: set[str] = set()
    dropped: set[str] = set()
    changes: list[TableChange] = []

    def line(token: _Token) -> int:
        return body.count("\n", 0, token.pos) + 1

    for tokens in _statements(_tokens(body)):
        s = _Scan(tokens).scan()
        fresh = {t.text for t in s.reads if t.text not in created}
        reads |= fresh
        changes += [TableChange(t.text, line(t), how) for t, how in s.changes if t.text in fresh]
        for token, kind, if_exists in s.dropped:
            if created.pop(token.text, None) is None:
                dropped.add(token.text)
                changes.append(TableChange(token.text, line(token), f"DROP {kind} {token.text}"))
                reads.update([] if if_exists else [token.text])
        for token, kind in s.created:
            created[token.text] = kind
    if result is not None and result in created:
        raise SqlError(1, f"%%sql {result}: the result name is also a table this cell creates; pick another")
    return SqlFacts(
        result=result,
        connection=connection,
        reads=frozenset(filter(_python_name, reads)),
        created=tuple((n, k) for n, k in created.items() if _python_name(n)),
        dropped=frozenset(filter(_python_name, dropped)),
        changes=tuple(c for c in changes if _python_name(c.name)),
    )
