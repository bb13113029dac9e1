"""Replace a file's contents all at once: readers and concurrent writers only ever see a complete version.

The new bytes go to a temporary file in the same folder, are flushed to disk, get the old file's
mode, and then `os.replace` swaps them in. jupyter_server's `atomic_writing` instead backs the file
up and truncates it in place, so two saves at once interleave their bytes in the one file.

- A symlink stays a symlink: the file it leads to is replaced.
- A new file gets the mode `open()` would give it (0o666 less the umask).
- A target that exists and is not a regular file (FIFO, device, directory) is refused, never opened.
- A folder we may not write to, holding a file we may, gets the file rewritten in place, as
  jupyter_server does: the only case that is not all at once.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator
from typing import IO, Any

from reactive_kernel.core.errors import NotRegularFileError

_KINDS = {
    stat.S_IFIFO: "FIFO",
    stat.S_IFCHR: "character device",
    stat.S_IFBLK: "block device",
    stat.S_IFSOCK: "socket",
    stat.S_IFDIR: "directory",
}


def replace_bytes(path: str, data: bytes) -> None:
    """Make `data` the whole content of `path`, all at once."""
    with replacing(path, text=False) as f:
        f.write(data)


@contextlib.contextmanager
def replacing(path: str, text: bool = True, encoding: str = "utf-8", **kwargs: Any) -> Iterator[IO]:
    """A file to write the new content into; it replaces `path` when the block ends without error.

    `text`, `encoding` and `kwargs` (`newline`, ...) are `open()`'s; text defaults to "\\n" newlines,
    as jupyter_server's `atomic_writing`.
    """
    target = os.path.realpath(path) if os.path.islink(path) else path
    mode = _existing_mode(target)
    try:
        fd, tmp = _create_beside(target)
    except PermissionError:
        if mode is None or not os.access(target, os.W_OK):
            raise
        with _in_place(target, text, encoding, **kwargs) as f:
            yield f
        return
    try:
        with _fdopen(fd, text, encoding, **kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _existing_mode(target: str) -> int | None:
    """The permission bits of the file being replaced; None for a new file. Refuses non-regular files."""
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(st.st_mode):
        raise NotRegularFileError(target, _KINDS.get(stat.S_IFMT(st.st_mode), "special file"))
    return stat.S_IMODE(st.st_mode)


def _create_beside(target: str) -> tuple[int, str]:
    """A new hidden temporary file in the target's folder (so `os.replace` stays on one filesystem).

    Created with mode 0o666 so that the umask applies as for any new file; a replaced file's own mode
    is set afterwards. The name never collides with jupyter_server's `.~name` backup.
    """
    folder, name = os.path.split(target)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    while True:
        # At most 50 characters of the name (200 bytes of UTF-8): a 255-byte name must still fit.
        tmp = os.path.join(folder, f".{name[:50]}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue


def _fdopen(fd: int, text: bool, encoding: str, **kwargs: Any) -> IO:
    if not text:
        return os.fdopen(fd, "wb", **kwargs)
    kwargs.setdefault("newline", "\n")
    return os.fdopen(fd, "w", encoding=encoding, **kwargs)


@contextlib.contextmanager
def _in_place(target: str, text: bool, encoding: str, **kwargs: Any) -> Iterator[IO]:
    if text:
        kwargs.setdefault("newline", "\n")
        f = open(target, "w", encoding=encoding, **kwargs)
    else:
        f = open(target, "wb", **kwargs)
    with f:
        yield f
        f.flush()
        os.fsync(f.fileno())
