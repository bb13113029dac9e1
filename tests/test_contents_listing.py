"""Listing and opening never block the server, and a listing reuses what it learnt about unchanged files.

A FIFO named `*.py` (or a symlink to one) must not be opened to see whether it is a notebook: opening
it blocks until someone writes to it, and on the event loop that stops the whole server. Requests here
carry a timeout, so a blocked server fails the test instead of hanging it. Real `jupyter server`
(tests/contents_server.py), one per module, since a blocked server would take the others down too.
"""

from __future__ import annotations

import os
import time

from tests.contents_server import ApiError, Server, write
from tests.test_contents import PERCENT, PLAIN

PROMPT = 10  # seconds: far more than any answer takes, far less than forever


def kinds(server: Server, api: str) -> dict[str, str]:
    return {m["name"]: m["type"] for m in server.get(api, timeout=PROMPT)["content"]}


def test_a_fifo_and_a_symlink_to_one_neither_block_a_listing_nor_a_get(server, files):
    folder, api = files
    os.mkfifo(folder / "pipe.py")
    os.symlink("pipe.py", folder / "link.py")
    write(folder, "chain.py", PERCENT)
    listing = kinds(server, api)
    assert listing["chain.py"] == "notebook"
    assert listing.get("link.py") != "notebook" and listing.get("pipe.py") != "notebook"
    for name in ("pipe.py", "link.py"):
        for query in ({}, {"type": "notebook"}, {"content": 0}):
            try:
                server.get(f"{api}/{name}", timeout=PROMPT, **query)
            except ApiError as exc:  # refusing is fine; blocking is not (a timeout is an OSError)
                assert exc.status == 400 and name in exc.message, exc
    assert server.api("GET", "/api/status", timeout=PROMPT)
    assert server.get(f"{api}/chain.py", timeout=PROMPT, type="notebook")["type"] == "notebook"


def set_mtime(path, mtime_ns: int) -> None:
    os.utime(path, ns=(mtime_ns, mtime_ns))


def test_a_second_listing_reuses_the_verdict_of_an_unchanged_file(server, files):
    """An in-place rewrite that keeps size, inode and mtime is invisible to the cache: the listing
    still reports the old verdict, which only a listing that did not re-read the file can give."""
    folder, api = files
    plain = (PLAIN + "#" * len(PERCENT))[: len(PERCENT)]
    path = write(folder, "script.py", plain)
    past = time.time_ns() - 3600 * 10**9
    set_mtime(path, past)
    assert kinds(server, api)["script.py"] == "file"
    with path.open("r+b") as f:  # same inode, same size
        f.write(PERCENT.encode())
    set_mtime(path, past)
    assert kinds(server, api)["script.py"] == "file", "an unchanged (size, mtime) file is not read again"
    set_mtime(path, past + 10**9)
    assert kinds(server, api)["script.py"] == "notebook", "a new mtime is read again"


def test_a_file_whose_mtime_is_not_yet_settled_is_read_every_time(server, files):
    """A file written within the filesystem's timestamp granularity may change again with the same
    mtime, so a verdict on a file with a recent (here: future) mtime is not kept."""
    folder, api = files
    plain = (PLAIN + "#" * len(PERCENT))[: len(PERCENT)]
    path = write(folder, "script.py", plain)
    future = time.time_ns() + 3600 * 10**9
    set_mtime(path, future)
    assert kinds(server, api)["script.py"] == "file"
    with path.open("r+b") as f:
        f.write(PERCENT.encode())
    set_mtime(path, future)
    assert kinds(server, api)["script.py"] == "notebook"
