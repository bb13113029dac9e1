"""Write a percent file (cells -> text): marker, body and blank lines, reusing what reading recorded.

`cell_lines` gives the lines of the cells after the header. `record_layout` is the other half of the round
trip: run on the cells just read, it stores in each cell's metadata how the file differs from what
`cell_lines` would write (marker, body lines, blank lines), so an unedited notebook gives back its bytes.
A record is used only while it still reads back to the cell; every line written is checked that way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from reactive_kernel.core.errors import FormatError
from reactive_kernel.formats.percent.marker import (
    LINE_COUNT,
    TRAILING_NEWLINE,
    Marker,
    active_in,
    marker_line,
    read_marker,
    untyped_raw,
)
from reactive_kernel.formats.percent.reader import Closers, Found, code_end, commented_end
from reactive_kernel.formats.percent.spacing import Spacing, blank_ok, preferred_blank
from reactive_kernel.formats.percent.syntax import (
    KEY,
    LANGUAGES,
    Body,
    as_dict,
    cell_source,
    closing_fence,
    encode_code,
    encode_commented,
    fence_layout,
    fenced,
    is_blank,
    is_marker,
    uncomment,
    usual_language,
)

CELL_TYPES = ("code", "markdown", "raw")
# Cell metadata jupytext never writes on a marker line.
HIDDEN_CELL_KEYS = frozenset(
    [
        *"autoscroll collapsed scrolled trusted execution ExecuteTime skipline noskipline".split(),
        "cell_marker",
        *"lines_to_next_cell lines_to_end_of_cell_marker comment_questions".split(),
        KEY,
    ]
)


@dataclass
class _Layout:
    """How one cell is written: marker, body lines, blank lines after it."""

    want: Marker  # what the marker line must say
    stored: str | None  # the marker line recorded when the cell was read
    stored_read: Marker | None  # what that line says
    cell_metadata: dict
    indent: str  # before `# %%`: jupytext indents the marker like the first code line
    body: Body
    preferred: list[int]  # blank line counts to try before the canonical one
    markerless: bool  # written without a marker (code before the first marker)
    source: list[str]  # the source lines the body encodes
    separator: list[str] | None = None  # recorded separator lines with whitespace on them
    blank: int = 0

    def end_without_newline(self) -> None:
        """Drop the body's empty last line: the marker's `reactive_trailing_newline` stands for it."""
        self.body = replace(self.body, lines=_without_trailing_newline(self.body.lines))
        self.want = replace(self.want, trailing=True)

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
            head = [marker_line(self.want, self.indent, main)]
        separator = (
            self.separator if self.separator and len(self.separator) == self.blank else [""] * self.blank
        )
        return [*head, *self.body.lines, *separator]


def _marker_holds(read: Marker | None, want: Marker, cell_metadata: dict) -> bool:
    """Whether a recorded marker line still reads back to the cell (its hidden keys may stay)."""
    if read is None:
        return False
    extra = {k: cell_metadata[k] for k in read.metadata if k not in want.metadata and k in cell_metadata}
    return read == replace(want, metadata={**want.metadata, **extra})


def _visible_metadata(metadata: dict, main: str) -> dict:
    """The cell metadata a marker line carries: jupytext's filter, less the keys the reader interprets."""
    reserved = (*HIDDEN_CELL_KEYS, "cell_type", TRAILING_NEWLINE, LINE_COUNT)
    visible = {k: v for k, v in metadata.items() if k not in reserved}
    language = visible.get("language")
    if isinstance(language, str) and (
        language == main or (language in LANGUAGES and usual_language(language) != main)
    ):
        del visible["language"]
    return visible


def _commented(cell_type: str, metadata: dict) -> bool:
    """Whether the body lines are comments: in markdown and raw cells, in cells of another language, and in
    code cells jupytext leaves out of scripts (frozen, `active` without py). A raw cell that jupytext's
    `active` makes script-only (`active="py"`) has code lines, as jupytext writes it."""
    if cell_type == "code":
        return not active_in("py", metadata) or ("language" in metadata and "active" not in metadata)
    script_only = not active_in("ipynb", metadata) and active_in("py", metadata)
    return cell_type != "raw" or not script_only or not untyped_raw(metadata)


def _magic_form(lines: list[str], metadata: dict, main: str) -> str | None:
    """The `%%lang args` first line jupytext writes as `language="lang"`, if the cell has one."""
    if len(lines) < 2 or not lines[0].startswith("%%") or "language" in metadata or "magic_args" in metadata:
        return None
    language, _, args = lines[0][2:].partition(" ")
    if language not in LANGUAGES or language == main or usual_language(language) == main:
        return None
    return lines[0] if "%%" + language + (" " + args if args else "") == lines[0] else None


def _layout(cell: dict, main: str, info: dict, first: bool, body: Body | None = None) -> _Layout:
    cell_type = cell.get("cell_type")
    if cell_type not in CELL_TYPES:
        raise FormatError(f"unknown cell type {cell_type!r}")
    cell_metadata = as_dict(cell.get("metadata"))
    metadata = _visible_metadata(cell_metadata, main)
    source = cell_source(cell)
    lines = source.split("\n")
    want = Marker(cell_type, metadata, commented=_commented(cell_type, metadata))
    if info.get("form") != "plain" and (magic := _magic_form(lines, metadata, main)) is not None:
        want = replace(want, magic=magic, commented=want.commented or "active" not in metadata)
        lines = lines[1:]
    stored = info.get("marker")
    stored = stored if isinstance(stored, str) and is_marker(stored) else None
    read = read_marker(stored, main) if stored is not None else None
    want = replace(want, commented=_body_form(want, read, cell_metadata))
    markerless = first and "marker" in info and info["marker"] is None and not want.commented and not metadata
    if not want.commented and source == "":
        lines = []
    body = body or _stored_body(info.get("body"), lines, want.commented, cell_type)
    if body is None:
        prefer = _preferred_lines(info.get("lines"), lines)
        body, want = _encode_body(want, lines, prefer)
    indent = ""
    if not want.commented and lines and lines[0].strip():
        indent = lines[0][: len(lines[0]) - len(lines[0].lstrip())]
    blank = info.get("blank")
    separator = None
    if isinstance(blank, list) and all(isinstance(line, str) and is_blank(line) for line in blank):
        separator, blank = blank, len(blank)
    preferred = [blank] if isinstance(blank, int) and not isinstance(blank, bool) and blank >= 0 else []
    return _Layout(want, stored, read, cell_metadata, indent, body, preferred, markerless, lines, separator)


def _encode_body(want: Marker, lines: list[str], prefer: dict[int, str]) -> tuple[Body, Marker]:
    """The body lines for the source lines, commented or as code, and the marker for them: a raw cell whose
    code lines cannot say its source (a `# %%` line: jupytext unescapes none there) is written commented,
    as `[raw]`."""
    if not want.commented:
        try:
            return encode_code(lines, prefer, want.cell_type == "raw"), want
        except FormatError:
            if want.cell_type != "raw":
                raise
            want = replace(want, commented=True)
    return encode_commented(lines, want.cell_type != "code", prefer), want


def _body_form(want: Marker, read: Marker | None, cell_metadata: dict) -> bool:
    """Whether the body is commented: as the recorded marker has it when that marker still gives the cell
    (jupytext's `# %% active=""` is a raw cell of code lines; ours would be `# %% [raw]`, commented)."""
    if read is None or read.commented == want.commented:
        return want.commented
    probe = replace(want, commented=read.commented, trailing=read.trailing, count=read.count)
    return read.commented if _marker_holds(read, probe, cell_metadata) else want.commented


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


def _stored_body(stored: object, source: list[str], commented: bool, cell_type: str) -> Body | None:
    """The recorded body lines, if they still read back to the source lines."""
    if not isinstance(stored, list) or not all(isinstance(line, str) and "\n" not in line for line in stored):
        return None
    fences = cell_type != "code"  # markdown and raw cells have fenced blocks
    if commented:
        if commented_end(stored, 0, fences, Closers(stored))[0] != len(stored):
            return None
        if "\n".join(uncomment(line) for line in stored) != "\n".join(source):
            return None
        return Body(list(stored), open_fences=fence_layout(source)[1] if fences else ())
    end, decoded, quoted, open_string = code_end(stored, 0, None, None, raw=cell_type == "raw")
    if end != len(stored) or "\n".join(decoded) != "\n".join(source):
        return None
    return Body(list(stored), frozenset(quoted), open_string)


def cell_lines(cells: list, main: str, use_info: bool, head: list[str], markerless: bool) -> list[str]:
    """The file's lines: `head` (the header), then the cells, using their records when `use_info`.
    `markerless`: the first code cell may go without a marker, as it was read.
    """
    layouts = []
    for k, cell in enumerate(cells):
        info = as_dict(as_dict(cell.get("metadata")).get(KEY)) if use_info else {}
        layouts.append(_layout(cell, main, info, markerless and k == 0))
    _space(layouts)
    if layouts and layouts[0].markerless:
        lay = layouts[0]
        if lay.want.trailing or lay.want.count is not None or not (lay.body.lines or lay.blank):
            return cell_lines(cells, main, use_info, head, markerless=False)
    out = list(head)
    for lay in layouts:
        out += lay.lines(main)
    return out


def _space(layouts: list[_Layout]) -> None:
    """Blank lines after each cell and the marker flags that depend on them, from the last cell back."""
    spacing = Spacing(len(layouts))
    closers = {"`": 0, "~": 0}  # longest closing fence in the cells after the current one
    for k in range(len(layouts) - 1, -1, -1):
        lay = layouts[k]
        last = k == len(layouts) - 1
        _choose_blank(lay, k, last, spacing)
        open_fence = any(closers[char] >= size for char, size in lay.body.open_fences)
        if not last and (lay.body.open_string or open_fence):
            lay.want = replace(lay.want, count=len(lay.body.lines) + lay.blank)
        text = lay.text()
        quoted = lay.body.quoted if lay.markerless else frozenset(j + 1 for j in lay.body.quoted)
        spacing.push(k, text, quoted, lay.blank)
        for line in lay.body.lines:
            if fenced(line) and (close := closing_fence(uncomment(line))):
                closers[close[0]] = max(closers[close[0]], close[1])


def _choose_blank(lay: _Layout, k: int, last: bool, spacing: Spacing) -> None:
    """The recorded count, jupytext's own hint, or the PEP 8 one, whichever reads back; when none does, the
    body ends with a newline jupytext cannot write, and the marker says so."""
    lines = lay.body.lines
    stored_trailing = lay.stored_read is not None and lay.stored_read.trailing
    # The source ends with an empty line (written `# ` after a magic continued by `\`): the marker says so.
    ends_empty = bool(lines) and len(lines) == len(lay.source) and lay.source[-1] == ""
    if stored_trailing and not lay.want.commented and ends_empty:
        lay.end_without_newline()
        lines = lay.body.lines
    while True:
        text = lay.text()
        quoted = lay.body.quoted if lay.markerless else frozenset(j + 1 for j in lay.body.quoted)
        jupytext = preferred_blank(lay.cell_metadata, last)
        canonical = spacing.canonical(k, last, text, quoted)
        for blank in [*lay.preferred, jupytext, canonical, 1, 0, 2, 3]:
            if blank is not None and blank_ok(text, blank):
                lay.blank = blank
                return
        plain = encode_commented(lay.source, lay.want.cell_type != "code", {}) if lay.want.commented else None
        if plain is not None and plain.lines != lines:
            lay.body = plain  # a recorded line made the body end blank: back to `# ` everywhere
            lines = plain.lines
        elif lay.want.trailing or lay.want.commented or not lines or lines[-1] != "":
            raise FormatError("a cell body that no blank line count reads back")
        else:
            lay.end_without_newline()  # jupytext would take that newline for the separator
            lines = lay.body.lines


def _without_trailing_newline(lines: list[str]) -> list[str]:
    """Code body lines less the empty last line (`[""]`, the empty source, becomes no line at all)."""
    rest = lines[:-1]
    return [] if rest == [""] else rest


# --- the round-trip record: how the file read differs from what `cell_lines` writes ---------------


def record_layout(found: list[Found], main: str, lines: list[str]) -> None:
    """Put in each cell's metadata what `writes` needs to give back its marker, body and blank lines."""
    spacing = Spacing(len(found))
    closers = Closers(lines)
    for k in range(len(found) - 1, -1, -1):
        item = found[k]
        last = k == len(found) - 1
        end = item.start + (item.marker is not None) + len(item.body) + item.blank
        info = _record_cell(
            item, main, k == 0, lambda fence, e=end, x=last: not x and closers.later(e - 1, fence)
        )
        text = [item.marker, *item.body] if item.marker is not None else item.body
        quoted = frozenset(j + 1 for j in item.quoted) if item.marker is not None else item.quoted
        options = [preferred_blank(item.cell.metadata, last), spacing.canonical(k, last, text, quoted)]
        separator = lines[end - item.blank : end]
        if any(separator):
            info["blank"] = separator  # whitespace on a separator line
        elif next(b for b in [*options, 1, 0, 2, 3] if b is not None and blank_ok(text, b)) != item.blank:
            info["blank"] = item.blank
        spacing.push(k, text, quoted, item.blank)
        if info:
            item.cell.metadata[KEY] = info


def _record_cell(
    item: Found, main: str, first: bool, closed_later: Callable[[tuple[str, int]], bool]
) -> dict:
    info: dict = {} if item.marker is not None else {"marker": None}
    read_body = None
    if item.canonical is not None:  # code, as read: the canonical body differs only where recorded
        canonical_lines = [item.canonical.get(k, line) for k, line in enumerate(item.body)]
        read_body = Body(canonical_lines, item.quoted, item.open_string)
    layout = _layout(item.cell, main, info, first, read_body)
    if layout.want.magic is not None and item.read.magic is None:
        info["form"] = "plain"
        layout = _layout(item.cell, main, info, first, read_body)
    canonical = layout.body.lines
    if read_body is not None:
        if item.read.trailing:  # what writes() encodes for the source's last, empty line (`# ` after `\`)
            canonical = [*canonical, encode_code(layout.source, {}, item.read.cell_type == "raw").lines[-1]]
        if len(layout.source) != len(canonical):
            canonical = []  # the empty source has no line: a body of one empty line is recorded as it is
    text = [item.marker or "", *canonical]
    trailing = item.read.trailing and not any(blank_ok(text, blank) for blank in range(4))
    if item.read.trailing and canonical and layout.source[-1] == "":
        canonical = _without_trailing_newline(canonical)  # as writes() does under a trailing marker
    if canonical != item.body:
        info.update(_body_record(canonical, item.body, item.source))
    if item.marker is not None:
        open_end = any(closed_later(fence) for fence in layout.body.open_fences) or (
            layout.body.open_string and closed_later(("", 0))
        )
        count = len(item.body) + item.blank if open_end else None
        want = replace(layout.want, trailing=trailing, count=count)
        try:
            same = marker_line(want, layout.indent, main) == item.marker
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
