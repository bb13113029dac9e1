"""Content fingerprints of Python values, for cached cells: equal content, equal fingerprint.

`fingerprint(value)` returns a digest, or None when the value's content cannot be read reliably (an
arbitrary object, an object-dtype array, a class defined in the notebook): a cell that reads such a
value is simply re-run. Numbers, strings, bytes, containers of those, numpy arrays and pandas objects
(by their bytes), modules (by name) and functions (by their code) are fingerprinted. numpy and pandas
are never imported here; a value's type says which library made it.
"""

from __future__ import annotations

import hashlib
import types
from collections.abc import Callable
from typing import Any

_MAX_DEPTH = 20  # deeper nesting is treated as unreadable rather than recursed into
_SCALARS = (type(None), bool, int, float, complex, str)


def fingerprint(value: object) -> bytes | None:
    """A sha256 digest of the value's type and content, or None if it cannot be read."""
    digest = hashlib.sha256()
    return digest.digest() if _feed(digest, value, 0) else None


def _feed(digest: Any, value: object, depth: int) -> bool:
    """Add the value's type and content to `digest`; False if some part of it cannot be read."""
    if depth > _MAX_DEPTH:
        return False
    kind = type(value)
    digest.update(f"<{kind.__module__}.{kind.__qualname__}>".encode())
    if kind in _SCALARS:
        digest.update(repr(value).encode("utf-8", "surrogatepass"))
        return True
    if kind in (bytes, bytearray):
        digest.update(len(value).to_bytes(8, "little"))  # type: ignore[arg-type]
        digest.update(value)  # type: ignore[arg-type]
        return True
    reader = _READERS.get(kind) or (_class if isinstance(value, type) else _library_reader(kind))
    return reader is not None and reader(digest, value, depth)


def _sequence(digest: Any, value: Any, depth: int) -> bool:
    digest.update(len(value).to_bytes(8, "little"))
    return all(_feed(digest, item, depth + 1) for item in value)


def _mapping(digest: Any, value: Any, depth: int) -> bool:
    digest.update(len(value).to_bytes(8, "little"))
    return all(_feed(digest, k, depth + 1) and _feed(digest, v, depth + 1) for k, v in value.items())


def _set(digest: Any, value: Any, depth: int) -> bool:
    parts = [fingerprint(item) for item in value]  # order-free: sort the members' digests
    if any(p is None for p in parts):
        return False
    for part in sorted(parts):  # type: ignore[type-var]
        digest.update(part)  # type: ignore[arg-type]
    return True


def _module(digest: Any, value: Any, depth: int) -> bool:
    digest.update(value.__name__.encode())
    return True


def _builtin(digest: Any, value: Any, depth: int) -> bool:
    digest.update(f"{value.__module__}.{value.__qualname__}".encode())
    return True


def _function(digest: Any, value: Any, depth: int) -> bool:
    """A function by its code, defaults and closure: what it does, not where it lives in memory."""
    digest.update(f"{value.__module__}.{value.__qualname__}".encode())
    closure = [cell.cell_contents for cell in value.__closure__ or ()]
    return (
        _code(digest, value.__code__, depth)
        and _feed(digest, value.__defaults__, depth + 1)
        and _feed(digest, value.__kwdefaults__, depth + 1)
        and _sequence(digest, closure, depth)
    )


def _code(digest: Any, code: types.CodeType, depth: int) -> bool:
    digest.update(code.co_code)
    digest.update(repr(code.co_names).encode())
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            if not _code(digest, const, depth + 1):
                return False
        elif not _feed(digest, const, depth + 1):
            return False
    return True


def _class(digest: Any, value: Any, depth: int) -> bool:
    """A class from an installed module, by name; one defined in the notebook cannot be read."""
    if value.__module__ == "__main__":
        return False
    digest.update(f"{value.__module__}.{value.__qualname__}".encode())
    return True


def _numpy_array(digest: Any, value: Any, depth: int) -> bool:
    if value.dtype.hasobject:
        return False
    digest.update(f"{value.dtype.str}{value.shape}".encode())
    digest.update(memoryview(value.tobytes() if not value.flags.c_contiguous else value).cast("B"))
    return True


def _numpy_scalar(digest: Any, value: Any, depth: int) -> bool:
    if value.dtype.hasobject:
        return False
    digest.update(value.dtype.str.encode())
    digest.update(value.tobytes())
    return True


def _pandas(digest: Any, value: Any, depth: int) -> bool:
    """A DataFrame, Series or Index: pandas' own row hashes, plus labels and dtypes."""
    import pandas  # the value is a pandas object, so pandas is imported already

    try:
        rows = pandas.util.hash_pandas_object(value, index=not isinstance(value, pandas.Index))
    except TypeError:  # unhashable cells (lists, dicts) in an object column
        return False
    digest.update(memoryview(rows.to_numpy()).cast("B"))
    if isinstance(value, pandas.DataFrame):
        labels = [str(c) for c in value.columns] + [str(d) for d in value.dtypes]
    else:
        labels = [str(value.name), str(value.dtype)]
    digest.update(repr(labels).encode())
    return True


_Reader = Callable[[Any, Any, int], bool]
_READERS: dict[type, _Reader] = {
    tuple: _sequence,
    list: _sequence,
    dict: _mapping,
    set: _set,
    frozenset: _set,
    types.ModuleType: _module,
    types.FunctionType: _function,
    types.BuiltinFunctionType: _builtin,
    type: _class,
}


def _library_reader(kind: type) -> _Reader | None:
    """numpy and pandas values, recognised by the module their type comes from."""
    module = kind.__module__.split(".")[0]
    if module == "numpy":
        names = {k.__name__ for k in kind.__mro__}
        if "ndarray" in names:
            return _numpy_array
        if "generic" in names:
            return _numpy_scalar
    if module == "pandas":
        names = {k.__name__ for k in kind.__mro__}
        if names & {"DataFrame", "Series", "Index"}:
            return _pandas
    return None
