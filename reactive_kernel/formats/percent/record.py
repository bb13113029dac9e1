"""Record in each cell read how the file differs from what `writes` would produce."""

from __future__ import annotations

from collections.abc import Callable

from reactive_kernel.core.errors import FormatError
from reactive_kernel.formats.percent.lines import KEY, _Body, _encode_code
from reactive_kernel.formats.percent.marker import _marker_line
from reactive_kernel.formats.percent.read import _Closers, _Found
from reactive_kernel.formats.percent.spacing import _blank_ok, _preferred_blank, _Spacing
from reactive_kernel.formats.percent.write import _layout, _without_trailing_newline


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
        if item.read.trailing:  # what writes() encodes for the source's last, empty line (`# ` after `\`)
            canonical = [*canonical, _encode_code(layout.source, {}, item.read.cell_type == "raw").lines[-1]]
        if len(layout.source) != len(canonical):
            canonical = []  # the empty source has no line: a body of one empty line is recorded as it is
    text = [item.marker or "", *canonical]
    trailing = item.read.trailing and not any(_blank_ok(text, blank) for blank in range(4))
    if item.read.trailing and canonical and layout.source[-1] == "":
        canonical = _without_trailing_newline(canonical[:])  # as writes() does under a trailing marker
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
