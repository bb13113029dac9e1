"""Whether `.py` files on disk are notebooks, for directory listings: stat first, read little, remember.

`Sniffer.verdict(os_path)` is `formats.detect` of the file's first `limit` bytes, or None when the path
is not a regular file: a FIFO (or a symlink to one) is never opened, since opening it blocks until
someone writes to it. Verdicts are kept per path with the file's (mtime_ns, size, inode), so listing a
folder again reads only the files that changed. Plain blocking I/O: callers run it off the event loop.
"""

from __future__ import annotations

import os
import stat
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable

from reactive_kernel import formats

# A file modified this recently may be modified again within the filesystem's timestamp granularity,
# keeping mtime and size (the "racy git" problem), so its verdict is not kept; nor one for a future mtime.
SETTLE_NS = 2 * 10**9
MAX_ENTRIES = 100_000  # verdicts kept (~200 bytes each); the least recently used go first
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)

_Key = tuple[int, int, int]


class Sniffer:
    """Verdicts for files, cached by (path, mtime_ns, size, inode); safe to call from several threads."""

    def __init__(self, limit: int) -> None:
        self.limit = limit  # bytes read from the start of a file
        self._cache: OrderedDict[str, tuple[_Key, str | None]] = OrderedDict()
        self._lock = threading.Lock()

    def verdict(self, os_path: str) -> str | None:
        """ "percent", "marimo", or None (plain Python, not a regular file, or unreadable)."""
        try:
            st = os.stat(os_path)
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode):
            return None
        with self._lock:
            cached = self._cache.get(os_path)
            if cached is not None and cached[0] == _key(st):
                self._cache.move_to_end(os_path)
                return cached[1]
        return self._read(os_path)

    def verdicts(self, os_dir: str, names: Iterable[str]) -> dict[str, str | None]:
        """`verdict` for each name in a folder, in one call (one trip to a worker thread for a listing)."""
        return {name: self.verdict(os.path.join(os_dir, name)) for name in names}

    def _read(self, os_path: str) -> str | None:
        # O_NONBLOCK: should the path have become a FIFO since the stat, opening it still returns.
        try:
            fd = os.open(os_path, _OPEN_FLAGS)
        except OSError:
            return None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                return None
            head = _read_up_to(fd, self.limit)
        except OSError:
            return None
        finally:
            os.close(fd)
        found = formats.detect(head.decode("utf-8", errors="replace"))
        if st.st_mtime_ns <= time.time_ns() - SETTLE_NS:
            with self._lock:
                self._cache[os_path] = (_key(st), found)
                self._cache.move_to_end(os_path)
                while len(self._cache) > MAX_ENTRIES:
                    self._cache.popitem(last=False)
        return found


def _key(st: os.stat_result) -> _Key:
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _read_up_to(fd: int, limit: int) -> bytes:
    chunks, left = [], limit
    while left > 0:
        chunk = os.read(fd, left)
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
