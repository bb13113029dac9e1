"""Read and write percent-format `.py` notebooks (`# %%` cells), compatible with jupytext's `py:percent`.

The layout is jupytext's (format version 1.3): an optional `#!` line and coding line, an optional YAML
header commented with `# ` between `# ---` lines (its `jupyter:` section is the notebook metadata; other
keys become a raw `---` cell, as in jupytext), then cells, each opened by a marker line `# %%`,
`# %% [markdown]` or `# %% [raw]`. The marker may carry a title and `key=JSON` pairs
(`# %% Load data tags=["a"] name="x"`), or one JSON object. Markdown and raw lines are commented with
`# `; in code cells magics and shell commands are commented (`# %time x`); a cell that starts with a
`%%bash`-style magic of another language is written `# %% language="bash"` with a commented body. Code
before the first marker is a cell with no marker, and a file without markers is one code cell. Of the
blank lines before a marker one (two after a PEP 8 pair) separates the cells, as jupytext reads them.
A new notebook gets jupytext's header with its own kernelspec, or the reactive kernel's.

Where jupytext's reading and writing disagree, or would lose text, this module decides:

- Marker escaping. A code line outside a string that would read as a marker (`# %%`, `#%% x`, an
  indented `    # %%`, `# <codecell>`, `# In[1]:`) is written with one more `# ` after its indentation
  (`# # %%`), and so is a line that already reads as such an escaped marker; reading takes exactly one
  level off (jupytext's rule for magics). jupytext would split the cell there, and reads our form as the
  comment `# # %%`. Lines inside triple-quoted strings are never escaped: both readers follow strings.
  In markdown and raw cells a line whose commented form would be a marker (`%%`, ` %% x`) is written
  without the comment prefix, which both readers take verbatim; inside a fenced block (where jupytext
  looks for no marker) it stays commented.
- `# %% reactive_trailing_newline=true` marks a code cell whose source ends with a single newline:
  jupytext takes the blank line before a marker for the separator, so that source has no plain form.
- `# %% reactive_lines=N` counts the lines up to the next marker for a cell that leaves a triple-quoted
  string open (or, in markdown, a fence that a later line closes), which would otherwise swallow the
  next cell in both readers. The two keys are reserved: read as flags, never as cell metadata, and
  ignored where they do not apply (jupytext keeps them as metadata).
- Metadata that does not parse is kept, as jupytext does, under `incorrectly_encoded_metadata` and
  written back verbatim. FormatError, with the line, is raised for a coding line other than utf-8,
  header YAML beyond our small reader (anchors, tags, block scalars) and metadata that nbformat's schema
  refuses (e.g. `tags="a"`). The header is read without PyYAML: block mappings and lists, plain and
  quoted scalars, flow collections, comments, `? key` entries.
- Deliberate differences from jupytext's reader: markdown lines are only uncommented (jupytext also
  unescapes magics there, so `# # ls` comes back as `ls`); quotes in markdown do not hide markers; a
  code line `# # %%` loses one `# `; lines split at `\\n` only (jupytext also splits at `\\f` and other
  Unicode line breaks). jupytext's `active` and `cell_marker` options are not interpreted.

Round trips are byte-exact. `reads` records how the file was written where that differs from what
`writes` would produce: notebook metadata `reactive_format` = {"name": "percent", "header": the exact
shebang/coding/YAML lines, "newline": "\\r\\n" for CRLF files, "final_newline": false}; cell metadata
`reactive_format` = {"marker": the marker line as written (null: no marker), "blank": blank lines after
the cell (their exact text if they hold spaces), "lines": [[line, position, prefix], ...] for body lines
whose comment prefix differs, "body": the body lines when they differ otherwise, "form": "plain" for a
`%%lang` cell not written jupytext's way, "header": true for the raw cell of non-`jupyter` header keys}.
`writes` uses a record only while it still reads back to the cell as it is now, so edited cells, new
cells and notebooks from `.ipynb` get the canonical form; a header that no longer matches the metadata
is written anew, with the keys it had. Where jupytext's own file reads back right, ours is the same
file. Reading and writing never import or run the file, and take time linear in its size.
"""

from __future__ import annotations

import ast
import bisect
import json
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import nbformat
from nbformat import NotebookNode

from reactive_kernel.errors import FormatError

KEY = "reactive_format"
NAME = "percent"
DEFAULT_KERNELSPEC = {"display_name": "Python 3 (reactive)", "language": "python", "name": "reactive-python"}
FORMAT_VERSION = "1.3"
JUPYTEXT_VERSION = "1.19.6"  # the jupytext release whose py:percent output this module follows
TRAILING_NEWLINE = "reactive_trailing_newline"
LINE_COUNT = "reactive_lines"

# Notebook metadata jupytext puts in the header; cell metadata it never writes on a marker line.
HEADER_KEYS = ("jupytext", "kernelspec", "kernel_info", "orphan", "tocdepth")
HIDDEN_CELL_KEYS = frozenset(
    [
        *"autoscroll collapsed scrolled trusted execution ExecuteTime skipline noskipline".split(),
        "cell_marker",
        *"lines_to_next_cell lines_to_end_of_cell_marker comment_questions".split(),
        KEY,
    ]
)
# Cell magics jupytext writes as `# %% language="..."` (its list of Jupyter languages).
LANGUAGES = frozenset(
    "R bash c# c++ clojure coconut cs csharp cython f# fs fsharp gnuplot go groovy haskell html idl java "
    "javascript jenner js julia latex logtalk lua markdown matlab maxima ocaml octave perl powershell pypy "
    "python python2 python3 q robotframework ruby rust sage sas scala scheme script sh sos spark sql "
    "stata svg tcl typescript xonsh".split()
) | {"wolfram language"}

# --- line patterns (compiled once; every function below matches whole lines) --------------------------

_MARKER = re.compile(r"\s*#\s*(?:%%(?:%*\s|\s*\Z)|<codecell>\s*\Z|In\[[0-9 ]*\]:?\s*\Z)")
_MARKER_WITH_OPTIONS = re.compile(r"\s*#\s*%%%*\s")
_MARKER_AT_COLUMN_0 = re.compile(r"^#[^\S\r\n]*%%(?:%*[^\S\r\n]|[^\S\r\n]*\r?$)", re.MULTILINE)
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
_ATTENTION = re.compile(
    r"\s*[#%!?]|(?:cat|cd|cp|mv|rm|rmdir|mkdir|copy|ddir|echo|ls|ldir|ren)(?:\s|\Z)|\s*\S*\?\s*\Z|[^=]*=\s*[%!]"
)
_LIGHT_MARKER = re.compile(r"(?:# |#)+\+")  # jupytext's light-format `# +`, unescaped in code cells
_QUOTE_OR_HASH = re.compile(r"[\"'#]")
_ESCAPES = re.compile(r"(?:# )*")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)\Z")
_ENCODING = re.compile(r"[ \t\f]*#.*?coding[:=][ \t]*([-_.a-zA-Z0-9]+)")
_YAML_FENCE = re.compile(r"---\s*\Z")
_JUPYTER_SECTION = re.compile(r"jupyter\s*:\s*\Z")
_IDENTIFIER = re.compile(r"[a-zA-Z_.]+[a-zA-Z0-9_.]*\Z")
_METADATA_KEY = re.compile(r"[a-zA-Z0-9_.@/-]+\Z")

CELL_TYPES = ("code", "markdown", "raw")


def looks_like(text: str) -> bool:
    """Whether `text` is a percent notebook: a jupytext YAML header naming a kernelspec or jupytext format
    at the top, or a `# %%` marker at column 0."""
    lines = text[:20000].replace("\r\n", "\n").split("\n")
    head = _scan_header(lines)
    if head.ended and any(re.match(r"\s+(kernelspec|jupytext)\s*:", line) for _, line in head.jupyter):
        return True
    return _MARKER_AT_COLUMN_0.search(text) is not None


def reads(text: str) -> NotebookNode:
    """The notebook in a percent `.py` file (nbformat v4.5), with what `writes` needs to give back the bytes.

    Raises:
        FormatError: the header is not YAML we can read, declares another encoding than utf-8, or the
            metadata (header or marker line) is not valid for nbformat; `line` says where.
    """
    newline, final_newline, lines = _split_lines(text)
    head = _scan_header(lines)
    metadata = _header_metadata(head)
    main = _main_language(metadata)
    found = _read_cells(lines, head.end, main)
    _record_layout(found, main, lines)
    cells = [item.cell for item in found]
    if head.raw is not None:
        raw = _new_cell("raw", head.raw, {KEY: {"header": True}})
        cells.insert(0, raw)
    info: dict = {"name": NAME}
    if head.end:
        info["header"] = "\n".join(lines[: head.end])
    if newline != "\n":
        info["newline"] = newline
    if not final_newline:
        info["final_newline"] = False
    metadata[KEY] = info
    _assign_ids(cells)
    nb = NotebookNode(nbformat=4, nbformat_minor=5, metadata=nbformat.from_dict(metadata), cells=cells)
    _validate(nb, head, found)
    return nb


def writes(nb: NotebookNode) -> str:
    """The percent `.py` text of a notebook: the bytes it was read from while nothing changed, jupytext's
    layout for what is new or edited."""
    metadata = nb.get("metadata") or {}
    info = _dict(metadata.get(KEY))
    if info.get("name") != NAME:
        info = {}
    newline = info.get("newline") if info.get("newline") in ("\n", "\r\n") else "\n"
    cells = list(nb.get("cells") or [])
    head, cells = _header_lines(metadata, info, cells)
    main = _main_language(metadata)
    out = _cell_lines(cells, main, bool(info), head, markerless=True)
    if _scan_header(out).end != len(head):  # the first cell, written without a marker, reads as header
        out = _cell_lines(cells, main, bool(info), head, markerless=False)
    final = info.get("final_newline") is not False
    ended = out if final else out[:-1]  # the lines a newline follows
    if newline == "\n" and ended and all(line.endswith("\r") for line in ended):
        newline = "\r\n"  # LF lines that all end in \r would read back as a CRLF file
    return newline.join(out) + (newline if final and out else "")


# --- lines and small helpers ---------------------------------------------------------------------------


def _split_lines(text: str) -> tuple[str, bool, list[str]]:
    """Newline style, whether the text ends with one, and its lines (split at `\\n` only)."""
    crlf = text.count("\r\n")
    newline = "\r\n" if crlf and crlf == text.count("\n") else "\n"
    if newline != "\n":
        text = text.replace("\r\n", "\n")
    if not text:
        return newline, True, []
    lines = text.split("\n")
    final = lines[-1] == ""
    if final:
        lines.pop()
    return newline, final, lines


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _is_marker(line: str) -> bool:
    return "#" in line and _MARKER.match(line) is not None


def _is_blank(line: str) -> bool:
    return not line or line.isspace()


def _uncomment(line: str) -> str:
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


def _new_cell(cell_type: str, source: str, metadata: dict) -> NotebookNode:
    cell = NotebookNode(id="", cell_type=cell_type, metadata=nbformat.from_dict(metadata), source=source)
    if cell_type == "code":
        cell["outputs"] = []
        cell["execution_count"] = None
    return cell


def _assign_ids(cells: list[NotebookNode]) -> None:
    """Random ids as nbformat makes them, unique within the notebook."""
    seen: set[str] = set()
    pool = os.urandom(6 * len(cells)).hex()
    for k, cell in enumerate(cells):
        cell_id = pool[12 * k : 12 * k + 12]
        while cell_id in seen:
            cell_id = os.urandom(6).hex()
        seen.add(cell_id)
        cell["id"] = cell_id


def _main_language(metadata: dict) -> str:
    """The notebook language as jupytext names it (cells in another language get a cell magic)."""
    jupytext, kernelspec = _dict(metadata.get("jupytext")), _dict(metadata.get("kernelspec"))
    language = jupytext.get("main_language") or kernelspec.get("language")
    if not isinstance(language, str) or not language:
        return "python"
    if language in ("R", "sas"):
        return language
    if language.startswith("C++"):
        return "c++"
    return language.lower().replace("#", "sharp")


def _usual_language(language: str) -> str:
    language = language.lower()
    aliases = {"r": "R", "octave": "matlab", "cs": "csharp", "c#": "csharp", "fs": "fsharp", "f#": "fsharp"}
    if language.startswith("c++"):
        return "c++"
    return "SAS" if language == "sas" else aliases.get(language, language)


# --- Python strings, as jupytext follows them (its StringParser rules, scanned without a loop per char) --


def _string_state(line: str, triple: str | None) -> str | None:
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
    return _MARKER.match(indent + core) is not None or (
        core != rest and _MARKER.match(indent + "# " + core) is not None
    )


def _decode_code(line: str, cont: bool) -> tuple[str, bool]:
    """The source line for a code line outside strings, and whether the next one continues a magic."""
    if cont or _is_magic(line):
        source, cont = _unescape(line), _CONTINUED.match(line) is not None
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


def _encode_code_line(source: str, cont: bool, preferred: str | None) -> tuple[str, bool]:
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
        if not _is_marker(line):
            back, next_cont = _decode_code(line, cont)
            if back == source:
                return line, next_cont
    raise FormatError(f"the code line {source!r} has no form in the percent format")


@dataclass
class _Body:
    """A cell body as file lines, with what the layout around it needs to know."""

    lines: list[str]  # file lines after the marker, before the blank separator
    quoted: frozenset[int] = frozenset()  # lines that start inside a triple-quoted string
    open_string: bool = False  # the body leaves a triple-quoted string open
    open_fences: tuple[tuple[str, int], ...] = ()  # markdown fences opened and not closed in the cell


def _encode_code(source: list[str], prefer: dict[int, str]) -> _Body:
    out: list[str] = []
    quoted = []
    triple, cont = None, False
    for k, text in enumerate(source):
        if triple is not None:
            quoted.append(k)
            line = text
        elif cont or k in prefer or _ATTENTION.match(text):
            line, cont = _encode_code_line(text, cont, prefer.get(k))
        else:
            line = text
        out.append(line)
        if triple is not None or '"' in line or "'" in line:
            triple = _string_state(line, triple)
    return _Body(out, frozenset(quoted), triple is not None)


# --- markdown and raw lines: comments and fences --------------------------------------------------------


def _opening_fence(text: str) -> tuple[str, int] | None:
    found = _FENCE.match(text)
    if not found or (found.group(1)[0] == "`" and "`" in found.group(2)):
        return None
    return found.group(1)[0], len(found.group(1))


def _closing_fence(text: str) -> tuple[str, int] | None:
    found = _FENCE.match(text)
    if not found or found.group(2).strip():
        return None
    return found.group(1)[0], len(found.group(1))


def _fenced(text: str) -> bool:
    return "```" in text or "~~~" in text


def _fence_layout(source: list[str]) -> tuple[set[int], tuple[tuple[str, int], ...]]:
    """Lines inside fenced blocks closed within the cell, and the fences left open (jupytext's rules)."""
    closers = {k: _closing_fence(text) for k, text in enumerate(source) if _fenced(text)}
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
        elif k in closers and (opening := _opening_fence(text)):
            if longest_after[k][opening[0]] >= opening[1]:
                fence = opening
            else:
                unclosed.append(opening)
    return inside, tuple(unclosed)


def _encode_commented(source: list[str], fences: bool, prefer: dict[int, str]) -> _Body:
    inside, unclosed = _fence_layout(source) if fences else (set(), ())
    out = []
    for k, text in enumerate(source):
        line = "# " + text if text else "#"
        wanted = prefer.get(k)
        if wanted is not None and _uncomment(wanted) == text and (k in inside or not _is_marker(wanted)):
            line = wanted
        elif k not in inside and _is_marker(line):
            line = text  # `%%` and the like: bare, as `# %%` would start a cell
        out.append(line)
    return _Body(out, open_fences=unclosed)


# --- marker lines ---------------------------------------------------------------------------------------


@dataclass
class _Marker:
    """What a marker line says about its cell."""

    cell_type: str = "code"
    metadata: dict = field(default_factory=dict)  # the cell metadata it gives
    magic: str | None = None  # the `%%lang args` line that `language=` stands for
    commented: bool = False  # the body lines are commented (markdown, raw, another language)
    trailing: bool = False  # `reactive_trailing_newline`: the source ends with one more newline
    count: int | None = None  # `reactive_lines`: lines up to the next marker


def _read_marker(line: str | None, main: str) -> _Marker:
    """What a marker line says: cell type (`[markdown]`, `[raw]`, `[md]`, `cell_type=`), title, `%` depth,
    metadata, cell magic, and our two flags, as jupytext reads them."""
    if line is None or not _MARKER_WITH_OPTIONS.match(line):
        return _Marker()
    title, metadata = _split_title(line[line.index("%%") + 2 :])
    cell_type = "code"
    for tag in ("markdown", "raw", "md"):
        if f"[{tag}]" in title:
            title = title.replace(f"[{tag}]", "").strip()
            metadata["cell_type"] = "raw" if tag == "raw" else "markdown"
            if tag == "md":
                metadata["region_name"] = "md"
            break
    depth = len(title) - len(title.lstrip("%"))
    if depth:
        metadata["cell_depth"] = depth
        title = title[depth:].strip()
    if title:
        metadata["title"] = title
    if "cell_type" in metadata:
        kind = metadata.pop("cell_type")
        cell_type = kind if kind in ("code", "markdown") else "raw"
    marker = _Marker(cell_type, metadata, commented=cell_type != "code")
    _read_language(marker, main)
    marker.trailing = metadata.pop(TRAILING_NEWLINE, None) is True and not marker.commented
    count = metadata.pop(LINE_COUNT, None)
    if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
        marker.count = count
    return marker


def _read_language(marker: _Marker, main: str) -> None:
    """`language=` (jupytext's cell magics): drop it for the main language, else a commented body."""
    language = marker.metadata.get("language")
    if not isinstance(language, str):
        return
    if language == main:
        del marker.metadata["language"]
        return
    marker.commented = True
    if language in LANGUAGES and _usual_language(language) != main:
        del marker.metadata["language"]
        magic = "%%" + language
        if "magic_args" in marker.metadata:
            magic += f" {marker.metadata.pop('magic_args')}"
        marker.magic = magic


def _split_title(text: str) -> tuple[str, dict]:
    """jupytext's split of a marker's options: a title, then `key=value` pairs or one JSON object."""
    text = text.strip()
    curly, equal = text.find("{"), text.find("=")
    if curly >= 0 and not 0 <= equal < curly:
        value = _loads(text[curly:], None)
        if not isinstance(value, dict):
            value = {"incorrectly_encoded_metadata": text[curly:].strip()}
        return text[:curly].strip(), value
    words = (text[:equal] if equal >= 0 else text).split(" ")
    if equal >= 0:
        while words and not words[-1]:
            words.pop()
        if words:
            words.pop()  # the key of the first pair
    while words and (not words[-1].strip() or words[-1].startswith(".")):
        words.pop()
    title = " ".join(words)
    return title, _key_values(text[len(title) :])


def _key_values(text: str) -> dict:
    """`a=1 b="x" c` as jupytext reads it: right to left, each value the longest JSON (or Python literal)
    after an `=`, bare identifiers as None, the rest under `incorrectly_encoded_metadata`."""
    pairs: list[tuple[str, object, bool]] = []  # right to left: key, value, given with `=`
    text = text.strip()
    budget = [_PARSE_ATTEMPTS]
    while text:
        space = text.rfind(" ")
        if not text.startswith("--") and _IDENTIFIER.match(text[space + 1 :]):
            pairs.append((text[space + 1 :], None, False))
            text = text[:space].strip() if space > 0 else ""
            continue
        pair = _last_pair(text, budget)
        if pair is None:
            pairs.append(("incorrectly_encoded_metadata", text, True))
            break
        key, value, rest = pair
        pairs.append((key, value, True))
        text = rest.strip()
    metadata: dict = {}
    for key, value, assigned in reversed(pairs):
        if assigned or key not in metadata:
            metadata[key] = value
    return metadata


def _last_pair(text: str, budget: list[int]) -> tuple[str, object, str] | None:
    """The last `key=value` of the text, the value running to its end; None when there is none (or the
    line's budget of failed attempts, which keeps a pathological line linear, is spent)."""
    equal = len(text)
    while (equal := text.rfind("=", 0, equal)) >= 0 and budget[0] > 0:
        space = text[:equal].rstrip().rfind(" ")
        key = text[space + 1 : equal].strip()
        if _METADATA_KEY.match(key):
            value = _loads(text[equal + 1 :], _MISSING)
            if value is not _MISSING:
                return key, value, text[:space] if space > 0 else ""
            budget[0] -= 1
    return None


_MISSING = object()
_PARSE_ATTEMPTS = 64  # values that fail to parse on one marker line before the rest is kept as text


def _loads(text: str, default: object) -> object:
    """JSON, or a Python literal as jupytext also accepts, as JSON data; `default` when neither."""
    text = text.strip()
    try:
        value = json.loads(text)
    except ValueError:
        try:
            value = ast.literal_eval(text)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return default
    try:
        return _as_json(value)
    except ValueError:
        return default


def _as_json(value: object) -> object:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(value)
        return value
    if isinstance(value, (list, tuple)):
        return [_as_json(item) for item in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _as_json(v) for k, v in value.items()}
    raise ValueError(value)


def _marker_line(want: _Marker, indent: str, main: str) -> str:
    """jupytext's marker line for a cell, or the JSON form when that one would read back differently."""
    metadata = dict(want.metadata)
    if want.magic is not None:
        language, _, args = want.magic[2:].partition(" ")
        metadata["language"] = language
        if args:
            metadata["magic_args"] = args
    if want.trailing:
        metadata[TRAILING_NEWLINE] = True
    if want.count is not None:
        metadata[LINE_COUNT] = want.count
    tag = {"code": "", "raw": "[raw]"}.get(want.cell_type, "[markdown]")
    if tag == "[markdown]" and metadata.get("region_name") == "md":
        tag = "[md]"
        del metadata["region_name"]
    if not metadata:
        return f"{indent}# %%" + (" " + tag if tag else "")
    line = indent + "# %%" + _options_text(tag, dict(metadata))
    if _read_marker(line, main) == want:
        return line
    if tag == "[md]":
        tag, metadata["region_name"] = "[markdown]", "md"
    line = f"{indent}# %% {tag + ' ' if tag else ''}{json.dumps(metadata)}"
    if _read_marker(line, main) == want:
        return line
    raise FormatError(f"cell metadata {want.metadata!r} cannot be written on a `# %%` line")


def _options_text(tag: str, metadata: dict) -> str:
    words = []
    title, depth = metadata.get("title"), metadata.get("cell_depth")
    if isinstance(title, str):
        words.append(metadata.pop("title"))
    if isinstance(depth, int) and not isinstance(depth, bool) and depth > 0:
        words.insert(0, "%" * metadata.pop("cell_depth"))
    if tag:
        words.append(tag)
    for key, value in metadata.items():
        if key == "incorrectly_encoded_metadata" and isinstance(value, str):
            words.append(value)
        else:
            words.append(key if value is None else f"{key}={json.dumps(value)}")
    options = " ".join(words)
    return options if options.startswith("%") else " " + options


# --- blank lines between cells --------------------------------------------------------------------------


def _dropped(tail: list[str], size: int) -> int:
    """How many lines before the next marker jupytext takes as the separator, from the block's last lines
    (`size` lines in all, marker included)."""
    if size >= 3 and not _is_blank(tail[-3]) and _is_blank(tail[-2]) and _is_blank(tail[-1]):
        return 2
    return 1 if size and tail[-1] == "" else 0


def _blank_ok(text: list[str], blank: int) -> bool:
    tail = (text[-3:] + [""] * blank)[-3:]
    return _dropped(tail, len(text) + blank) == blank


@dataclass
class _Scan:
    """Where jupytext's PEP 8 look-ahead stops in one cell: True/False, or None to go on after it."""

    result: bool | None
    last_blank: bool


def _scan_has_code(text: list[str]) -> _Scan:
    previous_blank = False
    for line in text:
        stripped = line.strip()
        if stripped.startswith("#"):
            previous_blank = False
        elif not stripped:
            if previous_blank:
                return _Scan(False, True)
            previous_blank = True
        else:
            return _Scan(True, False)
    return _Scan(None, previous_blank)


def _scan_next_def(text: list[str], quoted: frozenset[int]) -> _Scan:
    for k, line in enumerate(text):
        if k in quoted:
            continue
        if _is_blank(line):
            if k and _is_blank(text[k - 1]):
                return _Scan(False, True)
        elif line.startswith(("def ", "async ", "class ")):
            return _Scan(True, False)
        elif not line.startswith(("#", "@", " ", ")")):
            return _Scan(False, False)
    return _Scan(None, bool(text) and _is_blank(text[-1]))


def _ends_with_def(text: list[str], quoted: frozenset[int]) -> bool:
    previous_blank = False
    for k in range(len(text) - 1, -1, -1):
        if k in quoted:
            continue
        line = text[k]
        if _is_blank(line):
            if previous_blank:
                return False
            previous_blank = True
            continue
        previous_blank = False
        if line.startswith(("#", " ", ")")):
            continue
        return line.startswith(("def ", "async ", "class "))
    return False


class _Spacing:
    """jupytext's PEP 8 rule for the blank lines after each cell, decided from the last cell back, so each
    look-ahead into the following cells costs constant time."""

    def __init__(self, count: int) -> None:
        self.code_after = [False] * (count + 1)  # a code line follows, from the start of cell i on
        self.def_after = [False] * (count + 1)  # the next instruction from cell i on is a def or class

    def canonical(self, i: int, last: bool, text: list[str], quoted: frozenset[int]) -> int:
        if last:
            return 0
        if not text:
            return 0
        if _ends_with_def(text, quoted):
            return 2 if self.code_after[i + 1] else 1
        tail = text[-1]
        if tail.strip() and not tail.startswith("#") and self.def_after[i + 1]:
            return 2
        return 1

    def push(self, i: int, text: list[str], quoted: frozenset[int], blank: int) -> None:
        for memo, scan in (
            (self.code_after, _scan_has_code(text)),
            (self.def_after, _scan_next_def(text, quoted)),
        ):
            if scan.result is not None:
                memo[i] = scan.result
            elif blank >= 2 or (blank == 1 and scan.last_blank):
                memo[i] = False
            else:
                memo[i] = memo[i + 1]


def _preferred_blank(metadata: dict, last: bool) -> int | None:
    """jupytext's own `lines_to_next_cell` cell metadata, in our count of blank lines."""
    value = metadata.get("lines_to_next_cell")
    if not isinstance(value, int) or isinstance(value, bool) or value < (1 if last else 0):
        return None
    return value - 1 if last else value


# --- the header: shebang, coding line, YAML between `# ---` lines ---------------------------------------


@dataclass
class _Head:
    """The header lines jupytext reads before the first cell."""

    end: int = 0  # lines it takes, the blank line after the YAML included
    ended: bool = False  # a complete `# ---` ... `# ---` block
    executable: str | None = None
    encoding: tuple[int, str] | None = None  # (line index, the coding line)
    jupyter: list[tuple[int, str]] = field(default_factory=list)  # (line index, text) of `jupyter:`
    raw: str | None = None  # the other YAML keys, as jupytext's raw cell `---\n...\n---`


def _scan_header(lines: list[str]) -> _Head:
    head = _Head()
    started = in_jupyter = False
    others: list[str] = []
    end = 0
    for i, line in enumerate(lines):
        if i == 0 and line.startswith("#!"):
            head.executable, head.end = line[2:], 1
            continue
        if (i == 0 or (i == 1 and not _ENCODING.match(lines[0]))) and _ENCODING.match(line):
            head.encoding, head.end = (i, line), i + 1
            continue
        if not line.startswith("#"):
            break
        text = _uncomment(line)
        if _YAML_FENCE.match(text):
            if started:
                head.ended, end = True, i + 1
                break
            started = True
            continue
        if not started and text.strip():
            break
        if _JUPYTER_SECTION.match(text):
            in_jupyter = True
        elif text and not text[0].isspace():
            in_jupyter = False
        if in_jupyter:
            head.jupyter.append((i, text))
        else:
            others.append(text)
    if not head.ended:
        head.jupyter = []
        return head
    if end < len(lines) and _is_blank(_uncomment(lines[end])):
        end += 1
    head.end = end
    if others:
        head.raw = "\n".join(["---", *others, "---"])
    return head


def _header_metadata(head: _Head) -> dict:
    """The notebook metadata a header gives: its `jupyter:` section, shebang and coding line as jupytext
    stores them."""
    metadata: dict = {}
    if head.jupyter:
        numbers = [i + 1 for i, _ in head.jupyter]
        document = _Yaml([text for _, text in head.jupyter], numbers).document()
        section = document.get("jupyter") if isinstance(document, dict) else None
        if section is not None and not isinstance(section, dict):
            raise FormatError("the header's `jupyter:` section is not a mapping", numbers[0])
        metadata = section or {}
    if head.encoding is not None:
        index, line = head.encoding
        encoding = _ENCODING.match(line).group(1)  # type: ignore[union-attr]
        if encoding.lower().replace("_", "-") not in ("utf-8", "utf8"):
            raise FormatError(
                f"the file declares the encoding {encoding!r}; only utf-8 is supported", index + 1
            )
    extra = {"executable": head.executable, "encoding": head.encoding[1] if head.encoding else None}
    for key, value in extra.items():
        if value is not None:
            if not isinstance(metadata.get("jupytext"), dict):
                metadata["jupytext"] = {}
            metadata["jupytext"][key] = value
    return metadata


def _header_view(metadata: dict, keys: object) -> dict:
    wanted = [*HEADER_KEYS, *keys]  # type: ignore[misc]
    return {key: metadata[key] for key in wanted if key in metadata and key != KEY}


def _header_lines(metadata: dict, info: dict, cells: list) -> tuple[list[str], list]:
    """The header to write, and the cells left to write (a raw cell that came from the header goes back)."""
    first = cells[0] if cells and _is_header_cell(cells[0]) else None
    stored = info.get("header")
    kept: list[str] = []  # keys the file's header had, kept when the header is written anew
    if isinstance(stored, str):
        lines = stored.split("\n")
        head = _scan_header(lines)
        try:
            parsed: dict | None = _header_metadata(head)
        except FormatError:
            parsed = None  # not ours to fix: the header is written anew
        kept = [key for key in parsed or () if key in metadata]
        if head.end == len(lines) and _header_holds(head, parsed, metadata, first):
            return lines, cells[1:] if head.raw is not None else cells
    elif info and not _header_view(metadata, ()):
        return [], cells  # read from a file without a header, and nothing to put in one
    inner = _raw_header_lines(first) if first is not None else None
    follow = bool(cells) and (len(cells) > 1 or inner is None)
    return _canonical_header(metadata, inner or [], kept, follow), cells[1:] if inner is not None else cells


def _is_header_cell(cell: dict) -> bool:
    return (
        cell.get("cell_type") == "raw" and _dict(_dict(cell.get("metadata")).get(KEY)).get("header") is True
    )


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _header_holds(head: _Head, parsed: dict | None, metadata: dict, first: dict | None) -> bool:
    """Whether the recorded header still reads back to the notebook metadata (and its raw cell)."""
    if parsed is None or parsed != _header_view(metadata, parsed):
        return False
    return head.raw is None or (first is not None and _source(first) == head.raw)


def _raw_header_lines(cell: dict) -> list[str] | None:
    """The lines of a `---` raw cell that can go back into the header, or None."""
    lines = _source(cell).split("\n")
    if len(lines) < 2 or lines[0] != "---" or lines[-1] != "---":
        return None
    inner = lines[1:-1]
    if any(_YAML_FENCE.match(line) or _JUPYTER_SECTION.match(line) for line in inner):
        return None
    return inner


def _canonical_header(metadata: dict, raw: list[str], kept: list[str], cells_follow: bool) -> list[str]:
    jupytext = {
        k: v for k, v in _dict(metadata.get("jupytext")).items() if k not in ("executable", "encoding")
    }
    jupytext["text_representation"] = {
        "extension": ".py",
        "format_name": NAME,
        "format_version": FORMAT_VERSION,
        "jupytext_version": JUPYTEXT_VERSION,
    }
    jupyter = _header_view(metadata, [*kept, *_filtered_keys(metadata, jupytext)])
    jupyter["jupytext"] = jupytext
    jupyter["kernelspec"] = metadata.get("kernelspec") or DEFAULT_KERNELSPEC
    lines = []
    executable = _dict(metadata.get("jupytext")).get("executable")
    encoding = _dict(metadata.get("jupytext")).get("encoding")
    if isinstance(executable, str) and "\n" not in executable:
        lines.append("#!" + executable)
    if isinstance(encoding, str) and _ENCODING.match(encoding) and "\n" not in encoding:
        lines.append(encoding)
    yaml = ["---", *raw, *_yaml_lines({"jupyter": jupyter}, 0), "---"]
    lines += ["# " + line if line else "#" for line in yaml]
    return [*lines, ""] if cells_follow else lines


def _filtered_keys(metadata: dict, jupytext: dict) -> list[str]:
    """Notebook metadata named in jupytext's `notebook_metadata_filter` (`all` or a list of keys)."""
    wanted = jupytext.get("notebook_metadata_filter")
    if not isinstance(wanted, str):
        return []
    names = [name.strip() for name in wanted.split(",")]
    if "all" in names:
        return [key for key in metadata if key != KEY and key not in names and "-" + key not in names]
    return [name for name in names if name and not name.startswith("-")]


# --- a YAML subset: what PyYAML's safe_dump writes for JSON data, plus hand-written flow lists ----------


class _Yaml:
    """Reads block mappings and sequences, plain and quoted scalars (over several lines too), flow
    collections and comments; anchors, tags and block scalars are refused with the line."""

    def __init__(self, lines: list[str], numbers: list[int]) -> None:
        self.lines = list(lines)
        self.numbers = numbers  # the file line of each line
        self.i = 0

    def error(self, reason: str, at: int | None = None) -> FormatError:
        k = min(self.i if at is None else at, len(self.lines) - 1)
        return FormatError(f"header YAML: {reason}", self.numbers[k] if self.numbers else None)

    def document(self) -> object:
        value = self.node(0)
        if self.peek() is not None:
            raise self.error("unexpected text")
        return value

    def peek(self) -> tuple[int, str] | None:
        """(indentation, text) of the next line that is not blank or a comment."""
        while self.i < len(self.lines):
            line = self.lines[self.i]
            content = line.lstrip(" ")
            if content.strip() and not content.lstrip().startswith("#"):
                if content[0] == "\t":
                    raise self.error("a tab in the indentation")
                return len(line) - len(content), content.rstrip()
            self.i += 1
        return None

    def node(self, indent: int) -> object:
        found = self.peek()
        if found is None or found[0] < indent:
            return None
        column, content = found
        if _yaml_item(content):
            return self.sequence(column)
        if _yaml_key(content) is not None or _yaml_explicit(content, "?"):
            return self.mapping(column)
        self.i += 1
        return self.scalar(content, indent - 1)

    def mapping(self, column: int) -> dict:
        result = {}
        while (found := self.peek()) is not None and found[0] >= column:
            split = self.explicit_key(column) if found[0] == column else None
            split = split or (_yaml_key(found[1]) if found[0] == column else None)
            if split is None:
                raise self.error("expected `key: value` at this indentation")
            self.i += 1
            key, rest = split
            if rest and not rest.startswith("#"):
                result[key] = self.scalar(rest, column)
            elif (below := self.peek()) is not None and below[0] == column and _yaml_item(below[1]):
                result[key] = self.sequence(column)
            else:
                result[key] = self.node(column + 1)
        return result

    def explicit_key(self, column: int) -> tuple[str, str] | None:
        """`? key` then `: value`, as PyYAML writes long keys and keys with special characters."""
        content = self.lines[self.i].strip()
        if not _yaml_explicit(content, "?"):
            return None
        self.i += 1
        key = self.scalar(content[1:].strip(), column)
        found = self.peek()
        if found is None or found[0] != column or not _yaml_explicit(found[1], ":"):
            raise self.error("`? key` without its `: value`")
        return str(key), found[1][1:].strip()

    def sequence(self, column: int) -> list:
        items = []
        while (found := self.peek()) is not None and found[0] == column and _yaml_item(found[1]):
            rest = found[1][1:]
            inner = rest.lstrip(" ")
            if not inner or inner.startswith("#"):
                self.i += 1
                items.append(self.node(column + 1))
            else:
                inner_column = column + 1 + len(rest) - len(inner)
                self.lines[self.i] = " " * inner_column + inner
                items.append(self.node(inner_column))
        return items

    def scalar(self, text: str, parent: int) -> object:
        """The value in `text`, on the line before `self.i`, and on the lines below that continue it."""
        first, start = text[0], self.i - 1
        if first in "\"'":
            return self.quoted(text)
        if first in "[{":
            return self.flow(text)
        if first in "|>&*!%@`":
            raise self.error(f"{first!r} (block scalars, anchors, aliases, tags) is not supported", start)
        value = _yaml_uncomment(text)
        blanks = 0
        while self.i < len(self.lines):
            line = self.lines[self.i]
            content = line.strip()
            if not content:
                blanks += 1
            elif len(line) - len(line.lstrip(" ")) <= parent or content.startswith("#"):
                break
            elif _yaml_key(content) is not None:
                raise self.error("`key: value` indented under a plain value: check the indentation")
            else:
                value += ("\n" * blanks if blanks else " ") + _yaml_uncomment(content)
                blanks = 0
            self.i += 1
        if ": " in value or value.endswith(":"):
            raise self.error("`: ` in a plain scalar (quote it)", start)
        return _yaml_resolve(value)

    def quoted(self, text: str) -> str:
        quote, chunks, rest = text[0], [], text[1:]
        while (end := _closing_quote(rest, quote)) < 0:
            chunks.append(rest)
            if self.i >= len(self.lines):
                raise self.error("a quoted string that does not end")
            rest = self.lines[self.i]
            self.i += 1
        chunks.append(rest[:end])
        after = rest[end + 1 :].strip()
        if after and not after.startswith("#"):
            raise self.error("text after a quoted string")
        try:
            return _yaml_unquote(chunks, quote)
        except ValueError as exc:
            raise self.error(str(exc)) from None

    def flow(self, text: str) -> object:
        while not _flow_closed(text):
            if self.i >= len(self.lines):
                raise self.error("a [ or { that does not close")
            text += " " + self.lines[self.i].strip()
            self.i += 1
        try:
            parser = _Flow(text)
            value = parser.value()
            parser.finish()
        except ValueError as exc:
            raise self.error(str(exc)) from None
        return value


_YAML_NULL = {"", "~", "null", "Null", "NULL"}
_YAML_BOOL = {
    **dict.fromkeys("yes Yes YES true True TRUE on On ON".split(), True),
    **dict.fromkeys("no No NO false False FALSE off Off OFF".split(), False),
}
_YAML_INT = re.compile(r"[-+]?(?:0|[1-9][0-9_]*)\Z")
_YAML_INT_BASE = re.compile(r"([-+]?)0(?:(b)([01_]+)|(x)([0-9a-fA-F_]+)|(o?)([0-7_]+))\Z")
_YAML_FLOAT = re.compile(r"[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9_]+)(?:[eE][-+][0-9]+)?\Z")
_YAML_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
_YAML_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
    "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028",
    "P": "\u2029",
}  # fmt: skip
_YAML_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.?)", re.DOTALL)
_YAML_PLAIN = re.compile(r"[A-Za-z0-9_./(][A-Za-z0-9_./() +,:-]*\Z")


def _yaml_explicit(content: str, indicator: str) -> bool:
    return content == indicator or content.startswith((indicator + " ", indicator + "\t"))


def _yaml_item(content: str) -> bool:
    return content == "-" or content.startswith(("- ", "-\t"))


def _yaml_key(content: str) -> tuple[str, str] | None:
    """(key, rest of the line) when the text is a `key: value` entry."""
    if content[0] in "\"'":
        end = _closing_quote(content[1:], content[0])
        after = content[end + 2 :].lstrip(" ") if end >= 0 else ""
        if not after.startswith(":") or after[1:2] not in ("", " ", "\t"):
            return None
        try:
            return _yaml_unquote([content[1 : end + 1]], content[0]), after[1:].strip()
        except ValueError:
            return None
    if content.startswith(("#", "[", "{", "- ")) or content == "-":
        return None
    found = re.search(r":(?:[ \t]|\Z)", content)
    if found is None or not content[: found.start()].strip() or " #" in content[: found.start()]:
        return None
    return content[: found.start()].rstrip(), content[found.end() :].strip()


def _yaml_uncomment(text: str) -> str:
    return re.split(r"[ \t]#", text, maxsplit=1)[0].strip()


def _closing_quote(text: str, quote: str) -> int:
    """Index of the quote that ends a quoted scalar (`\\"` and `''` do not), or -1."""
    j = 0
    while (j := text.find(quote, j)) >= 0:
        if quote == "'":
            if text[j + 1 : j + 2] != "'":
                return j
            j += 2
            continue
        slashes = len(text[:j]) - len(text[:j].rstrip("\\"))
        if slashes % 2 == 0:
            return j
        j += 1
    return -1


def _yaml_unquote(chunks: list[str], quote: str) -> str:
    """A quoted scalar from its lines: line breaks fold to spaces, empty lines to newlines."""
    text = chunks[0]
    blanks = 0
    for k, chunk in enumerate(chunks[1:], 1):
        content = chunk.lstrip(" \t")
        if not content and k < len(chunks) - 1:
            blanks += 1
            continue
        trailing = len(text) - len(text.rstrip("\\"))
        if quote == '"' and trailing % 2:
            text = text[:-1] + "\n" * blanks + content
        else:
            text = text.rstrip(" \t") + ("\n" * blanks if blanks else " ") + content
        blanks = 0
    if quote == "'":
        return text.replace("''", "'")
    return _YAML_ESCAPE.sub(_yaml_escape, text)


def _yaml_escape(found: re.Match) -> str:
    code = found.group(1)
    if code[:1] in ("x", "u", "U") and len(code) > 1:
        return chr(int(code[1:], 16))
    if code not in _YAML_ESCAPES:
        raise ValueError(f"unknown escape \\{code}")
    return _YAML_ESCAPES[code]


def _yaml_resolve(text: str) -> object:
    """A plain scalar as PyYAML's safe_load types it (timestamps and .inf stay strings: JSON has neither)."""
    if text in _YAML_NULL:
        return None
    if text in _YAML_BOOL:
        return _YAML_BOOL[text]
    if _YAML_INT.match(text):
        return int(text.replace("_", ""))
    based = _YAML_INT_BASE.match(text)
    if based:
        sign, digits = based.group(1), based.group(3) or based.group(5) or based.group(7)
        base = 2 if based.group(2) else 16 if based.group(4) else 8
        return int(sign + digits.replace("_", ""), base)
    if _YAML_FLOAT.match(text) and text not in (".", "-.", "+."):
        return float(text.replace("_", ""))
    return text


def _flow_closed(text: str) -> bool:
    depth, quote = 0, None
    for k, char in enumerate(text):
        if quote is not None:
            if char == quote and (quote == "'" or text[k - 1] != "\\"):
                quote = None
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return True
    return False


class _Flow:
    """`[a, 'b', {c: 1}]` and `{a: [1, 2]}`: YAML's flow collections, on one logical line."""

    _PLAIN = re.compile(r"(?:[^,\[\]{}:#\s]|:(?=[^\s,\[\]{}])|(?<=\S)#|[ \t]+(?=[^\s,\[\]{}:#]))+")

    def __init__(self, text: str) -> None:
        self.text, self.pos = text, 0

    def skip(self) -> str:
        while self.pos < len(self.text) and self.text[self.pos] in " \t":
            self.pos += 1
        return self.text[self.pos : self.pos + 1]

    def value(self) -> object:
        char = self.skip()
        if char in ("[", "{"):
            return self.collection(char)
        if char in ("'", '"'):
            end = _closing_quote(self.text[self.pos + 1 :], char)
            if end < 0:
                raise ValueError("a quoted string that does not end")
            raw = self.text[self.pos + 1 : self.pos + 1 + end]
            self.pos += end + 2
            return _yaml_unquote([raw], char)
        found = self._PLAIN.match(self.text, self.pos)
        if found is None:
            raise ValueError(f"unexpected {char!r} in a flow collection")
        self.pos = found.end()
        return _yaml_resolve(found.group().strip())

    def collection(self, opening: str) -> object:
        closing = "]" if opening == "[" else "}"
        items: list = []
        pairs: dict = {}
        self.pos += 1
        while self.skip() != closing:
            if not self.skip():
                raise ValueError(f"{opening} without {closing}")
            item = self.value()
            if opening == "{":
                if self.skip() != ":":
                    raise ValueError("expected `:` in a flow mapping")
                self.pos += 1
                pairs[str(item)] = self.value()
            else:
                items.append(item)
            if self.skip() == ",":
                self.pos += 1
            elif self.skip() != closing:
                raise ValueError(f"expected `,` or `{closing}`")
        self.pos += 1
        return items if opening == "[" else pairs

    def finish(self) -> None:
        rest = self.text[self.pos :].strip()
        if rest and not rest.startswith("#"):
            raise ValueError("text after a flow collection")


def _yaml_lines(value: dict, indent: int) -> list[str]:
    """Block YAML for JSON data, keys sorted, lists at their key's indentation: PyYAML's safe_dump layout."""
    pad = " " * indent
    lines = []
    for key in sorted(value):
        item = value[key]
        head = f"{pad}{_yaml_scalar(str(key))}:"
        if isinstance(item, dict) and item:
            lines += [head, *_yaml_lines(item, indent + 2)]
        elif isinstance(item, list) and item:
            lines += [head, *_yaml_list(item, indent)]
        else:
            lines.append(f"{head} {_yaml_scalar(item)}")
    return lines


def _yaml_list(items: list, indent: int) -> list[str]:
    pad = " " * indent
    lines = []
    for item in items:
        if isinstance(item, dict) and item:
            inner = _yaml_lines(item, indent + 2)
        elif isinstance(item, list) and item:
            inner = _yaml_list(item, indent + 2)
        else:
            inner = [f"{pad}  {_yaml_scalar(item)}"]
        lines += [f"{pad}- {inner[0][indent + 2 :]}", *inner[1:]]
    return lines


def _yaml_scalar(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise FormatError(f"the notebook metadata holds {value!r}, which JSON and the header cannot")
        text = repr(value)
        return text.replace("e", ".0e") if "e" in text and "." not in text else text  # YAML 1.1: 1.0e+20
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    text = str(value)
    if _YAML_PLAIN.match(text) and not text.endswith((" ", ":")) and ": " not in text:
        if _yaml_resolve(text) == text and not _YAML_TIMESTAMP.match(text):
            return text
    if text.isprintable():
        return "'" + text.replace("'", "''") + "'"
    return '"' + "".join(_yaml_char(char) for char in text) + '"'


def _yaml_char(char: str) -> str:
    if char in ('"', "\\"):
        return "\\" + char
    if char.isprintable():
        return char
    named = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}
    if char in named:
        return named[char]
    code = ord(char)
    return f"\\x{code:02X}" if code < 0x100 else f"\\u{code:04X}" if code < 0x10000 else f"\\U{code:08X}"


# --- reading cells --------------------------------------------------------------------------------------


class _Closers:
    """Whether a later line closes a code fence: jupytext opens a fence in markdown only when something later
    closes it. Built on first use from the few lines with fences; each question then costs a bisection."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        # fence character: (lines that close such a fence, the longest closer from each of them on)
        self.closers: dict[str, tuple[list[int], list[int]]] | None = None

    def later(self, index: int, fence: tuple[str, int]) -> bool:
        if not fence[0]:
            return True  # any later line (a string left open swallows the next marker)
        if self.closers is None:
            self.closers = self._index()
        where, longest = self.closers[fence[0]]
        k = bisect.bisect_right(where, index)
        return k < len(where) and longest[k] >= fence[1]

    def _index(self) -> dict[str, tuple[list[int], list[int]]]:
        found: dict[str, tuple[list[int], list[int]]] = {"`": ([], []), "~": ([], [])}
        for k in [k for k, line in enumerate(self.lines) if "```" in line or "~~~" in line]:
            if close := _closing_fence(_uncomment(self.lines[k])):
                found[close[0]][0].append(k)
                found[close[0]][1].append(close[1])
        for _, longest in found.values():
            for j in range(len(longest) - 2, -1, -1):
                longest[j] = max(longest[j], longest[j + 1])
        return found


@dataclass
class _Found:
    """A cell as the file has it."""

    cell: NotebookNode
    marker: str | None  # the marker line, None for code before the first marker
    start: int  # index of its first line
    body: list[str]  # file lines between the marker and the blank separator
    source: list[str]  # the body as source lines
    quoted: frozenset[int]  # body lines that start inside a string
    blank: int  # blank separator lines after the body
    read: _Marker
    canonical: dict[int, str] | None  # code: the lines `writes` would put differently, as it would
    open_string: bool  # code: the body leaves a triple-quoted string open


def _read_cells(lines: list[str], start: int, main: str) -> list[_Found]:
    found: list[_Found] = []
    closers = _Closers(lines)
    i = start
    while i < len(lines):
        item = _read_cell(lines, i, main, closers)
        found.append(item)
        i = item.start + (item.marker is not None) + len(item.body) + item.blank
    return found


def _read_cell(lines: list[str], i: int, main: str, closers: _Closers) -> _Found:
    marker = lines[i] if _is_marker(lines[i]) else None
    read = _read_marker(marker, main)
    first = i + (marker is not None)
    stop = None
    if read.count is not None:
        stop = first + read.count
        if stop >= len(lines) or not _is_marker(lines[stop]):
            stop = None  # a count that does not fit the file is ignored
    quoted: list[int] = []
    canonical, open_string = None, False
    if read.commented:
        end, _ = _commented_end(lines, first, read.cell_type != "code", closers, stop)
        decoded = None
    else:
        canonical = {}
        end, decoded, quoted, open_string = _code_end(lines, first, stop, canonical)
    # The scan stops at the first marker outside strings and fences, or at the count's line if sooner: a
    # count ends a cell only where a string or fence would hide the next marker, else it changes nothing.
    blank = _dropped(lines[max(i, end - 3) : end], end - i)
    body = lines[first : end - blank]
    source = [_uncomment(line) for line in body] if decoded is None else decoded[: len(body)]
    text = "\n".join(source) + ("\n" if read.trailing else "")
    if read.magic is not None:
        text = read.magic + "\n" + text
    cell = _new_cell(read.cell_type, text, read.metadata)
    inside = frozenset(k for k in quoted if k < len(body))
    return _Found(cell, marker, i, body, source, inside, blank, read, canonical, open_string)


def _code_end(
    lines: list[str], first: int, stop: int | None, canonical: dict[int, str] | None = None
) -> tuple[int, list[str], list[int], bool]:
    """Decode code lines from `first` up to an unquoted marker (or `stop`, if sooner): end, source, quoted
    lines, and whether a string is left open. `canonical` collects the lines `writes` would put otherwise
    (only lines that reading changes can differ)."""
    decoded = []
    quoted = []
    triple, cont = None, False
    limit = len(lines) if stop is None else stop
    j = first
    while j < limit:
        line = lines[j]
        if triple is not None:
            quoted.append(j - first)
            text = line
        elif "#" in line and _MARKER.match(line):
            break
        elif cont or _ATTENTION.match(line):
            before = cont
            text, cont = _decode_code(line, cont)
            if canonical is not None:
                try:
                    ours = _encode_code_line(text, before, None)[0]
                except FormatError:
                    ours = ""  # a line only its own form reads back to: recorded as it is
                if ours != line:
                    canonical[j - first] = ours
        else:
            text = line
        decoded.append(text)
        if triple is not None or '"' in line or "'" in line:
            triple = _string_state(line, triple)
        j += 1
    return j, decoded, quoted, triple is not None


def _commented_end(
    lines: list[str], first: int, fences: bool, closers: _Closers, stop: int | None = None
) -> tuple[int, bool]:
    """Where a markdown or raw cell ends: the next marker outside a fenced block (or `stop`, if sooner),
    and whether a fence is open there."""
    fence = None
    j = first
    limit = len(lines) if stop is None else stop
    while j < limit:
        line = lines[j]
        if fences and (fence is not None or "```" in line or "~~~" in line):
            text = _uncomment(line)
            if fence is not None:
                close = _closing_fence(text) if _fenced(text) else None
                if close and close[0] == fence[0] and close[1] >= fence[1]:
                    fence = None
                j += 1
                continue
            opening = _opening_fence(text)
            if opening and closers.later(j, opening):
                fence = opening
                j += 1
                continue
        if "#" in line and _MARKER.match(line):
            break
        j += 1
    return j, fence is not None


# --- recording how the file differs from what writes() would produce ---------------------------------


def _record_layout(found: list[_Found], main: str, lines: list[str]) -> None:
    """Put in each cell's metadata what `writes` needs to give back its marker, body and blank lines."""
    spacing = _Spacing(len(found))
    closers = _Closers(lines)
    for k in range(len(found) - 1, -1, -1):
        item = found[k]
        last = k == len(found) - 1
        end = item.start + (item.marker is not None) + len(item.body) + item.blank
        info = _record_cell(
            item, main, k == 0, lambda fence, e=end, x=last: not x and closers.later(e - 1, fence)
        )
        text = [item.marker, *item.body] if item.marker is not None else item.body
        quoted = frozenset(j + 1 for j in item.quoted) if item.marker is not None else item.quoted
        options = [_preferred_blank(item.cell.metadata, last), spacing.canonical(k, last, text, quoted)]
        separator = lines[end - item.blank : end]
        if any(separator):
            info["blank"] = separator  # whitespace on a separator line
        elif next(b for b in [*options, 1, 0, 2, 3] if b is not None and _blank_ok(text, b)) != item.blank:
            info["blank"] = item.blank
        spacing.push(k, text, quoted, item.blank)
        if info:
            item.cell.metadata[KEY] = info


def _record_cell(
    item: _Found, main: str, first: bool, closed_later: Callable[[tuple[str, int]], bool]
) -> dict:
    info: dict = {} if item.marker is not None else {"marker": None}
    read_body = None
    if item.canonical is not None:  # code, as read: the canonical body differs only where recorded
        canonical_lines = [item.canonical.get(k, line) for k, line in enumerate(item.body)]
        read_body = _Body(canonical_lines, item.quoted, item.open_string)
    layout = _layout(item.cell, main, info, first, read_body)
    if layout.want.magic is not None and item.read.magic is None:
        info["form"] = "plain"
        layout = _layout(item.cell, main, info, first, read_body)
    canonical = layout.body.lines
    if read_body is not None:
        canonical = [*canonical, ""] if item.read.trailing else canonical  # what writes() encodes
        if len(layout.source) != len(canonical):
            canonical = []  # the empty source has no line: a body of one empty line is recorded as it is
    text = [item.marker or "", *canonical]
    trailing = item.read.trailing and not any(_blank_ok(text, blank) for blank in range(4))
    if item.read.trailing and canonical and canonical[-1] == "":
        canonical = _without_trailing_newline(canonical[:])
    if canonical != item.body:
        info.update(_body_record(canonical, item.body, item.source))
    if item.marker is not None:
        want = layout.want
        open_end = any(closed_later(fence) for fence in layout.body.open_fences) or (
            layout.body.open_string and closed_later(("", 0))
        )
        want.trailing = trailing
        want.count = len(item.body) + item.blank if open_end else None
        try:
            same = _marker_line(want, layout.indent, main) == item.marker
        except FormatError:
            same = False
        if not same:
            info["marker"] = item.marker
    return info


def _body_record(canonical: list[str], body: list[str], source: list[str]) -> dict:
    """Per-line prefix changes ([line, position, prefix]) turning the canonical body into the file's, or the
    file's body lines when the difference is not of that kind."""
    if len(canonical) != len(body) or len(source) != len(body):
        return {"body": body}
    changes = []
    for k, (ours, theirs) in enumerate(zip(canonical, body)):
        if ours != theirs:
            text = source[k]
            j = next((n for n, pair in enumerate(zip(theirs, text)) if pair[0] != pair[1]), len(text))
            prefix = theirs[j : j + len(theirs) - len(text)]
            if len(theirs) < len(text) or text[:j] + prefix + text[j:] != theirs:
                return {"body": body}
            changes.append([k, j, prefix])
    return {"lines": changes}


def _validate(nb: NotebookNode, head: _Head, found: list[_Found]) -> None:
    """nbformat's schema on the metadata it constrains (kernelspec, tags, name...), with the line to blame."""
    constrained = {"jupyter", "execution", "collapsed", "scrolled", "name", "tags", "format", "deletable"}
    suspects = [item for item in found if constrained.intersection(item.cell.metadata)]
    probe = NotebookNode(nbformat=4, nbformat_minor=5, metadata=nb.metadata, cells=[x.cell for x in suspects])
    try:
        nbformat.validate(probe)
        return
    except nbformat.ValidationError as exc:
        problem = exc.message
    for item in suspects:
        alone = NotebookNode(nbformat=4, nbformat_minor=5, metadata={}, cells=[item.cell])
        try:
            nbformat.validate(alone)
        except nbformat.ValidationError as exc:
            key = _schema_key(exc, "metadata")
            reason = f"cell metadata {key!r} is not valid for nbformat: {exc.message}"
            raise FormatError(reason, item.start + 1) from None
    line = head.jupyter[0][0] + 1 if head.jupyter else None
    raise FormatError(f"notebook metadata in the header is not valid for nbformat: {problem}", line)


def _schema_key(error: Exception, after: str) -> str:
    """The metadata key a schema error is about: the path element after `metadata`."""
    path = [str(part) for part in getattr(error, "absolute_path", getattr(error, "path", ()))]
    return path[path.index(after) + 1] if after in path[:-1] else "?"


# --- writing cells --------------------------------------------------------------------------------------


@dataclass
class _Layout:
    """How one cell is written: marker, body lines, blank lines after it."""

    want: _Marker  # what the marker line must say
    stored: str | None  # the marker line recorded when the cell was read
    stored_read: _Marker | None  # what that line says
    cell_metadata: dict
    indent: str  # before `# %%`: jupytext indents the marker like the first code line
    body: _Body
    preferred: list[int]  # blank line counts to try before the canonical one
    markerless: bool  # written without a marker (code before the first marker)
    source: list[str]  # the source lines the body encodes
    separator: list[str] | None = None  # recorded separator lines with whitespace on them
    blank: int = 0

    def marker_text(self) -> str:
        return self.stored if self.stored is not None else self.indent + "# %%"

    def text(self) -> list[str]:
        return self.body.lines if self.markerless else [self.marker_text(), *self.body.lines]

    def lines(self, main: str) -> list[str]:
        if self.markerless:
            head = []
        elif self.stored is not None and _marker_holds(self.stored_read, self.want, self.cell_metadata):
            head = [self.stored]
        else:
            head = [_marker_line(self.want, self.indent, main)]
        separator = (
            self.separator if self.separator and len(self.separator) == self.blank else [""] * self.blank
        )
        return [*head, *self.body.lines, *separator]


def _marker_holds(read: _Marker | None, want: _Marker, cell_metadata: dict) -> bool:
    """Whether a recorded marker line still reads back to the cell (its hidden keys may stay)."""
    if read is None:
        return False
    extra = {k: cell_metadata[k] for k in read.metadata if k not in want.metadata and k in cell_metadata}
    return read == _Marker(**{**want.__dict__, "metadata": {**want.metadata, **extra}})


def _visible_metadata(metadata: dict, main: str) -> dict:
    """The cell metadata a marker line carries: jupytext's filter, less the keys the reader interprets."""
    reserved = (*HIDDEN_CELL_KEYS, "cell_type", TRAILING_NEWLINE, LINE_COUNT)
    visible = {k: v for k, v in metadata.items() if k not in reserved}
    language = visible.get("language")
    if isinstance(language, str) and (
        language == main or (language in LANGUAGES and _usual_language(language) != main)
    ):
        del visible["language"]
    return visible


def _magic_form(lines: list[str], metadata: dict, main: str) -> str | None:
    """The `%%lang args` first line jupytext writes as `language="lang"`, if the cell has one."""
    if len(lines) < 2 or not lines[0].startswith("%%") or "language" in metadata or "magic_args" in metadata:
        return None
    language, _, args = lines[0][2:].partition(" ")
    if language not in LANGUAGES or language == main or _usual_language(language) == main:
        return None
    return lines[0] if "%%" + language + (" " + args if args else "") == lines[0] else None


def _layout(cell: dict, main: str, info: dict, first: bool, body: _Body | None = None) -> _Layout:
    cell_type = cell.get("cell_type")
    if cell_type not in CELL_TYPES:
        raise FormatError(f"unknown cell type {cell_type!r}")
    cell_metadata = _dict(cell.get("metadata"))
    metadata = _visible_metadata(cell_metadata, main)
    source = _source(cell)
    lines = source.split("\n")
    want = _Marker(cell_type, metadata, commented=cell_type != "code" or "language" in metadata)
    if info.get("form") != "plain" and (magic := _magic_form(lines, metadata, main)) is not None:
        want.magic, want.commented, lines = magic, True, lines[1:]
    markerless = first and info.get("marker", _MISSING) is None and not want.commented and not metadata
    if not want.commented and source == "":
        lines = []
    body = body or _stored_body(info.get("body"), lines, want.commented, cell_type != "code")
    if body is None:
        prefer = _preferred_lines(info.get("lines"), lines)
        if want.commented:
            body = _encode_commented(lines, cell_type != "code", prefer)
        else:
            body = _encode_code(lines, prefer)
    indent = ""
    if not want.commented and lines and lines[0].strip():
        indent = lines[0][: len(lines[0]) - len(lines[0].lstrip())]
    stored = info.get("marker")
    stored = stored if isinstance(stored, str) and _is_marker(stored) else None
    blank = info.get("blank")
    separator = None
    if isinstance(blank, list) and all(isinstance(line, str) and _is_blank(line) for line in blank):
        separator, blank = blank, len(blank)
    preferred = [blank] if isinstance(blank, int) and not isinstance(blank, bool) and blank >= 0 else []
    read = _read_marker(stored, main) if stored is not None else None
    return _Layout(want, stored, read, cell_metadata, indent, body, preferred, markerless, lines, separator)


def _preferred_lines(records: object, source: list[str]) -> dict[int, str]:
    """The file lines recorded as [line, position, prefix], applied to the current source lines."""
    prefer = {}
    for record in records if isinstance(records, list) else ():
        if isinstance(record, list) and len(record) == 3:
            k, j, prefix = record
            if isinstance(k, int) and isinstance(j, int) and isinstance(prefix, str) and 0 <= k < len(source):
                if 0 <= j <= len(source[k]):
                    prefer[k] = source[k][:j] + prefix + source[k][j:]
    return prefer


def _stored_body(stored: object, source: list[str], commented: bool, fences: bool) -> _Body | None:
    """The recorded body lines, if they still read back to the source lines."""
    if not isinstance(stored, list) or not all(isinstance(line, str) and "\n" not in line for line in stored):
        return None
    if commented:
        if _commented_end(stored, 0, fences, _Closers(stored))[0] != len(stored):
            return None
        if "\n".join(_uncomment(line) for line in stored) != "\n".join(source):
            return None
        return _Body(list(stored), open_fences=_fence_layout(source)[1] if fences else ())
    end, decoded, quoted, open_string = _code_end(stored, 0, None)
    if end != len(stored) or "\n".join(decoded) != "\n".join(source):
        return None
    return _Body(list(stored), frozenset(quoted), open_string)


def _cell_lines(cells: list, main: str, use_info: bool, head: list[str], markerless: bool) -> list[str]:
    layouts = []
    for k, cell in enumerate(cells):
        info = _dict(_dict(cell.get("metadata")).get(KEY)) if use_info else {}
        layouts.append(_layout(cell, main, info, markerless and k == 0))
    _space(layouts)
    if layouts and layouts[0].markerless:
        lay = layouts[0]
        if lay.want.trailing or lay.want.count is not None or not (lay.body.lines or lay.blank):
            return _cell_lines(cells, main, use_info, head, markerless=False)
    out = list(head)
    for lay in layouts:
        out += lay.lines(main)
    return out


def _space(layouts: list[_Layout]) -> None:
    """Blank lines after each cell and the marker flags that depend on them, from the last cell back."""
    spacing = _Spacing(len(layouts))
    closers = {"`": 0, "~": 0}  # longest closing fence in the cells after the current one
    for k in range(len(layouts) - 1, -1, -1):
        lay = layouts[k]
        last = k == len(layouts) - 1
        _choose_blank(lay, k, last, spacing)
        open_fence = any(closers[char] >= size for char, size in lay.body.open_fences)
        if not last and (lay.body.open_string or open_fence):
            lay.want.count = len(lay.body.lines) + lay.blank
        text = lay.text()
        quoted = lay.body.quoted if lay.markerless else frozenset(j + 1 for j in lay.body.quoted)
        spacing.push(k, text, quoted, lay.blank)
        for line in lay.body.lines:
            if _fenced(line) and (close := _closing_fence(_uncomment(line))):
                closers[close[0]] = max(closers[close[0]], close[1])


def _choose_blank(lay: _Layout, k: int, last: bool, spacing: _Spacing) -> None:
    """The recorded count, jupytext's own hint, or the PEP 8 one, whichever reads back; when none does, the
    body ends with a newline jupytext cannot write, and the marker says so."""
    lines = lay.body.lines
    stored_trailing = lay.stored_read is not None and lay.stored_read.trailing
    if stored_trailing and not lay.want.commented and lines and lines[-1] == "":
        _without_trailing_newline(lines)
        lay.want.trailing = True
    while True:
        text = lay.text()
        quoted = lay.body.quoted if lay.markerless else frozenset(j + 1 for j in lay.body.quoted)
        jupytext = _preferred_blank(lay.cell_metadata, last)
        canonical = spacing.canonical(k, last, text, quoted)
        for blank in [*lay.preferred, jupytext, canonical, 1, 0, 2, 3]:
            if blank is not None and _blank_ok(text, blank):
                lay.blank = blank
                return
        plain = (
            _encode_commented(lay.source, lay.want.cell_type != "code", {}) if lay.want.commented else None
        )
        if plain is not None and plain.lines != lines:
            lay.body = plain  # a recorded line made the body end blank: back to `# ` everywhere
            lines = plain.lines
        elif lay.want.trailing or lay.want.commented or not lines or lines[-1] != "":
            raise FormatError("a cell body that no blank line count reads back")
        else:
            _without_trailing_newline(lines)  # jupytext would take that newline for the separator
            lay.want.trailing = True


def _without_trailing_newline(lines: list[str]) -> list[str]:
    """Code body lines less the empty last line (`[""]`, the empty source, becomes no line at all)."""
    lines.pop()
    if lines == [""]:
        lines.clear()
    return lines
