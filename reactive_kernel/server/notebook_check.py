"""Check a notebook sent to be saved as a `.py` before anything is written, naming the field at fault.

`checked(content)` returns the content as an nbformat v4 notebook, or raises NotebookModelError that
names the field (and the cell, by position and name): first the shape the format writers rely on (an
object with nbformat 4, metadata, and a list of cells that each have a known type, a source and
metadata; the `reactive_format` records `formats.reads` leaves are objects), then nbformat's own
schema. The reasons are ours; only the place comes from the schema's error, so they read the same
whatever validator nbformat picks.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from typing import Any

import nbformat

from reactive_kernel.core.analysis import analyze
from reactive_kernel.core.errors import NotebookModelError
from reactive_kernel.core.naming import cell_name, title_of

CELL_TYPES = ("code", "markdown", "raw")
ROUND_TRIP = "reactive_format"  # what formats.reads recorded, notebook and cell metadata: an object
_NAMES = (  # JSON's names for values, in the order to test them (bool is an int; NotebookNode a dict)
    (bool, "true or false"),
    (dict, "an object"),
    (list, "a list"),
    (str, "a string"),
    ((int, float), "a number"),
    (type(None), "null"),
)
_TYPES = {
    "object": "an object",
    "array": "a list",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}

_PLURALS = {"object": "objects", "array": "lists", "string": "strings", "integer": "whole numbers"}


def checked(content: Any) -> nbformat.NotebookNode:
    """The notebook in a save model's `content`; NotebookModelError when it is not one we can write."""
    _check_top(content)
    for position, cell in enumerate(content["cells"], start=1):
        _check_cell(position, cell)
    nb = nbformat.from_dict(content)
    with warnings.catch_warnings():  # missing or repeated cell ids: nbformat repairs them in `nb`
        warnings.simplefilter("ignore")
        try:
            nbformat.validate(nb)
        except nbformat.ValidationError as exc:
            raise _schema_error(exc, content) from None
    return nb


def _check_top(content: Any) -> None:
    if not isinstance(content, dict):
        raise NotebookModelError("content", f"must be a notebook (an object), not {_name(content)}")
    for key in ("nbformat", "nbformat_minor", "metadata", "cells"):
        if key not in content:
            raise NotebookModelError(key, "is required")
    if _whole(content["nbformat"]) != 4:
        raise NotebookModelError("nbformat", f"must be 4, not {content['nbformat']!r}")
    minor = _whole(content["nbformat_minor"])
    if minor is None or minor < 0:
        raise NotebookModelError(
            "nbformat_minor", f"must be a whole number >= 0, not {content['nbformat_minor']!r}"
        )
    if not isinstance(content["metadata"], dict):
        raise NotebookModelError("metadata", f"must be an object, not {_name(content['metadata'])}")
    if not isinstance(content["cells"], list):
        raise NotebookModelError("cells", f"must be a list of cells, not {_name(content['cells'])}")
    record = content["metadata"].get(ROUND_TRIP, {})
    if not isinstance(record, dict):
        raise NotebookModelError(f"metadata.{ROUND_TRIP}", f"must be an object, not {_name(record)}")
    if not isinstance(record.get("name", ""), str):
        raise NotebookModelError(
            f"metadata.{ROUND_TRIP}.name", f"must be a string, not {_name(record['name'])}"
        )


def _check_cell(position: int, cell: Any) -> None:
    if not isinstance(cell, dict):
        raise NotebookModelError("", f"must be a cell (an object), not {_name(cell)}", position)
    name = _cell_name(cell)
    for key in ("cell_type", "source", "metadata"):
        if key not in cell:
            raise NotebookModelError(key, "is required", position, name)
    if cell["cell_type"] not in CELL_TYPES:
        kinds = ", ".join(repr(k) for k in CELL_TYPES)
        raise NotebookModelError(
            "cell_type", f"must be one of {kinds}, not {cell['cell_type']!r}", position, name
        )
    source = cell["source"]
    if isinstance(source, list):
        bad = next((i for i, line in enumerate(source) if not isinstance(line, str)), None)
        if bad is not None:
            reason = f"must be a list of strings, but item {bad + 1} is {_name(source[bad])}"
            raise NotebookModelError("source", reason, position, name)
    elif not isinstance(source, str):
        raise NotebookModelError(
            "source", f"must be a string or a list of strings, not {_name(source)}", position, name
        )
    if not isinstance(cell["metadata"], dict):
        raise NotebookModelError(
            "metadata", f"must be an object, not {_name(cell['metadata'])}", position, name
        )
    record = cell["metadata"].get(ROUND_TRIP, {})
    if not isinstance(record, dict):
        field = f"metadata.{ROUND_TRIP}"
        raise NotebookModelError(field, f"must be an object, not {_name(record)}", position, name)


def _schema_error(exc: Exception, content: dict) -> NotebookModelError:
    """Our error for nbformat's: the place from the error's path, the reason from the rule it broke."""
    path = list(getattr(exc, "relative_path", ()) or ())
    position = name = None
    if len(path) >= 2 and path[0] == "cells" and isinstance(path[1], int):
        position = path[1] + 1
        name = _cell_name(content["cells"][path[1]])
        path = path[2:]
    rule = getattr(exc, "validator", None)
    value = getattr(exc, "validator_value", None)
    instance = getattr(exc, "instance", None)
    schema = getattr(exc, "schema", None)
    if rule == "required" and isinstance(instance, dict) and isinstance(value, list):
        missing = [k for k in value if k not in instance]
        return NotebookModelError(_field([*path, *missing[:1]]), "is required", position, name)
    if rule == "additionalProperties" and isinstance(instance, dict) and isinstance(schema, dict):
        extra = _unexpected(instance, schema)
        if path:
            where = f"in {_field(path)}"
        elif position:
            where = f"in a {content['cells'][position - 1]['cell_type']} cell"
        else:
            where = "at the notebook's top level"
        return NotebookModelError(", ".join(extra), f"is not allowed {where}", position, name)
    return NotebookModelError(_field(path) or "content", _reason(rule, value, instance), position, name)


def _reason(rule: Any, value: Any, instance: Any) -> str:
    if rule == "type":
        return f"must be {_type_words(value)}, not {_name(instance)}"
    if (
        rule in ("oneOf", "anyOf")
        and isinstance(value, list)
        and all(isinstance(v, dict) and "type" in v for v in value)
    ):
        forms = " or ".join(_type_words(v["type"], v.get("items")) for v in value)
        return f"must be {forms}, not {_name(instance)}"
    if rule in ("oneOf", "anyOf") and isinstance(value, list):
        forms = [v["$ref"].rsplit("/", 1)[-1] for v in value if isinstance(v, dict) and "$ref" in v]
        if forms:
            return f"does not match any form nbformat allows there ({', '.join(forms)})"
    if rule == "enum" and isinstance(value, list):
        return f"must be one of {', '.join(repr(v) for v in value)}, not {instance!r}"
    if rule == "const":
        return f"must be {value!r}, not {instance!r}"
    if rule == "pattern":
        return f"must match {value}, not {instance!r}"
    if isinstance(rule, str):
        return f"breaks nbformat's {rule!r} rule ({rule}: {value!r})"
    return "does not follow nbformat 4's schema"


def _unexpected(instance: dict, schema: dict) -> list[str]:
    known = schema.get("properties", {})
    patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
    return sorted(k for k in instance if k not in known and not any(p.search(k) for p in patterns))


def _type_words(kind: Any, items: Any = None) -> str:
    kinds = kind if isinstance(kind, list) else [kind]
    words = [_TYPES.get(k, str(k)) for k in kinds]
    if isinstance(items, dict) and kinds == ["array"] and items.get("type") in _PLURALS:
        words = [f"a list of {_PLURALS[items['type']]}"]
    return " or ".join(words)


def _field(path: Sequence[Any]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _name(value: Any) -> str:
    return next((name for kind, name in _NAMES if isinstance(value, kind)), type(value).__name__)


def _cell_name(cell: Any) -> str | None:
    """A cell's name as messages show it (core.naming): its title, else what a code cell defines."""
    source = cell.get("source")
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        source = "".join(source)
    facts = analyze(source) if cell.get("cell_type") == "code" and isinstance(source, str) else None
    return cell_name(title_of(cell.get("metadata")), facts)
