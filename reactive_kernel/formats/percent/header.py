"""The percent header (shebang, coding line, `# ---` YAML) as notebook metadata, and back.

Reading: `scan_header` finds the header's lines, `header_metadata` gives the notebook metadata they say.
Writing: `header_lines` gives back the recorded header while it still says the notebook's metadata, else
jupytext's header for it; metadata nested deeper than NESTING_LIMIT is refused there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reactive_kernel import KERNELSPEC
from reactive_kernel.core.errors import FormatError
from reactive_kernel.formats.percent.syntax import (
    KEY,
    NAME,
    NESTING_LIMIT,
    as_dict,
    cell_source,
    is_blank,
    uncomment,
)
from reactive_kernel.formats.percent.yaml import read_yaml, yaml_depth, yaml_lines

DEFAULT_KERNELSPEC = KERNELSPEC  # a new notebook's header names the reactive kernel
FORMAT_VERSION = "1.3"
JUPYTEXT_VERSION = "1.19.6"  # the jupytext release whose py:percent output this module follows
# Notebook metadata jupytext puts in the header.
HEADER_KEYS = ("jupytext", "kernelspec", "kernel_info", "orphan", "tocdepth")

# --- line patterns (compiled once; every function below matches whole lines) --------------------------


_ENCODING = re.compile(r"[ \t\f]*#.*?coding[:=][ \t]*([-_.a-zA-Z0-9]+)")
_YAML_FENCE = re.compile(r"---\s*\Z")
_JUPYTER_SECTION = re.compile(r"jupyter\s*:\s*\Z")


# --- the header: shebang, coding line, YAML between `# ---` lines ---------------------------------------


@dataclass(frozen=True)
class Head:
    """The header lines jupytext reads before the first cell."""

    end: int = 0  # lines it takes, the blank line after the YAML included
    ended: bool = False  # a complete `# ---` ... `# ---` block
    executable: str | None = None
    encoding: tuple[int, str] | None = None  # (line index, the coding line)
    jupyter: tuple[tuple[int, str], ...] = ()  # (line index, text) of the `jupyter:` section
    raw: str | None = None  # the other YAML keys, as jupytext's raw cell `---\n...\n---`


def scan_header(lines: list[str]) -> Head:
    """The header at the top of the file's lines, as jupytext finds it (a YAML block that does not end
    is no header: its lines are cells)."""
    executable, encoding, end = None, None, 0
    started = in_jupyter = ended = False
    jupyter: list[tuple[int, str]] = []
    others: list[str] = []
    yaml_end = 0
    for i, line in enumerate(lines):
        if i == 0 and line.startswith("#!"):
            executable, end = line[2:], 1
            continue
        if (i == 0 or (i == 1 and not _ENCODING.match(lines[0]))) and _ENCODING.match(line):
            encoding, end = (i, line), i + 1
            continue
        if not line.startswith("#"):
            break
        text = uncomment(line)
        if _YAML_FENCE.match(text):
            if started:
                ended, yaml_end = True, i + 1
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
            jupyter.append((i, text))
        else:
            others.append(text)
    if not ended:
        return Head(end, False, executable, encoding)
    if yaml_end < len(lines) and is_blank(uncomment(lines[yaml_end])):
        yaml_end += 1
    raw = "\n".join(["---", *others, "---"]) if others else None
    return Head(yaml_end, True, executable, encoding, tuple(jupyter), raw)


def header_metadata(head: Head) -> dict:
    """The notebook metadata a header gives: its `jupyter:` section, shebang and coding line as jupytext
    stores them."""
    metadata: dict = {}
    if head.jupyter:
        numbers = [i + 1 for i, _ in head.jupyter]
        document = read_yaml([text for _, text in head.jupyter], numbers)
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


def header_lines(metadata: dict, info: dict, cells: list) -> tuple[list[str], list]:
    """The header to write, and the cells left to write (a raw cell that came from the header goes back)."""
    first = cells[0] if cells and _is_header_cell(cells[0]) else None
    stored = info.get("header")
    kept: list[str] = []  # keys the file's header had, kept when the header is written anew
    if isinstance(stored, str):
        lines = stored.split("\n")
        head = scan_header(lines)
        try:
            parsed: dict | None = header_metadata(head)
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
    record = as_dict(as_dict(cell.get("metadata")).get(KEY))
    return cell.get("cell_type") == "raw" and record.get("header") is True


def _header_holds(head: Head, parsed: dict | None, metadata: dict, first: dict | None) -> bool:
    """Whether the recorded header still reads back to the notebook metadata (and its raw cell)."""
    if parsed is None or parsed != _header_view(metadata, parsed):
        return False
    return head.raw is None or (first is not None and cell_source(first) == head.raw)


def _raw_header_lines(cell: dict) -> list[str] | None:
    """The lines of a `---` raw cell that can go back into the header, or None."""
    lines = cell_source(cell).split("\n")
    if len(lines) < 2 or lines[0] != "---" or lines[-1] != "---":
        return None
    inner = lines[1:-1]
    if any(_YAML_FENCE.match(line) or _JUPYTER_SECTION.match(line) for line in inner):
        return None
    return inner


def _canonical_header(metadata: dict, raw: list[str], kept: list[str], cells_follow: bool) -> list[str]:
    jupytext = {
        k: v for k, v in as_dict(metadata.get("jupytext")).items() if k not in ("executable", "encoding")
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
    executable = as_dict(metadata.get("jupytext")).get("executable")
    encoding = as_dict(metadata.get("jupytext")).get("encoding")
    if isinstance(executable, str) and "\n" not in executable:
        lines.append("#!" + executable)
    if isinstance(encoding, str) and _ENCODING.match(encoding) and "\n" not in encoding:
        lines.append(encoding)
    if yaml_depth({"jupyter": jupyter}) > NESTING_LIMIT:
        raise FormatError(f"the notebook metadata is nested more than {NESTING_LIMIT} levels deep")
    yaml = ["---", *raw, *yaml_lines({"jupyter": jupyter}), "---"]
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
