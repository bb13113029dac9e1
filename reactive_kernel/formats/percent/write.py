"""Write cells as percent lines: marker, body and blank lines, reusing records while they hold."""

from __future__ import annotations

from dataclasses import dataclass, replace

from reactive_kernel.core.errors import FormatError
from reactive_kernel.formats.percent.lines import (
    CELL_TYPES,
    HIDDEN_CELL_KEYS,
    KEY,
    LANGUAGES,
    LINE_COUNT,
    TRAILING_NEWLINE,
    _Body,
    _closing_fence,
    _dict,
    _encode_code,
    _encode_commented,
    _fence_layout,
    _fenced,
    _is_blank,
    _is_marker,
    _source,
    _uncomment,
    _usual_language,
)
from reactive_kernel.formats.percent.marker import (
    _MISSING,
    _active,
    _Marker,
    _marker_line,
    _read_marker,
    _untyped_raw,
)
from reactive_kernel.formats.percent.read import _Closers, _code_end, _commented_end
from reactive_kernel.formats.percent.spacing import _blank_ok, _preferred_blank, _Spacing


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


def _commented(cell_type: str, metadata: dict) -> bool:
    """Whether the body lines are comments: in markdown and raw cells, in cells of another language, and in
    code cells jupytext leaves out of scripts (frozen, `active` without py). A raw cell that jupytext's
    `active` makes script-only (`active="py"`) has code lines, as jupytext writes it."""
    if cell_type == "code":
        return not _active("py", metadata) or ("language" in metadata and "active" not in metadata)
    script_only = not _active("ipynb", metadata) and _active("py", metadata)
    return cell_type != "raw" or not script_only or not _untyped_raw(metadata)


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
    want = _Marker(cell_type, metadata, commented=_commented(cell_type, metadata))
    if info.get("form") != "plain" and (magic := _magic_form(lines, metadata, main)) is not None:
        want.magic, lines = magic, lines[1:]
        want.commented = want.commented or "active" not in metadata
    stored = info.get("marker")
    stored = stored if isinstance(stored, str) and _is_marker(stored) else None
    read = _read_marker(stored, main) if stored is not None else None
    want.commented = _body_form(want, read, cell_metadata)
    markerless = first and info.get("marker", _MISSING) is None and not want.commented and not metadata
    if not want.commented and source == "":
        lines = []
    body = body or _stored_body(info.get("body"), lines, want.commented, cell_type)
    if body is None:
        prefer = _preferred_lines(info.get("lines"), lines)
        body = _encode_body(want, lines, prefer)
    indent = ""
    if not want.commented and lines and lines[0].strip():
        indent = lines[0][: len(lines[0]) - len(lines[0].lstrip())]
    blank = info.get("blank")
    separator = None
    if isinstance(blank, list) and all(isinstance(line, str) and _is_blank(line) for line in blank):
        separator, blank = blank, len(blank)
    preferred = [blank] if isinstance(blank, int) and not isinstance(blank, bool) and blank >= 0 else []
    return _Layout(want, stored, read, cell_metadata, indent, body, preferred, markerless, lines, separator)


def _encode_body(want: _Marker, lines: list[str], prefer: dict[int, str]) -> _Body:
    """The body lines for the source lines, commented or as code; a raw cell whose code lines cannot say
    its source (a `# %%` line: jupytext unescapes none there) is written commented, as `[raw]`."""
    if not want.commented:
        try:
            return _encode_code(lines, prefer, want.cell_type == "raw")
        except FormatError:
            if want.cell_type != "raw":
                raise
            want.commented = True
    return _encode_commented(lines, want.cell_type != "code", prefer)


def _body_form(want: _Marker, read: _Marker | None, cell_metadata: dict) -> bool:
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


def _stored_body(stored: object, source: list[str], commented: bool, cell_type: str) -> _Body | None:
    """The recorded body lines, if they still read back to the source lines."""
    if not isinstance(stored, list) or not all(isinstance(line, str) and "\n" not in line for line in stored):
        return None
    fences = cell_type != "code"  # markdown and raw cells have fenced blocks
    if commented:
        if _commented_end(stored, 0, fences, _Closers(stored))[0] != len(stored):
            return None
        if "\n".join(_uncomment(line) for line in stored) != "\n".join(source):
            return None
        return _Body(list(stored), open_fences=_fence_layout(source)[1] if fences else ())
    end, decoded, quoted, open_string = _code_end(stored, 0, None, None, raw=cell_type == "raw")
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
    # The source ends with an empty line (written `# ` after a magic continued by `\`): the marker says so.
    ends_empty = bool(lines) and len(lines) == len(lay.source) and lay.source[-1] == ""
    if stored_trailing and not lay.want.commented and ends_empty:
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
