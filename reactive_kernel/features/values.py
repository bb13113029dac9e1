"""The values each cell's run left in its globals, kept by reference so a redefined name has no hidden state.

In the `ordered` policy `x` may be defined by several cells; the global holds only the latest. To run a
cell as a top-to-bottom run would, the kernel binds each name it reads to the value its resolved
definer produced, so it keeps those values: one reference per (cell, name), never a copy. The scheduler
says what to keep and drop (`Plan.keep`, `Plan.drop`); a value that no cell will read again unless
something re-runs (`Plan.spare`) is kept only while all such values fit in a byte budget, and the
scheduler re-runs the definer if a reader needs it after it went.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterable, Mapping
from typing import Any

Value = tuple[str, str]  # (cell id, global name)
_SHARED = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, type, types.MethodType)
_MAX_OBJECTS = 100_000  # past this many objects a value counts as big without counting further


class ValueStore:
    """Kept values by (cell, name), and which spare ones are kept within `spare_bytes`."""

    def __init__(self, spare_bytes: int) -> None:
        self.spare_bytes = spare_bytes
        self._values: dict[Value, Any] = {}
        self._spare: dict[Value, int] = {}  # kept spare values and their approximate sizes
        self._spare_total = 0

    def __len__(self) -> int:
        return len(self._values)

    def keep(self, values: Iterable[Value], namespace: Mapping[str, Any]) -> list[Value]:
        """Keep what each global now holds; returns the values it could not keep (the name is unbound)."""
        missing = []
        for value in values:
            if value[1] in namespace:
                self._forget_spare(value)
                self._values[value] = namespace[value[1]]
            else:
                missing.append(value)
                self.drop([value])
        return missing

    def drop(self, values: Iterable[Value]) -> None:
        for value in values:
            self._values.pop(value, None)
            self._forget_spare(value)

    def get(self, cell_id: str, name: str) -> tuple[bool, Any]:
        """(True, the value) when kept, else (False, None)."""
        value = (cell_id, name)
        if value in self._values:
            return True, self._values[value]
        return False, None

    def spare(self, values: Iterable[Value]) -> list[Value]:
        """Values nobody reads until something re-runs: keep those that fit the budget, drop the rest.

        Returns the values dropped.
        """
        dropped = []
        for value in values:
            if value in self._spare or value not in self._values:
                continue
            room = self.spare_bytes - self._spare_total
            size = approximate_size(self._values[value], room)
            if size <= room:
                self._spare[value] = size
                self._spare_total += size
            else:
                dropped.append(value)
                del self._values[value]
        return dropped

    def _forget_spare(self, value: Value) -> None:
        size = self._spare.pop(value, None)
        if size is not None:
            self._spare_total -= size


def approximate_size(obj: Any, limit: int) -> int:
    """The bytes `obj` holds, roughly, counting until `limit` is passed (then some number above it).

    Arrays and dataframes count their buffers; containers and objects their items and attributes;
    modules, functions and classes nothing (they are shared, not data).
    """
    total = 0
    seen: set[int] = set()
    stack = [obj]
    while stack:
        item = stack.pop()
        if id(item) in seen or isinstance(item, _SHARED):
            continue
        seen.add(id(item))
        if len(seen) > _MAX_OBJECTS:
            return limit + 1
        total += _own_size(item, stack)
        if total > limit:
            return total
    return total


def _own_size(item: Any, stack: list[Any]) -> int:
    """Bytes of one object; pushes what it refers to that must be counted too."""
    module = type(item).__module__
    if module.startswith("numpy") and isinstance(getattr(item, "nbytes", None), int):
        return item.nbytes
    if module.startswith("pandas") and hasattr(item, "memory_usage"):
        usage = item.memory_usage(deep=False)
        return int(usage.sum()) if hasattr(usage, "sum") else int(usage)
    size = sys.getsizeof(item, 64)
    if isinstance(item, (str, bytes, bytearray, int, float, complex, bool)):
        return size
    if isinstance(item, dict):
        stack.extend(item.keys())
        stack.extend(item.values())
    elif isinstance(item, (list, tuple, set, frozenset)):
        stack.extend(item)
    else:
        attributes = getattr(item, "__dict__", None)
        if isinstance(attributes, dict):
            stack.append(attributes)
    return size
