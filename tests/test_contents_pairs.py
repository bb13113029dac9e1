"""Saving a paired `.py` notebook writes its `.ipynb` only when that file is free or already its pair.

A paired `.py` committed without its `.ipynb` carries `reactive.pair` in its header; an unrelated
notebook of the same name beside it must survive the first save. Each case checks the answer, and the
bytes of both files afterwards. Real `jupyter server` (tests/contents_server.py).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest

from tests.contents_server import Server, write

PAIRED = """\
# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (reactive)
#     language: python
#     name: reactive-python
#   reactive:
#     pair: report.ipynb
# ---

# %%
x = 1

# %%
y = x + 1
"""

UNRELATED = nbformat.writes(
    nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Someone else's report")])
)


def edited(server: Server, api: str) -> dict:
    """report.py opened, its last cell edited and given an output: what JupyterLab would save."""
    nb = server.get(f"{api}/report.py", type="notebook")["content"]
    last = nb["cells"][-1]
    last["source"] = "y = x + 2"
    last["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "3\n"}]
    return {"type": "notebook", "content": nb}


def test_the_first_save_of_a_paired_py_creates_its_ipynb(server, files):
    folder, api = files
    write(folder, "report.py", PAIRED)
    server.put(f"{api}/report.py", edited(server, api))
    assert "y = x + 2" in (folder / "report.py").read_text()
    paired = nbformat.read(folder / "report.ipynb", as_version=4)
    assert paired.metadata["reactive"]["pair"] == "report.ipynb"
    assert paired.cells[-1].outputs[0]["text"] == "3\n"


def test_later_saves_replace_the_ipynb_that_is_the_pair(server, files):
    folder, api = files
    write(folder, "report.py", PAIRED)
    server.put(f"{api}/report.py", edited(server, api))
    model = edited(server, api)
    model["content"]["cells"][-1]["outputs"][0]["text"] = "4\n"
    server.put(f"{api}/report.py", model)
    assert nbformat.read(folder / "report.ipynb", as_version=4).cells[-1].outputs[0]["text"] == "4\n"


def test_an_unrelated_ipynb_of_the_pair_name_is_never_replaced(server, files):
    folder, api = files
    py = write(folder, "report.py", PAIRED)
    other = write(folder, "report.ipynb", UNRELATED)
    status, message = server.error("PUT", f"/api/contents/{api}/report.py", edited(server, api))
    assert status == 409
    assert "report.ipynb" in message and "report.py" in message
    assert other.read_text() == UNRELATED, "the unrelated notebook is untouched"
    assert py.read_text() == PAIRED, "nothing is written: the edit stays in the client to save again"


def test_an_ipynb_naming_another_pair_is_not_this_files_pair(server, files):
    folder, api = files
    write(folder, "report.py", PAIRED)
    text = json.dumps({**json.loads(UNRELATED), "metadata": {"reactive": {"pair": "other.ipynb"}}})
    other = write(folder, "report.ipynb", text)
    status, _ = server.error("PUT", f"/api/contents/{api}/report.py", edited(server, api))
    assert status == 409 and other.read_text() == text


@pytest.mark.parametrize("broken", ["{not json", "[1, 2]", '{"metadata": []}', ""])
def test_an_unreadable_ipynb_of_the_pair_name_is_left_alone(server, files, broken):
    folder, api = files
    write(folder, "report.py", PAIRED)
    other = write(folder, "report.ipynb", broken)
    status, message = server.error("PUT", f"/api/contents/{api}/report.py", edited(server, api))
    assert status == 409 and "report.ipynb" in message
    assert other.read_text() == broken


def test_a_pair_symlink_that_leaves_the_root_is_never_written_through(server, files):
    folder, api = files
    outside = server.root.parent / "outside.ipynb"
    mine = json.dumps({**json.loads(UNRELATED), "metadata": {"reactive": {"pair": "report.ipynb"}}})
    outside.write_text(mine)  # even a notebook that looks like the pair
    write(folder, "report.py", PAIRED)
    os.symlink(outside, folder / "report.ipynb")
    status, message = server.error("PUT", f"/api/contents/{api}/report.py", edited(server, api))
    assert status == 409 and "report.ipynb" in message
    assert outside.read_text() == mine
    assert (folder / "report.ipynb").is_symlink()


def test_a_pair_symlink_inside_the_root_is_written_through_and_stays_a_symlink(server, files):
    folder, api = files
    write(folder, "report.py", PAIRED)
    server.put(f"{api}/report.py", edited(server, api))
    (folder / "store").mkdir()
    target = folder / "store" / "report.ipynb"
    (folder / "report.ipynb").rename(target)
    os.symlink(Path("store") / "report.ipynb", folder / "report.ipynb")
    model = edited(server, api)
    model["content"]["cells"][-1]["outputs"][0]["text"] = "5\n"
    server.put(f"{api}/report.py", model)
    assert (folder / "report.ipynb").is_symlink()
    assert nbformat.read(target, as_version=4).cells[-1].outputs[0]["text"] == "5\n"


@pytest.mark.parametrize("kind", ["directory", "fifo"])
def test_a_pair_name_taken_by_something_other_than_a_file_is_a_409(server, files, kind):
    folder, api = files
    py = write(folder, "report.py", PAIRED)
    if kind == "directory":
        (folder / "report.ipynb").mkdir()
    else:
        os.mkfifo(folder / "report.ipynb")
    model = edited(server, api)
    try:
        server.api("PUT", f"/api/contents/{api}/report.py", model, timeout=10)
    except Exception as exc:  # the ApiError expected, or a timeout when the server blocked on the FIFO
        assert getattr(exc, "status", None) == 409, exc
    else:
        pytest.fail("the save succeeded")
    assert py.read_text() == PAIRED
    assert server.get(api, timeout=10)["type"] == "directory", "the server still answers"
