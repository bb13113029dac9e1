"""`server.atomic_file`: a replaced file is only ever a complete version; modes and links stay."""

from __future__ import annotations

import os
import stat
import threading

import pytest

from reactive_kernel.core.errors import NotRegularFileError
from reactive_kernel.server.atomic_file import replace_bytes, replacing


def names(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_the_new_bytes_replace_the_file_and_an_open_reader_keeps_the_old_ones(tmp_path):
    path = tmp_path / "f.py"
    path.write_bytes(b"old")
    with path.open("rb") as reader:
        replace_bytes(str(path), b"new")
        assert reader.read() == b"old"
    assert path.read_bytes() == b"new" and names(tmp_path) == ["f.py"]


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o751, 0o444])
def test_the_mode_of_a_replaced_file_is_kept(tmp_path, mode):
    path = tmp_path / "f.py"
    path.write_bytes(b"old")
    path.chmod(mode)
    replace_bytes(str(path), b"new")
    assert stat.S_IMODE(path.stat().st_mode) == mode and path.read_bytes() == b"new"


def test_a_new_file_gets_the_umask_mode(tmp_path):
    old = os.umask(0o027)
    try:
        replace_bytes(str(tmp_path / "new.py"), b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.py").stat().st_mode) == 0o640


def test_a_symlink_stays_a_symlink_and_its_target_is_replaced(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "f.py"
    target.write_bytes(b"old")
    target.chmod(0o640)
    link = tmp_path / "link.py"
    link.symlink_to(os.path.join("real", "f.py"))
    replace_bytes(str(link), b"new")
    assert link.is_symlink() and target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert names(tmp_path / "real") == ["f.py"]


def test_text_mode_writes_unix_newlines_by_default(tmp_path):
    path = tmp_path / "f.txt"
    with replacing(str(path)) as f:
        f.write("a\nb\n")
    assert path.read_bytes() == b"a\nb\n"


def test_an_error_while_writing_leaves_the_old_file_and_no_temporary_file(tmp_path):
    path = tmp_path / "f.py"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError), replacing(str(path), text=False) as f:
        f.write(b"half")
        raise RuntimeError("the writer failed")
    assert path.read_bytes() == b"old" and names(tmp_path) == ["f.py"]


@pytest.mark.parametrize("kind", ["fifo", "directory", "symlink to a fifo"])
def test_a_target_that_is_not_a_regular_file_is_refused_without_opening_it(tmp_path, kind):
    path = tmp_path / "f.py"
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        os.mkfifo(tmp_path / "pipe")
        path.symlink_to("pipe")
    outcome: list[BaseException] = []

    def save() -> None:
        try:
            replace_bytes(str(path), b"new")
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=save, daemon=True)  # opening a FIFO would block it forever
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "the FIFO was opened"
    assert len(outcome) == 1 and isinstance(outcome[0], NotRegularFileError)
    assert outcome[0].kind == ("directory" if kind == "directory" else "FIFO")


def test_concurrent_replacements_leave_exactly_one_complete_version(tmp_path):
    path = tmp_path / "f.py"
    path.write_bytes(b"start")
    versions = [bytes([65 + i]) * (1 << 20) for i in range(20)]  # 1 MB each, one letter per version
    threads = [threading.Thread(target=replace_bytes, args=(str(path), v)) for v in versions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert path.read_bytes() in versions
    assert names(tmp_path) == ["f.py"]


def test_a_file_with_the_longest_name_allowed_is_replaced(tmp_path):
    path = tmp_path / ("é" * 124 + ".py")  # 251 bytes of UTF-8: a temporary name must not add to it
    path.write_bytes(b"old")
    replace_bytes(str(path), b"new")
    assert path.read_bytes() == b"new" and names(tmp_path) == [path.name]
