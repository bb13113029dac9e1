"""What a percent line is: markers, magics, comments, escapes, strings, fences; rules both directions share.

The reader decodes file lines into source lines with these rules and the writer encodes source lines with
them, checking each encoding against the decoding. `Body` is a cell's encoded lines with what the layout
around them needs; the constants here are the ones the header, marker and cell modules share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reactive_kernel.core.cells import cell_source  # noqa: F401  (part of this module's interface)
from reactive_kernel.core.errors import FormatError

KEY = "reactive_format"  # notebook and cell metadata: how the file was read (see the package docstring)
NAME = "percent"
# Metadata nested deeper than this is refused before it is parsed: parsing it (and later, validating and
# serving it) recurses once or more per level, and Python's recursion limit is about 1,000 frames.
NESTING_LIMIT = 100
# Cell magics jupytext writes as `# %% language="..."` (its list of Jupyter languages).
LANGUAGES = frozenset(
    "R bash c# c++ clojure coconut cs csharp cython f# fs fsharp gnuplot go groovy haskell html idl java "
    "javascript jenner js julia latex logtalk lua markdown matlab maxima ocaml octave perl powershell pypy "
    "python python2 python3 q robotframework ruby rust sage sas scala scheme script sh sos spark sql "
    "stata svg tcl typescript xonsh".split()
) | {"wolfram language"}


# --- line patterns (compiled once; every function below matches whole lines) --------------------------


# A line that opens a cell (`is_marker`); public so the reader's hot loops can match it inline.
MARKER = re.compile(r"\s*#\s*(?:%%(?:%*\s|\s*\Z)|<codecell>\s*\Z|In\[[0-9 ]*\]:?\s*\Z)")


_MAGIC = re.compile(
    r"\s*(?:# |#)*%{1,3}[a-zA-Z]"  # %line and %%cell magics, escaped or not
    r"|\s*(?:(?:# |#)+\s*)?[?!]\s*[A-Za-z.~$\\/{}]"  # !shell and ?help
    r"|(?:# |#)*\s*[a-zA-Z_][a-zA-Z_$0-9]*\s*=\s*(?:%{1,3}|!)[a-zA-Z]"  # x = %magic, x = !shell
    r"|(?:# |#)*(?:cat|cd|cp|mv|rm|rmdir|mkdir|copy|ddir|echo|ls|ldir|ren)(?:\Z|\s\Z|\s[^=,])"
)
_MAGIC_OR_HELP = re.compile(_MAGIC.pattern + r"|\s*(?:# )*\S*\?\s*\Z")  # `x?` asks for help
_MAGIC_FORCED = re.compile(r"\s*(?:# |#)*%{1,3}[a-zA-Z].*#\s*escape")
_MAGIC_KEPT = re.compile(r"\s*(?:# |#)*%{1,3}[a-zA-Z].*#\s*noescape")
_CONTINUED = re.compile(r".*\\\s*\Z")
# Lines that reading may change: a comment, magic, shell or help line (or `x = %magic`); others are verbatim.
ATTENTION = re.compile(
    r"\s*[#%!?]|(?:cat|cd|cp|mv|rm|rmdir|mkdir|copy|ddir|echo|ls|ldir|ren)(?:\s|\Z)|\s*\S*\?\s*\Z|[^=]*=\s*[%!]"
)
_LIGHT_MARKER = re.compile(r"(?:# |#)+\+")  # jupytext's light-format `# +`, unescaped in code cells
_QUOTE_OR_HASH = re.compile(r"[\"'#]")
_ESCAPES = re.compile(r"(?:# )*")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)\Z")


# --- lines and small helpers ---------------------------------------------------------------------------


def as_dict(value: object) -> dict:
    """The value if it is a dict, else an empty one: metadata read from a file may hold anything."""
    return value if isinstance(value, dict) else {}


def is_marker(line: str) -> bool:
    """The line opens a cell (`# %%`, `#%% x`, `# <codecell>`, `# In[1]:`, indented or not)."""
    return "#" in line and MARKER.match(line) is not None


def is_blank(line: str) -> bool:
    """Empty or whitespace only."""
    return not line or line.isspace()


def uncomment(line: str) -> str:
    """The line less a leading `# ` (or `#`): how markdown, raw and header lines are read."""
    if line.startswith("# "):
        return line[2:]
    if line.startswith("#"):
        return line[1:]
    return line


def _unescape(line: str) -> str:
    """One level of `# ` (or `#`) off, after the indentation: how jupytext uncomments a magic."""
    rest = line.lstrip()
    if rest.startswith("# "):
        return line[: len(line) - len(rest)] + rest[2:]
    if rest.startswith("#"):
        return line[: len(line) - len(rest)] + rest[1:]
    return line


def _escape(line: str) -> str:
    rest = line.lstrip()
    return line[: len(line) - len(rest)] + "# " + rest


def main_language(metadata: dict) -> str:
    """The notebook language as jupytext names it (cells in another language get a cell magic)."""
    jupytext, kernelspec = as_dict(metadata.get("jupytext")), as_dict(metadata.get("kernelspec"))
    language = jupytext.get("main_language") or kernelspec.get("language")
    if not isinstance(language, str) or not language:
        return "python"
    if language in ("R", "sas"):
        return language
    if language.startswith("C++"):
        return "c++"
    return language.lower().replace("#", "sharp")


def usual_language(language: str) -> str:
    """The name jupytext gives a cell magic's language (`r` is `R`, `c#` is `csharp`, ...)."""
    language = language.lower()
    aliases = {"r": "R", "octave": "matlab", "cs": "csharp", "c#": "csharp", "fs": "fsharp", "f#": "fsharp"}
    if language.startswith("c++"):
        return "c++"
    return "SAS" if language == "sas" else aliases.get(language, language)


# --- Python strings, as jupytext follows them (its StringParser rules, scanned without a loop per char) --


def string_state(line: str, triple: str | None) -> str | None:
    """The triple quote left open after `line`, given the one open before it (None: not in a string).

    jupytext's rules: a line starting with `#` outside a string changes nothing, `#` outside quotes ends
    the line, a quote after a backslash is escaped, single-quoted strings end with the line.
    """
    if triple is None:
        if "'''" not in line and '"""' not in line:
            return None  # single-quoted strings end with the line: only a triple quote stays open
        if line.lstrip().startswith("#"):
            return None
    elif triple * 3 not in line:
        return triple
    pos, last_triple, single = 0, -1, None
    while True:
        if triple is not None:
            end = line.find(triple * 3, last_triple + 1)
            if end < 0:
                return triple
            triple, last_triple, pos = None, end + 2, end + 3
            continue
        found = _QUOTE_OR_HASH.search(line, pos)
        if found is None:
            return None
        j = pos = found.start()
        pos += 1
        char = line[j]
        if char == "#":
            if single is None:
                return None
        elif j and line[j - 1] == "\\":
            continue
        elif single is not None:
            if single == char:
                single = None
        elif j >= 2 and j >= last_triple + 3 and line[j - 2 : j + 1] == char * 3:
            triple, last_triple = char, j
        else:
            single = char


# --- code lines: magics, escaped markers ----------------------------------------------------------------


def _is_magic(line: str) -> bool:
    """jupytext's test for a (possibly commented) magic, shell command or `x?` help line."""
    if _MAGIC_OR_HELP.match(line) is None:
        return False
    return "noescape" not in line or _MAGIC_FORCED.match(line) is not None or not _MAGIC_KEPT.match(line)


def _is_marker_family(line: str) -> bool:
    """A marker, or a marker with `# ` put after its indentation any number of times."""
    if "#" not in line or ("%%" not in line and "<codecell>" not in line and "In[" not in line):
        return False
    rest = line.lstrip()
    indent = line[: len(line) - len(rest)]
    core = rest[_ESCAPES.match(rest).end() :]  # type: ignore[union-attr]
    # Only the innermost two levels can be a marker: `#\s*%%`, or one `# ` before ` %%`.
    return MARKER.match(indent + core) is not None or (
        core != rest and MARKER.match(indent + "# " + core) is not None
    )


def decode_code(line: str, cont: bool, raw: bool = False) -> tuple[str, bool]:
    """The source line for a code line outside strings, and whether the next one continues a magic. In a
    `raw` cell's code lines (`active="py"`) jupytext unescapes magics only."""
    if cont or _is_magic(line):
        source, cont = _unescape(line), _CONTINUED.match(line) is not None
    elif raw:
        return line, False
    else:
        source, cont = line, False
        rest = line.lstrip()
        if rest.startswith("# ") and _is_marker_family(line[: len(line) - len(rest)] + rest[2:]):
            source = line[: len(line) - len(rest)] + rest[2:]
    if "+" in source and _LIGHT_MARKER.match(source):
        lighter = _unescape(source)
        if _LIGHT_MARKER.match(lighter):
            source = lighter
    return source, cont


def encode_code_line(source: str, cont: bool, preferred: str | None, raw: bool = False) -> tuple[str, bool]:
    """The file line for a source line outside strings: the first form that reads back to it."""
    forms = [preferred] if preferred is not None else []
    if cont:
        forms += ["# " + source, "# # " + source]  # the second when the line is an escaped `# +`
    elif _is_magic(source) or _is_marker_family(source):
        forms.append(_escape(source))
    elif "+" in source and _LIGHT_MARKER.match(source) and _LIGHT_MARKER.match(_unescape(source)):
        forms.append("# " + source)
    elif not forms:
        return source, False  # reading changes nothing on this line
    forms.append(source)
    for line in forms:
        if not is_marker(line):
            back, next_cont = decode_code(line, cont, raw)
            if back == source:
                return line, next_cont
    raise FormatError(f"the code line {source!r} has no form in the percent format")


@dataclass(frozen=True)
class Body:
    """A cell body as file lines, with what the layout around it needs to know."""

    lines: list[str]  # file lines after the marker, before the blank separator
    quoted: frozenset[int] = frozenset()  # lines that start inside a triple-quoted string
    open_string: bool = False  # the body leaves a triple-quoted string open
    open_fences: tuple[tuple[str, int], ...] = ()  # markdown fences opened and not closed in the cell


def encode_code(source: list[str], prefer: dict[int, str], raw: bool = False) -> Body:
    """A code cell's file lines for its source lines, `prefer`red forms first where they read back."""
    out: list[str] = []
    quoted = []
    triple, cont = None, False
    for k, text in enumerate(source):
        if triple is not None:
            quoted.append(k)
            line = text
        elif cont or k in prefer or ATTENTION.match(text):
            line, cont = encode_code_line(text, cont, prefer.get(k), raw)
        else:
            line = text
        out.append(line)
        if triple is not None or '"' in line or "'" in line:
            triple = string_state(line, triple)
    return Body(out, frozenset(quoted), triple is not None)


# --- markdown and raw lines: comments and fences --------------------------------------------------------


def opening_fence(text: str) -> tuple[str, int] | None:
    """(character, length) of a markdown fence the line opens, or None."""
    found = _FENCE.match(text)
    if not found or (found.group(1)[0] == "`" and "`" in found.group(2)):
        return None
    return found.group(1)[0], len(found.group(1))


def closing_fence(text: str) -> tuple[str, int] | None:
    """(character, length) of a markdown fence the line can close, or None."""
    found = _FENCE.match(text)
    if not found or found.group(2).strip():
        return None
    return found.group(1)[0], len(found.group(1))


def fenced(text: str) -> bool:
    """The line may open or close a fence: the cheap test before `opening_fence` and `closing_fence`."""
    return "```" in text or "~~~" in text


def fence_layout(source: list[str]) -> tuple[set[int], tuple[tuple[str, int], ...]]:
    """Lines inside fenced blocks closed within the cell, and the fences left open (jupytext's rules)."""
    closers = {k: closing_fence(text) for k, text in enumerate(source) if fenced(text)}
    if not closers:
        return set(), ()
    longest_after = {}  # line: the longest closer of each fence character on a later line
    run = {"`": 0, "~": 0}
    for k in sorted(closers, reverse=True):
        longest_after[k] = dict(run)
        if closers[k]:
            run[closers[k][0]] = max(run[closers[k][0]], closers[k][1])
    inside: set[int] = set()
    unclosed = []
    fence = None
    for k, text in enumerate(source):
        if fence is not None:
            close = closers.get(k)
            if close and close[0] == fence[0] and close[1] >= fence[1]:
                fence = None
            else:
                inside.add(k)
        elif k in closers and (opening := opening_fence(text)):
            if longest_after[k][opening[0]] >= opening[1]:
                fence = opening
            else:
                unclosed.append(opening)
    return inside, tuple(unclosed)


def encode_commented(source: list[str], fences: bool, prefer: dict[int, str]) -> Body:
    """A markdown or raw cell's file lines (commented), `prefer`red forms first where they read back."""
    inside, unclosed = fence_layout(source) if fences else (set(), ())
    out = []
    for k, text in enumerate(source):
        line = "# " + text if text else "#"
        wanted = prefer.get(k)
        if wanted is not None and uncomment(wanted) == text and (k in inside or not is_marker(wanted)):
            line = wanted
        elif k not in inside and is_marker(line):
            line = text  # `%%` and the like: bare, as `# %%` would start a cell
        out.append(line)
    return Body(out, open_fences=unclosed)
