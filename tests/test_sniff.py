"""`server.sniff`: verdicts that never open what must not be opened, kept while a file stays."""

from __future__ import annotations

import os
import threading
import time

import pytest

from reactive_kernel.server.sniff import SETTLE_NS, Sniffer

PERCENT = "# %%\nx = 1\n"
PLAIN = "x = 1 # pa\n"
assert len(PLAIN) == len(PERCENT)  # so an in-place rewrite keeps the size
HOUR_AGO = time.time_ns() - 3600 * 10**9


def make(folder, name: str, text: str, mtime_ns: int = HOUR_AGO):
    path = folder / name
    path.write_text(text)
    os.utime(path, ns=(mtime_ns, mtime_ns))
    return path


def rewrite_in_place(path, text: str) -> None:
    """New bytes, same inode, size and mtime: invisible to the cache key."""
    st = path.stat()
    with path.open("r+") as f:
        f.write(text)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_verdicts_by_format(tmp_path):
    sniffer = Sniffer(65536)
    make(tmp_path, "a.py", PERCENT)
    make(tmp_path, "b.py", PLAIN)
    make(tmp_path, "c.py", "import marimo\napp = marimo.App()\n")
    assert sniffer.verdicts(str(tmp_path), ["a.py", "b.py", "c.py", "missing.py"]) == {
        "a.py": "percent",
        "b.py": None,
        "c.py": "marimo",
        "missing.py": None,
    }


def test_only_the_first_limit_bytes_are_read(tmp_path):
    path = make(tmp_path, "late.py", "x = 1\n" * 100 + PERCENT)
    assert Sniffer(100).verdict(str(path)) is None
    assert Sniffer(65536).verdict(str(path)) == "percent"


@pytest.mark.parametrize("kind", ["fifo", "symlink to a fifo", "directory"])
def test_what_is_not_a_regular_file_is_never_opened(tmp_path, kind):
    path = tmp_path / "x.py"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    else:
        os.mkfifo(tmp_path / "pipe")
        path.symlink_to("pipe")
    found: list = []
    worker = threading.Thread(target=lambda: found.append(Sniffer(65536).verdict(str(path))), daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "the sniffer blocked on the path"
    assert found == [None]


def test_an_unchanged_file_is_not_read_again(tmp_path):
    sniffer = Sniffer(65536)
    path = make(tmp_path, "x.py", PLAIN)
    assert sniffer.verdict(str(path)) is None
    rewrite_in_place(path, PERCENT)
    assert sniffer.verdict(str(path)) is None, "the kept verdict: the file was not read"
    assert Sniffer(65536).verdict(str(path)) == "percent", "a fresh sniffer reads it"


@pytest.mark.parametrize("change", ["mtime", "size", "inode"])
def test_a_changed_file_is_read_again(tmp_path, change):
    sniffer = Sniffer(65536)
    path = make(tmp_path, "x.py", PLAIN)
    assert sniffer.verdict(str(path)) is None
    if change == "mtime":
        rewrite_in_place(path, PERCENT)
        os.utime(path, ns=(HOUR_AGO, HOUR_AGO + 1))
    elif change == "size":
        make(tmp_path, "x.py", PERCENT + "\n")
    else:  # replaced, as a save does: the new file exists before the old one goes, so a new inode
        os.replace(make(tmp_path, "x.new", PERCENT), path)
    assert sniffer.verdict(str(path)) == "percent"


def test_a_file_whose_mtime_is_not_settled_is_not_kept(tmp_path):
    """Within SETTLE_NS of now (here: in the future, so the test cannot be slow enough to pass it)."""
    sniffer = Sniffer(65536)
    path = make(tmp_path, "x.py", PLAIN, mtime_ns=time.time_ns() + 3600 * 10**9 + SETTLE_NS)
    assert sniffer.verdict(str(path)) is None
    rewrite_in_place(path, PERCENT)
    assert sniffer.verdict(str(path)) == "percent"
