"""Cached cells: the results of a cell's last successful run, keyed by its source and its inputs' content.

A cell whose `reactive.cache` option is on is looked up before it runs. The key hashes the source and
the fingerprint of every global it reads (`reactive_kernel.core.fingerprint`); if any of those cannot be
fingerprinted there is no key, and the cell runs. A hit restores the globals the cell defined and
replays its outputs. The memory cache keeps each cell's latest successful run; with "disk", entries are
also pickled under a directory (`reactive_kernel.features.disk_cache`), so they survive a kernel restart (what
cannot be pickled stays in memory).
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reactive_kernel.core.fingerprint import fingerprint
from reactive_kernel.features.disk_cache import DiskCache

_FORMAT = b"reactive_kernel cell cache 1"  # part of every key: a new layout never reads old entries


@dataclass
class Entry:
    """What a successful run left: the globals it defined and the outputs it published."""

    defs: dict[str, Any]
    outputs: list[tuple[str, dict[str, Any]]]  # (iopub msg_type, content), in order


def default_directory() -> Path:
    """Where the disk cache lives unless configured: $XDG_CACHE_HOME/reactive_kernel/cells."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "reactive_kernel" / "cells"


class UnreadableInput(Exception):
    """A global the cell reads has no fingerprint, so the cell cannot be looked up: it runs."""

    def __init__(self, name: str, value: object) -> None:
        super().__init__(f"'{name}' (a {type(value).__name__}) cannot be fingerprinted")
        self.name = name


def cache_key(source: str, refs: Iterable[str], namespace: Mapping[str, Any]) -> str:
    """The key for running `source` with the current values of `refs` (UnreadableInput if it has none)."""
    digest = hashlib.sha256(_FORMAT)
    digest.update(f"{sys.version_info[0]}.{sys.version_info[1]}".encode())
    digest.update(source.encode("utf-8", "surrogatepass"))
    for name in sorted(refs):
        digest.update(b"\0" + name.encode())
        if name not in namespace:
            digest.update(b"<missing>")
            continue
        value = fingerprint(namespace[name])
        if value is None:
            raise UnreadableInput(name, namespace[name])
        digest.update(value)
    return digest.hexdigest()


class CellCache:
    """Each cached cell's latest successful run in memory, and optionally on disk by key."""

    def __init__(
        self, directory: Path | None = None, max_bytes: int = 0, note: Callable[[str], None] | None = None
    ) -> None:
        """`max_bytes` bounds the disk cache (0: no bound); `note` tells the cell why a file was refused."""
        self.disk = DiskCache(directory or default_directory(), max_bytes, note)
        self._memory: dict[str, tuple[str, Entry]] = {}  # cell id -> (key, entry)

    def get(self, cell_id: str, key: str, disk: bool) -> Entry | None:
        held = self._memory.get(cell_id)
        if held is not None and held[0] == key:
            return held[1]
        if not disk:
            return None
        loaded = self.disk.load(key)
        if loaded is None:
            return None
        entry = Entry(*loaded)
        self._memory[cell_id] = (key, entry)
        return entry

    def put(self, cell_id: str, key: str, entry: Entry, disk: bool) -> str | None:
        """Keep the entry; returns why it could not go to disk, if it could not."""
        self._memory[cell_id] = (key, entry)
        return self.disk.store(key, entry.defs, entry.outputs) if disk else None

    def forget(self, cell_id: str) -> None:
        """The cell was deleted: its results leave memory (a disk entry stays, keyed by content)."""
        self._memory.pop(cell_id, None)

    def __contains__(self, cell_id: object) -> bool:
        return cell_id in self._memory
