"""Percent marker lines (`# %% [markdown] title key=value`): what one says, and the one to write for a cell.

Both directions use this: the reader to type a cell and take its metadata, the writer to make a line and
to check that it reads back to the cell (`read_marker(marker_line(want, ...)) == want`).
"""

from __future__ import annotations

import ast
import json
import math
import re
from dataclasses import dataclass, field

from reactive_kernel.core.errors import FormatError
from reactive_kernel.formats.percent.syntax import LANGUAGES, NESTING_LIMIT, usual_language

# Our two marker keys, read as flags and never as cell metadata (see the package docstring).
TRAILING_NEWLINE = "reactive_trailing_newline"  # the code cell's source ends with one more newline
LINE_COUNT = "reactive_lines"  # lines up to the next marker, for a cell that leaves a string or fence open

# --- line patterns (compiled once; every function below matches whole lines) --------------------------


_MARKER_WITH_OPTIONS = re.compile(r"\s*#\s*%%%*\s")


_IDENTIFIER = re.compile(r"[a-zA-Z_.]+[a-zA-Z0-9_.]*\Z")
_METADATA_KEY = re.compile(r"[a-zA-Z0-9_.@/-]+\Z")


# --- marker lines ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Marker:
    """What a marker line says about its cell."""

    cell_type: str = "code"
    metadata: dict = field(default_factory=dict)  # the cell metadata it gives
    magic: str | None = None  # the `%%lang args` line that `language=` stands for
    commented: bool = False  # the body lines are commented (markdown, raw, another language)
    trailing: bool = False  # `reactive_trailing_newline`: the source ends with one more newline
    count: int | None = None  # `reactive_lines`: lines up to the next marker


def read_marker(line: str | None, main: str) -> Marker:
    """What a marker line says: cell type (`[markdown]`, `[raw]`, `[md]`, `cell_type=`), title, `%` depth,
    metadata, cell magic, and our two flags, as jupytext reads them.

    Raises:
        FormatError: (without a line) brackets nested more than NESTING_LIMIT deep, checked before parsing.
    """
    if line is None or not _MARKER_WITH_OPTIONS.match(line):
        return Marker()
    if _too_deep(line):
        raise FormatError(f"the metadata on this `# %%` line is nested more than {NESTING_LIMIT} levels deep")
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
    typed = "cell_type" in metadata
    if typed:
        kind = metadata.pop("cell_type")
        cell_type = kind if kind in ("code", "markdown") else "raw"
    elif not active_in("ipynb", metadata):
        cell_type = "raw"  # jupytext: a cell inactive in notebooks is raw there (`active="py"`: script-only)
        if metadata.get("active") == "":
            del metadata["active"]
    # Body lines are commented in markdown, in [raw] cells, and in cells jupytext leaves out of scripts
    # (frozen, `active` without py); a raw cell active only in scripts has code lines.
    commented = cell_type == "markdown" or (typed and cell_type == "raw") or not active_in("py", metadata)
    commented, magic = _read_language(metadata, cell_type, commented, main)
    trailing = metadata.pop(TRAILING_NEWLINE, None) is True and not commented
    count = metadata.pop(LINE_COUNT, None)
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        count = None
    return Marker(cell_type, metadata, magic, commented, trailing, count)


def _too_deep(text: str) -> bool:
    """Whether brackets nest more than NESTING_LIMIT deep outside quoted strings (where a backslash escapes
    the next character)."""
    if text.count("[") + text.count("{") + text.count("(") <= NESTING_LIMIT:
        return False  # the usual marker line costs no scan
    depth = 0
    quote = None
    escaped = False
    for char in text:
        if quote is not None:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char in "[{(":
            depth += 1
            if depth > NESTING_LIMIT:
                return True
        elif char in "]})":
            depth -= 1
    return False


def _read_language(metadata: dict, cell_type: str, commented: bool, main: str) -> tuple[bool, str | None]:
    """`language=` (jupytext's cell magics): drop it for the main language, else a commented body unless
    `active` says otherwise (a raw cell of code lines keeps them: jupytext has no comment to take off).
    Returns whether the body is commented and the cell magic `language=` stands for; takes the keys it
    reads out of `metadata`."""
    language = metadata.get("language")
    if not isinstance(language, str):
        return commented, None
    if language == main:
        del metadata["language"]
        return commented, None
    if cell_type != "raw":
        commented = commented or "active" not in metadata
    if language not in LANGUAGES or usual_language(language) == main:
        return commented, None
    del metadata["language"]
    magic = "%%" + language
    if "magic_args" in metadata:
        magic += f" {metadata.pop('magic_args')}"
    return commented, magic


def active_in(ext: str, metadata: dict, default: bool = True) -> bool:
    """jupytext's test for a cell that runs in files of type `ext` ("py", "ipynb"): frozen cells
    (`run_control.frozen`) only in notebooks, else the first `active-ipynb-py`-style tag, else the `active`
    key (`"ipynb,py"`), else `default`. Values jupytext would fail on count as absent."""
    run_control = metadata.get("run_control")
    if isinstance(run_control, dict) and run_control.get("frozen") is True:
        return ext == "ipynb"
    tags = metadata.get("tags")
    for tag in tags if isinstance(tags, list) else ():
        if isinstance(tag, str) and tag.startswith("active-"):
            return ext in tag.split("-")
    active = metadata.get("active")
    if not isinstance(active, str):
        return default
    return ext in re.split(r"[.,]", active)


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


def marker_line(want: Marker, indent: str, main: str) -> str:
    """jupytext's marker line for a cell, or the first other form that reads back to it: the type named
    where `active` alone would misread it, or JSON metadata."""
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
    for word, tag, extra in _type_forms(want.cell_type, metadata):
        options = {k: v for k, v in metadata.items() if k not in extra}  # `[md]` says region_name="md"
        lines = [indent + "# %%" + (_options_text(word, dict(options)) if options or word else "")]
        if options or extra:
            lines.append(f"{indent}# %% {tag + ' ' if tag else ''}{json.dumps({**options, **extra})}")
        for line in lines:
            if read_marker(line, main) == want:
                return line
    raise FormatError(f"cell metadata {want.metadata!r} cannot be written on a `# %%` line")


def _type_forms(cell_type: str, metadata: dict) -> list[tuple[str, str, dict]]:
    """How a marker can say its cell's type, jupytext's way first: (word before `key=value` options, tag
    before JSON options, keys the JSON adds and the options leave out). jupytext names no type for a code
    cell, nor for a raw cell with `active` metadata (raw where inactive in notebooks); `active=""` makes a
    raw cell of code lines that jupytext reads without the key."""
    if cell_type == "code":
        return [("", "", {}), ('cell_type="code"', "", {"cell_type": "code"})]
    if cell_type == "raw":
        untyped = [("", "", {})] if untyped_raw(metadata) else []
        inactive = [] if "active" in metadata else [('active=""', "", {"active": ""})]
        return [*untyped, ("[raw]", "[raw]", {}), *inactive]
    if metadata.get("region_name") == "md":
        return [("[md]", "[markdown]", {"region_name": "md"})]
    return [("[markdown]", "[markdown]", {})]


def untyped_raw(metadata: dict) -> bool:
    """jupytext writes a raw cell with `active` metadata or an `active-` tag as code, without `[raw]`."""
    tags = metadata.get("tags")
    tagged = isinstance(tags, list) and any(isinstance(t, str) and t.startswith("active-") for t in tags)
    return tagged or metadata.get("active", "") != ""


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
