"""The disk cache's pure parts and its file checks, on real files in tmp_path (mode bits, owners, links)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reactive_kernel.features.disk_cache import DiskCache, Refused, Stored, check_folders, evictions, read_own

OTHER_UID = 65534  # "nobody": a user other than the one running the tests
KEY = "ab" + "0" * 62


def stored(*entries: tuple[str, int, float]) -> list[Stored]:
    return [Stored(Path(name), size, used) for name, size, used in entries]


# (entries as (name, size, last use), max_bytes, the names deleted in order)
EVICTIONS = [
    ([("a", 10, 1), ("b", 10, 2)], 0, []),  # 0: no bound
    ([("a", 10, 1), ("b", 10, 2)], 20, []),  # exactly at the bound
    ([("a", 10, 1), ("b", 10, 2), ("c", 10, 3)], 20, ["a"]),
    ([("c", 10, 3), ("a", 10, 1), ("b", 10, 2)], 10, ["a", "b"]),  # by last use, not by listing order
    ([("big", 100, 1), ("s1", 1, 2), ("s2", 1, 3)], 50, ["big"]),  # the oldest, however large
    ([("s1", 1, 1), ("s2", 1, 2), ("big", 100, 3)], 100, ["s1", "s2"]),
    ([("y", 10, 5), ("x", 10, 5)], 10, ["x"]),  # a tie in last use goes by path
    ([], 1, []),
]


@pytest.mark.parametrize(("entries", "max_bytes", "deleted"), EVICTIONS)
def test_evictions_delete_the_least_recently_used_until_the_rest_fit(entries, max_bytes, deleted):
    assert evictions(stored(*entries), max_bytes) == [Path(name) for name in deleted]


# (mode of the root, mode of the folder below it, words of the refusal or None)
FOLDER_MODES = [
    (0o700, 0o700, None),
    (0o755, 0o755, None),
    (0o555, 0o500, None),  # read-only is fine
    (0o777, 0o700, "root is writable by its group and others"),
    (0o1777, 0o700, "root is writable by its group and others"),  # sticky, like /tmp: still refused
    (0o770, 0o700, "root is writable by its group"),
    (0o700, 0o775, "ab is writable by its group"),
    (0o700, 0o702, "ab is writable by its group and others"),
]


@pytest.mark.parametrize(("root_mode", "folder_mode", "words"), FOLDER_MODES)
def test_folders_from_the_root_down_must_not_be_writable_by_others(tmp_path, root_mode, folder_mode, words):
    root = tmp_path / "root"
    folder = root / "ab"
    folder.mkdir(parents=True)
    folder.chmod(folder_mode)
    root.chmod(root_mode)
    try:
        if words is None:
            check_folders(root, folder)
            check_folders(root, root)
        else:
            with pytest.raises(Refused, match=words):
                check_folders(root, folder)
    finally:
        root.chmod(0o700)


def test_folders_above_the_root_are_not_checked(tmp_path):
    above = tmp_path / "shared"
    root = above / "cells"
    root.mkdir(parents=True, mode=0o700)
    above.chmod(0o777)
    check_folders(root, root)


def test_read_own_reads_the_users_file_and_marks_it_used(tmp_path):
    path = tmp_path / "e.pickle"
    path.write_bytes(b"data")
    os.utime(path, (1000, 1000))
    assert read_own(path) == b"data"
    assert path.stat().st_mtime > 1000  # a hit is a use
    assert read_own(tmp_path / "missing.pickle") is None


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_read_own_refuses_a_file_another_user_owns(tmp_path):
    path = tmp_path / "e.pickle"
    path.write_bytes(b"data")
    os.chown(path, OTHER_UID, -1)
    with pytest.raises(Refused, match=f"belongs to user id {OTHER_UID}, not to you"):
        read_own(path)


def test_read_own_refuses_a_symbolic_link_and_a_folder(tmp_path):
    target = tmp_path / "target"
    target.write_bytes(b"data")
    (tmp_path / "link.pickle").symlink_to(target)
    with pytest.raises(Refused, match="is a symbolic link"):
        read_own(tmp_path / "link.pickle")
    (tmp_path / "dir.pickle").mkdir()
    with pytest.raises(Refused, match="not a regular file"):
        read_own(tmp_path / "dir.pickle")


# -- DiskCache: the checks and eviction together ---------------------------------------------------------


class Notes(list):
    """What the cache told the cell."""

    def __call__(self, text: str) -> None:
        self.append(text)


def test_a_refused_file_is_a_miss_told_once(tmp_path):
    notes = Notes()
    cache = DiskCache(tmp_path / "cells", note=notes)
    assert cache.store(KEY, {"v": 1}, []) is None
    assert cache.load(KEY) == ({"v": 1}, [])
    (tmp_path / "cells").chmod(0o777)
    assert cache.load(KEY) is None
    assert cache.load(KEY) is None
    root = tmp_path / "cells"
    assert notes == [
        f"not loading cached results from disk: the folder {root} is writable by its group and others "
        f"(chmod go-w {root}); the cell runs, and its results stay in memory"
    ]


def test_nothing_is_written_into_a_folder_others_can_write(tmp_path):
    notes = Notes()
    root = tmp_path / "cells"
    root.mkdir(mode=0o700)
    root.chmod(0o777)
    cache = DiskCache(root, note=notes)
    assert cache.store(KEY, {"v": 1}, []) is None
    assert cache.store(KEY, {"v": 2}, []) is None
    assert list(root.rglob("*.pickle")) == []
    assert len(notes) == 1 and notes[0].startswith("not caching results on disk: the folder")


def test_the_caches_own_folders_are_private_whatever_the_umask(tmp_path):
    old = os.umask(0o002)  # user private groups: new folders would be group-writable
    try:
        cache = DiskCache(tmp_path / "cells")
        cache.store(KEY, {"v": 1}, [])
    finally:
        os.umask(old)
    assert (tmp_path / "cells").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "cells" / "ab").stat().st_mode & 0o777 == 0o700
    assert cache.load(KEY) == ({"v": 1}, [])


def key(n: int) -> str:
    return f"{n:02x}" + "0" * 62


def test_writes_evict_the_least_recently_used(tmp_path):
    blob = b"x" * 10_000
    cache = DiskCache(tmp_path / "cells")
    cache.store(key(1), {"v": blob}, [])
    size = (tmp_path / "cells" / "01" / f"{key(1)}.pickle").stat().st_size
    cache.max_bytes = 3 * size  # room for three
    for n in (2, 3):
        cache.store(key(n), {"v": blob}, [])
    for n, used in ((1, 100), (2, 300), (3, 200)):
        os.utime(tmp_path / "cells" / key(n)[:2] / f"{key(n)}.pickle", (used, used))
    assert cache.load(key(1)) is not None  # a hit: now the most recently used
    cache.store(key(4), {"v": blob}, [])
    left = sorted(p.name[:2] for p in (tmp_path / "cells").rglob("*.pickle"))
    assert left == ["01", "02", "04"]  # 3 was the least recently used
    cache.store(key(5), {"v": blob}, [])
    assert sorted(p.name[:2] for p in (tmp_path / "cells").rglob("*.pickle")) == ["01", "04", "05"]


def test_an_entry_larger_than_the_bound_stays_in_memory(tmp_path):
    cache = DiskCache(tmp_path / "cells", max_bytes=1000)
    note = cache.store(KEY, {"v": b"x" * 5000}, [])
    assert note is not None and note.startswith("kept in memory only: its results take ")
    assert note.endswith("bytes, over cache_max_bytes")
    assert list((tmp_path / "cells").rglob("*.pickle")) == []


def test_a_damaged_entry_is_a_miss_that_is_told_once(tmp_path):
    notes = []
    cache = DiskCache(tmp_path / "cells", note=notes.append)
    assert cache.store("k", {"x": 1}, []) is None
    path = next(p for p in (tmp_path / "cells").rglob("*") if p.is_file())
    path.write_bytes(b"not a pickle")
    assert cache.load("k") is None and cache.load("k") is None
    assert len(notes) == 1 and "cannot be unpickled" in notes[0] and "stores new ones" in notes[0], notes
