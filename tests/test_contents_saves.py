"""Saves never lose data: concurrent saves, file modes, symlinks, hooks, and malformed save models.

Everything goes through a real `jupyter server` (tests/contents_server.py). A save must leave each file
exactly one complete saved version, keep what the base contents manager gives (modes, symlinks,
hooks, checkpoints), and refuse a model it cannot write with a 400 naming the field, before touching
anything.
"""

from __future__ import annotations

import copy
import inspect
import json
import os
import stat
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest
from jupyter_server.services.contents.fileio import AsyncFileManagerMixin, FileManagerMixin

from tests.contents_server import ApiError, Server, write
from tests.test_contents import PERCENT

PAIRED = PERCENT.replace("# ---\n\n", "#   reactive:\n#     pair: report.ipynb\n# ---\n\n", 1)


def version(base: dict[str, Any], i: int) -> dict[str, Any]:
    """A large, distinct edit of `base`: ~130 KB of code and ~400 KB of output, so writes overlap."""
    nb = copy.deepcopy(base)
    last = nb["cells"][-1]
    last["source"] = f"y = {i}\n" + "\n".join(f"v{i}_{k} = {k}  # version {i}" for k in range(5000))
    last["outputs"] = [{"output_type": "stream", "name": "stdout", "text": f"version {i}\n" * 40000}]
    return {"type": "notebook", "content": nb}


def saved_bytes(server: Server, folder: Path, api: str, models: list[dict]) -> list[tuple[bytes, bytes]]:
    """What saving each model alone writes: the (.py, .ipynb) bytes, saved one at a time elsewhere."""
    alone = folder / "alone"
    alone.mkdir()
    write(alone, "report.py", PAIRED)
    found = []
    for model in models:
        server.put(f"{api}/alone/report.py", model, timeout=60)
        found.append(((alone / "report.py").read_bytes(), (alone / "report.ipynb").read_bytes()))
    return found


def test_concurrent_saves_leave_one_complete_version_of_the_py_and_of_its_pair(server, files):
    folder, api = files
    write(folder, "report.py", PAIRED)
    base = server.get(f"{api}/report.py", type="notebook")["content"]
    models = [version(base, i) for i in range(20)]
    expected = saved_bytes(server, folder, api, models)
    errors: list[BaseException] = []

    def save(model: dict) -> None:
        try:
            server.put(f"{api}/report.py", model, timeout=120)
        except BaseException as exc:  # reported below; a thread must not swallow it
            errors.append(exc)

    for round_ in range(5):
        threads = [threading.Thread(target=save, args=(m,)) for m in models]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        py, ipynb = (folder / "report.py").read_bytes(), (folder / "report.ipynb").read_bytes()
        matches = [i for i, (p, _) in enumerate(expected) if p == py]
        assert matches, f"round {round_}: report.py is no saved version ({len(py)} bytes)"
        json.loads(ipynb)  # complete JSON
        assert ipynb == expected[matches[0]][1], f"round {round_}: report.ipynb is not the pair of report.py"
        others = sorted(p.name for p in folder.iterdir() if p.name not in ("report.py", "report.ipynb"))
        assert others == [".ipynb_checkpoints", "alone"], "no temporary files are left behind"


NOTEBOOK = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []})


@pytest.mark.parametrize(
    "name,old,model,new",
    [
        ("report.py", PERCENT, None, "y = 'new'"),
        ("notes.txt", "old text", {"type": "file", "format": "text", "content": "new text"}, "new text"),
        ("plain.ipynb", NOTEBOOK, {"type": "notebook", "content": json.loads(NOTEBOOK)}, '"cells": []'),
    ],
)
def test_a_save_replaces_the_file_so_a_reader_keeps_the_complete_old_version(
    server, files, name, old, model, new
):
    """Every save through the manager (a .py notebook, a text file, an .ipynb) replaces the file."""
    folder, api = files
    path = write(folder, name, old)
    if model is None:
        nb = server.get(f"{api}/{name}", type="notebook")["content"]
        nb["cells"][-1]["source"] = new
        model = {"type": "notebook", "content": nb}
    with path.open("rb") as reader:  # open before the save, read after it
        server.put(f"{api}/{name}", model)
        assert reader.read() == old.encode()
    assert new in path.read_text() and path.read_text() != old


def test_the_jupyter_server_internals_the_manager_overrides_keep_their_shape():
    """contents.py overrides these methods of jupyter_server's file managers, which its save calls."""
    assert list(inspect.signature(AsyncFileManagerMixin._save_file).parameters) == [
        "self", "os_path", "content", "format",
    ]  # fmt: skip
    assert list(inspect.signature(AsyncFileManagerMixin._save_notebook).parameters) == [
        "self", "os_path", "nb", "capture_validation_error",
    ]  # fmt: skip
    assert list(inspect.signature(FileManagerMixin.atomic_writing).parameters) == [
        "self",
        "os_path",
        "args",
        "kwargs",
    ]
    assert "use_atomic_writing" in FileManagerMixin.class_traits()
    assert callable(FileManagerMixin.perm_to_403) and callable(FileManagerMixin._get_os_path)


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755])
def test_a_save_keeps_the_file_mode(server, files, mode):
    folder, api = files
    py = write(folder, "report.py", PERCENT)
    py.chmod(mode)
    nb = server.get(f"{api}/report.py", type="notebook")["content"]
    nb["cells"][-1]["source"] = "y = 3"
    server.put(f"{api}/report.py", {"type": "notebook", "content": nb})
    text = folder / "notes.txt"
    text.write_text("old")
    text.chmod(mode)
    server.put(f"{api}/notes.txt", {"type": "file", "format": "text", "content": "new"})
    assert stat.S_IMODE(py.stat().st_mode) == mode and "y = 3" in py.read_text()
    assert stat.S_IMODE(text.stat().st_mode) == mode and text.read_text() == "new"


def test_a_new_file_gets_the_servers_default_mode(server, files):
    folder, api = files
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}
    server.put(f"{api}/new.py", {"type": "notebook", "content": nb})
    server.put(f"{api}/new.txt", {"type": "file", "format": "text", "content": "x"})
    umask = os.umask(0)
    os.umask(umask)  # the server inherited the test's umask
    for name in ("new.py", "new.txt"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o666 & ~umask, name


def test_saving_through_a_symlink_writes_its_target_and_keeps_the_link(server, files):
    folder, api = files
    (folder / "real").mkdir()
    target = write(folder / "real", "report.py", PERCENT)
    os.symlink(Path("real") / "report.py", folder / "link.py")
    nb = server.get(f"{api}/link.py", type="notebook")["content"]
    nb["cells"][-1]["source"] = "y = 'through the link'"
    saved = server.put(f"{api}/link.py", {"type": "notebook", "content": nb})
    assert (folder / "link.py").is_symlink()
    assert "y = 'through the link'" in target.read_text()
    assert saved["last_modified"] == server.get(f"{api}/link.py", content=0)["last_modified"]


def test_a_fifo_with_the_name_of_the_file_to_save_is_refused_not_opened(server, files):
    folder, api = files
    os.mkfifo(folder / "report.py")
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}
    with pytest.raises(ApiError) as info:  # a server blocked on the FIFO fails by timeout instead
        server.put(f"{api}/report.py", {"type": "notebook", "content": nb}, timeout=10)
    assert info.value.status == 400 and "report.py" in info.value.message
    assert stat.S_ISFIFO((folder / "report.py").lstat().st_mode)


HOOKS = """
import json, os
from tornado import web

def _record(**fields):
    with open(os.environ["H2_HOOK_LOG"], "a") as log:
        log.write(json.dumps(fields) + "\\n")

def pre(model, path, contents_manager, **kwargs):
    if "locked" in path:
        raise web.HTTPError(403, f"{path} is locked by a hook")
    _record(hook="pre", path=path, type=model.get("type"))

def post(model, os_path, contents_manager, **kwargs):
    _record(hook="post", path=os.path.basename(os_path), type=model.get("type"))
"""


@pytest.fixture(scope="module")
def hooked(tmp_path_factory):
    top = tmp_path_factory.mktemp("hooks")
    (top / "root").mkdir()
    (top / "h2_test_hooks.py").write_text(textwrap.dedent(HOOKS))
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(top), os.environ.get("PYTHONPATH")])),
        "H2_HOOK_LOG": str(top / "hooks.jsonl"),
    }
    running = Server(
        top / "root",
        "--ContentsManager.pre_save_hook=h2_test_hooks.pre",
        "--ContentsManager.post_save_hook=h2_test_hooks.post",
        env=env,
    )
    yield running, top / "hooks.jsonl"
    running.stop()


def test_save_hooks_run_for_the_py_and_its_pair_and_a_pre_save_hook_can_refuse(hooked):
    server, log = hooked
    write(server.root, "report.py", PAIRED)
    nb = server.get("report.py", type="notebook")["content"]
    nb["cells"][-1]["source"] = "y = 5"
    server.put("report.py", {"type": "notebook", "content": nb})
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert {"hook": "pre", "path": "report.py", "type": "file"} in calls
    assert {"hook": "post", "path": "report.py", "type": "notebook"} in calls
    assert {"hook": "pre", "path": "report.ipynb", "type": "notebook"} in calls
    assert {"hook": "post", "path": "report.ipynb", "type": "notebook"} in calls
    locked = write(server.root, "locked.py", PERCENT)
    del nb["metadata"]["reactive"]
    status, message = server.error("PUT", "/api/contents/locked.py", {"type": "notebook", "content": nb})
    assert status == 403 and "locked.py" in message
    assert locked.read_text() == PERCENT


# ---- malformed save models -----------------------------------------------------------------------

CELL = {"cell_type": "code", "id": "c1", "source": "x = 1", "metadata": {}, "outputs": []}
CELL["execution_count"] = None
NB = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [CELL]}


def without(d: dict, key: str) -> dict:
    return {k: v for k, v in d.items() if k != key}


def nb_with(**changes: Any) -> dict:
    return {**NB, **changes}


def cell_with(**changes: Any) -> dict:
    return nb_with(cells=[{**CELL, **changes}])


# (case, content, what the message must name): the field, and the cell by position where there is one.
MALFORMED = [
    ("content a string", "x = 1", ["content"]),
    ("content null", None, ["content"]),
    ("content a list", [NB], ["content"]),
    ("content empty", {}, ["nbformat"]),
    ("no nbformat", without(NB, "nbformat"), ["nbformat"]),
    ("nbformat 3", nb_with(nbformat=3), ["nbformat"]),
    ("nbformat a string", nb_with(nbformat="4"), ["nbformat"]),
    ("no nbformat_minor", without(NB, "nbformat_minor"), ["nbformat_minor"]),
    ("nbformat_minor a string", nb_with(nbformat_minor="5"), ["nbformat_minor"]),
    ("no metadata", without(NB, "metadata"), ["metadata"]),
    ("metadata a list", nb_with(metadata=[]), ["metadata"]),
    ("metadata null", nb_with(metadata=None), ["metadata"]),
    ("no cells", without(NB, "cells"), ["cells"]),
    ("cells null", nb_with(cells=None), ["cells"]),
    ("cells an object", nb_with(cells={"0": CELL}), ["cells"]),
    ("a cell that is a string", nb_with(cells=["x = 1"]), ["cell #1"]),
    ("a cell that is null", nb_with(cells=[CELL, None]), ["cell #2"]),
    ("source an int", cell_with(source=3), ["cell #1", "source"]),
    ("source null", cell_with(source=None), ["cell #1", "source"]),
    ("source a list with an int", cell_with(source=["x = 1\n", 2]), ["cell #1", "source"]),
    ("no source", nb_with(cells=[without(CELL, "source")]), ["cell #1", "source"]),
    ("no cell_type", nb_with(cells=[without(CELL, "cell_type")]), ["cell #1", "cell_type"]),
    ("unknown cell_type", cell_with(cell_type="python"), ["cell #1", "cell_type"]),
    ("cell_type an int", cell_with(cell_type=1), ["cell #1", "cell_type"]),
    ("cell metadata a string", cell_with(metadata="tags"), ["cell #1", "metadata"]),
    ("no cell metadata", nb_with(cells=[without(CELL, "metadata")]), ["cell #1", "metadata"]),
    ("outputs not a list", cell_with(outputs={}), ["cell #1", "outputs"]),
    ("an output without output_type", cell_with(outputs=[{"text": "1"}]), ["cell #1", "outputs"]),
    ("execution_count a string", cell_with(execution_count="1"), ["cell #1", "execution_count"]),
    ("tags not a list", cell_with(metadata={"tags": "a"}), ["cell #1", "tags"]),
    ("a markdown cell with outputs", cell_with(cell_type="markdown"), ["cell #1", "outputs"]),
    ("an unknown top-level field", nb_with(worksheets=[]), ["worksheets"]),
    ("cell id an int", cell_with(id=7), ["cell #1", "id"]),
    ("kernelspec without a name", nb_with(metadata={"kernelspec": {"display_name": "x"}}), ["kernelspec"]),
    ("second cell bad", nb_with(cells=[CELL, {**CELL, "id": "c2", "source": 5}]), ["cell #2", "source"]),
    ("round-trip record a list", nb_with(metadata={"reactive_format": []}), ["reactive_format"]),
    ("round-trip name a list", nb_with(metadata={"reactive_format": {"name": []}}), ["reactive_format.name"]),
    (
        "cell round-trip record a string",
        cell_with(metadata={"reactive_format": "x"}),
        ["cell #1", "reactive_format"],
    ),
    ("pair not a string", nb_with(metadata={"reactive": {"pair": 5}}), ["reactive.pair"]),
    ("pair elsewhere", nb_with(metadata={"reactive": {"pair": "../x.ipynb"}}), ["reactive.pair"]),
]


@pytest.mark.parametrize("content,names", [pytest.param(c, n, id=case) for case, c, n in MALFORMED])
def test_a_malformed_model_is_a_400_naming_the_field_and_nothing_is_written(server, files, content, names):
    folder, api = files
    py = write(folder, "chain.py", PERCENT)
    before = sorted(p.name for p in folder.iterdir())
    model = {"type": "notebook", "content": content}
    status, message = server.error("PUT", f"/api/contents/{api}/chain.py", model)
    assert status == 400, message
    assert "chain.py" in message
    for name in names:
        assert name in message, f"{name!r} not in {message!r}"
    assert py.read_bytes() == PERCENT.encode()
    assert sorted(p.name for p in folder.iterdir()) == before
    status, _ = server.error("PUT", f"/api/contents/{api}/new.py", model)
    assert status == 400 and not (folder / "new.py").exists()


def test_a_well_formed_model_of_each_cell_type_still_saves(server, files):
    folder, api = files
    printed = {"output_type": "stream", "name": "stdout", "text": "1"}
    cells = [
        {**CELL, "source": ["x = 1\n", "y = 2"], "outputs": [printed]},
        {"cell_type": "markdown", "id": "m1", "source": "# Title", "metadata": {}},
        {"cell_type": "raw", "id": "r1", "source": "raw text", "metadata": {"format": "text/plain"}},
    ]
    server.put(f"{api}/ok.py", {"type": "notebook", "content": nb_with(cells=cells)})
    text = (folder / "ok.py").read_text()
    assert "x = 1\ny = 2" in text and "# # Title" in text and "raw text" in text


def test_use_atomic_writing_false_still_writes_in_place(tmp_path):
    """jupyter_server's switch for filesystems where a rename misbehaves: the file keeps its inode."""
    root = tmp_path / "root"
    root.mkdir()
    py = write(root, "chain.py", PERCENT)
    inode = py.stat().st_ino
    inplace = Server(root, "--FileContentsManager.use_atomic_writing=False")
    try:
        nb = inplace.get("chain.py", type="notebook")["content"]
        nb["cells"][-1]["source"] = "y = 'in place'"
        inplace.put("chain.py", {"type": "notebook", "content": nb})
    finally:
        inplace.stop()
    assert "y = 'in place'" in py.read_text() and py.stat().st_ino == inode
