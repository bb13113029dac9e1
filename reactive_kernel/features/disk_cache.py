"""The disk half of the cell cache: pickled results by key, read only from what no other user can have
written, and kept under a total size by deleting the least recently used.

Loading a pickle runs code, so a file is unpickled only if the current user owns it, it is not a
symbolic link, and no folder from the cache root down to it is writable by a group or by others (where
another user could have put or swapped it). Every hit refreshes the file's modification time: that is
its last use, and eviction, after each write, deletes the oldest first.
"""

from __future__ import annotations

import errno
import importlib
import io
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

_SHARED = stat.S_IWGRP | stat.S_IWOTH  # write bits that let someone else put files in a folder


class Refused(Exception):
    """A cache file or folder that another user could have written: its pickles are never loaded."""


@dataclass(frozen=True)
class Stored:
    """One entry on disk, as eviction sees it."""

    path: Path  # the pickle file
    size: int  # its size in bytes
    used: float  # its last use: the modification time, set when written and on every hit


def evictions(stored: Iterable[Stored], max_bytes: int) -> list[Path]:
    """The files to delete so that the rest add up to at most `max_bytes`: least recently used first.

    `max_bytes` 0 (or less) means no bound. Ties in last use go by path, so the choice is repeatable.
    """
    if max_bytes <= 0:
        return []
    oldest_first = sorted(stored, key=lambda s: (s.used, str(s.path)))
    total = sum(s.size for s in oldest_first)
    doomed = []
    for entry in oldest_first:
        if total <= max_bytes:
            break
        doomed.append(entry.path)
        total -= entry.size
    return doomed


def check_folders(root: Path, folder: Path) -> None:
    """Refused if `root`, or a folder between it and `folder` (which is inside it), is group- or
    world-writable. The folders above the root are the user's own business (`~`, `~/.cache`)."""
    chain = [root]
    for part in folder.relative_to(root).parts:
        chain.append(chain[-1] / part)
    for path in chain:
        mode = path.stat().st_mode
        if mode & _SHARED:
            who = "its group and others" if mode & stat.S_IWOTH else "its group"
            raise Refused(f"the folder {path} is writable by {who} (chmod go-w {path})")


def read_own(path: Path) -> bytes | None:
    """The file's bytes (None if there is none), after checking on the open file itself that the current
    user owns it; Refused if not, or if it is a symbolic link or not a regular file."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise Refused(f"{path} is a symbolic link") from None
        raise
    info = os.fstat(fd)  # the file we opened, not whatever the name points to by now
    problem = None
    if not stat.S_ISREG(info.st_mode):
        problem = f"{path} is not a regular file"
    elif info.st_uid != _uid():
        problem = f"{path} belongs to user id {info.st_uid}, not to you ({_uid()})"
    if problem:
        os.close(fd)
        raise Refused(problem)
    with os.fdopen(fd, "rb") as handle:
        data = handle.read()
        os.utime(handle.fileno())  # a hit is a use: eviction deletes the least recently used first
    return data


def _uid() -> int:
    return os.geteuid() if hasattr(os, "geteuid") else -1


class DiskCache:
    """Entries pickled under `root/<2 hex>/<key>.pickle`; at most `max_bytes` in all (0: no bound)."""

    def __init__(self, root: Path, max_bytes: int = 0, note: Callable[[str], None] | None = None) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self._note = _to_stderr if note is None else note
        self._said: set[str] = set()  # each refusal is told once per kernel, not at every lookup

    def load(self, key: str) -> tuple[Any, Any] | None:
        """The unpickled (defs, outputs) for `key`; None if absent, damaged or refused (which is told)."""
        path = self._path(key)
        try:
            if not path.parent.is_dir():
                return None
            check_folders(self.root, path.parent)
            data = read_own(path)
        except Refused as exc:
            self._tell(exc, "not loading cached results from disk")
            return None
        except OSError as exc:
            self._tell(
                OSError(f"{path} cannot be read ({exc.strerror or exc})"),
                "not loading cached results",
                "stores new ones",
            )
            return None
        if data is None:
            return None
        try:
            defs, outputs = pickle.loads(data)
        except Exception as exc:  # damaged, or pickled by code that changed since: a miss, and said
            problem = ValueError(f"{path} cannot be unpickled ({type(exc).__name__}: {exc})")
            self._tell(problem, "not loading cached results from disk", "stores new ones")
            return None
        return defs, outputs

    def store(self, key: str, defs: dict[str, Any], outputs: list[Any]) -> str | None:
        """Write the entry, then evict; returns why it stays in memory only, if it does."""
        try:
            buffer = io.BytesIO()
            _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump((defs, outputs))
            data = buffer.getvalue()
        except Exception as exc:
            return f"kept in memory only: its results cannot be pickled ({type(exc).__name__}: {exc})"
        if 0 < self.max_bytes < len(data):
            return f"kept in memory only: its results take {len(data)} bytes, over cache_max_bytes"
        path = self._path(key)
        try:
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            path.parent.mkdir(mode=0o700, exist_ok=True)
            check_folders(self.root, path.parent)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")  # mode 0600
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except Refused as exc:
            self._tell(exc, "not caching results on disk")
            return None
        except OSError as exc:
            return f"kept in memory only: cannot write {path}: {exc}"
        self.evict()
        return None

    def evict(self) -> None:
        """Delete the least recently used entries until the rest fit in `max_bytes`."""
        for path in evictions(self._stored(), self.max_bytes):
            try:
                path.unlink()
            except FileNotFoundError:  # another kernel sharing the folder deleted it first
                pass

    def _stored(self) -> list[Stored]:
        stored = []
        for folder in _scan(self.root):
            for entry in _scan(Path(folder.path)):
                try:
                    info = entry.stat(follow_symlinks=False)
                except FileNotFoundError:  # deleted since the scan
                    continue
                if entry.name.endswith(".pickle") and stat.S_ISREG(info.st_mode):
                    stored.append(Stored(Path(entry.path), info.st_size, info.st_mtime))
        return stored

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.pickle"

    def _tell(self, problem: Exception, doing: str, then: str = "its results stay in memory") -> None:
        """Say each problem once: a folder refused on lookup is not told again when the run is stored."""
        if str(problem) not in self._said:
            self._said.add(str(problem))
            self._note(f"{doing}: {problem}; the cell runs, and {then}")


def _scan(folder: Path) -> list[os.DirEntry[str]]:
    """The folder's entries; none if it is not there (another kernel sharing it may delete as we look)."""
    try:
        with os.scandir(folder) as entries:
            return list(entries)
    except (FileNotFoundError, NotADirectoryError):
        return []


def _to_stderr(text: str) -> None:
    """The kernel runs lookups inside the cell's execution, so this is the cell's stderr."""
    print(f"reactive_kernel: {text}", file=sys.stderr)


class _Pickler(pickle.Pickler):
    """Modules (a cell's `import numpy as np`) are pickled by name and imported again when loaded."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, ModuleType):
            return importlib.import_module, (obj.__name__,)
        return NotImplemented
