"""`.py` notebooks through a real `jupyter server`'s contents API: list, open, save, rename, checkpoints.

The server (tests/contents_server.py) is started with no reactive_kernel configuration at all: the server
extension must be enabled by the package's installed `jupyter_server_config.d` file, as after `pip install`.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import nbformat
import pytest

from reactive_kernel import __version__
from tests.contents_server import Server, sources, write

PERCENT = """\
# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (reactive)
#     language: python
#     name: reactive-python
# ---

# %%
x = 1

# %% [markdown]
# A chain: *y* follows *x*.

# %%
y = x + 1
"""

MARIMO = """\
import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def _():
    x = 1
    return (x,)


@app.cell
def _(x):
    y = x + 1
    return


if __name__ == "__main__":
    app.run()
"""

PLAIN = "print('just a script')\n"


def test_the_extension_is_enabled_by_the_installed_config():
    out = subprocess.run(
        [sys.executable, "-m", "jupyter_server", "extension", "list"], capture_output=True, text=True
    )
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.stdout + out.stderr)  # colours
    assert "reactive_kernel enabled" in text
    assert f"reactive_kernel {__version__} OK" in text


def test_a_listing_reports_py_notebooks_as_notebooks_and_other_py_as_files(server, files):
    folder, api = files
    write(folder, "chain.py", PERCENT)
    write(folder, "app.py", MARIMO)
    write(folder, "script.py", PLAIN)
    listing = {m["name"]: m["type"] for m in server.get(api)["content"]}
    assert listing == {"chain.py": "notebook", "app.py": "notebook", "script.py": "file"}


@pytest.mark.parametrize("name,text", [("chain.py", PERCENT), ("app.py", MARIMO)])
def test_a_py_notebook_opens_as_cells_and_the_editor_still_gets_the_text(server, files, name, text):
    folder, api = files
    write(folder, name, text)
    nb = server.get(f"{api}/{name}", type="notebook")
    assert nb["type"] == "notebook" and nb["format"] == "json"
    assert [s for _, s in sources(nb) if s.startswith(("x = 1", "y = x + 1"))] == ["x = 1", "y = x + 1"]
    assert nb["content"]["metadata"]["kernelspec"]["name"] == "reactive-python"
    as_text = server.get(f"{api}/{name}", type="file", format="text")
    assert as_text["type"] == "file" and as_text["content"] == text


BARE = "# %%\nx = 1\n\n# %%\ny = x + 1\n"  # no header, so no kernelspec in the file


@pytest.mark.parametrize("name,text", [("chain.py", PERCENT), ("app.py", MARIMO), ("bare.py", BARE)])
def test_saving_an_unedited_notebook_keeps_the_bytes(server, files, name, text):
    folder, api = files
    path = write(folder, name, text)
    nb = server.get(f"{api}/{name}", type="notebook")
    saved = server.put(f"{api}/{name}", {"type": "notebook", "content": nb["content"]})
    assert path.read_text() == text
    assert saved["type"] == "notebook"


def test_saving_an_edit_writes_the_same_format_with_consistent_hash_and_time(server, files):
    folder, api = files
    path = write(folder, "chain.py", PERCENT)
    nb = server.get(f"{api}/chain.py", type="notebook", hash=1)
    code = next(c for c in nb["content"]["cells"] if c["source"] == "y = x + 1")
    code["source"] = "y = x + 2"
    saved = server.put(f"{api}/chain.py", {"type": "notebook", "content": nb["content"]})
    text = path.read_text()
    assert "y = x + 2" in text and "# %% [markdown]" in text and text.startswith("# ---")
    again = server.get(f"{api}/chain.py", type="notebook", hash=1)
    assert saved["last_modified"] == again["last_modified"]
    assert again["hash"] != nb["hash"]
    assert server.get(f"{api}/chain.py", content=0, hash=1)["hash"] == again["hash"]


def test_a_new_py_notebook_is_written_in_percent(server, files):
    folder, api = files
    nb = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [{"cell_type": "code", "id": "a", "source": "x = 1", "metadata": {}, "outputs": [],
                   "execution_count": None}],
    }  # fmt: skip
    server.put(f"{api}/new.py", {"type": "notebook", "content": nb})
    text = (folder / "new.py").read_text()
    assert "# %%\nx = 1\n" in text
    assert sources(server.get(f"{api}/new.py", type="notebook")) == [("code", "x = 1")]


def test_new_untitled_py_notebook(server, files):
    _, api = files
    model = server.api("POST", f"/api/contents/{api}", {"type": "notebook", "ext": ".py"})
    assert model["name"].endswith(".py") and model["type"] == "notebook"
    assert server.get(model["path"], type="notebook")["content"]["cells"] == []


def test_rename_keeps_a_py_notebook_a_notebook(server, files):
    folder, api = files
    write(folder, "chain.py", PERCENT)
    moved = server.api("PATCH", f"/api/contents/{api}/chain.py", {"path": f"{api}/renamed.py"})
    assert moved["type"] == "notebook" and moved["name"] == "renamed.py"
    assert (folder / "renamed.py").read_text() == PERCENT and not (folder / "chain.py").exists()


def test_checkpoints_create_and_restore_the_file(server, files):
    folder, api = files
    path = write(folder, "chain.py", PERCENT)
    checkpoint = server.api("POST", f"/api/contents/{api}/chain.py/checkpoints")
    nb = server.get(f"{api}/chain.py", type="notebook")
    nb["content"]["cells"] = nb["content"]["cells"][:1]
    server.put(f"{api}/chain.py", {"type": "notebook", "content": nb["content"]})
    assert path.read_text() != PERCENT
    server.api("POST", f"/api/contents/{api}/chain.py/checkpoints/{checkpoint['id']}")
    assert path.read_text() == PERCENT


def test_the_first_save_creates_a_checkpoint(server, files):
    folder, api = files
    write(folder, "chain.py", PERCENT)
    nb = server.get(f"{api}/chain.py", type="notebook")
    server.put(f"{api}/chain.py", {"type": "notebook", "content": nb["content"]})
    assert len(server.api("GET", f"/api/contents/{api}/chain.py/checkpoints")) == 1


def test_bytes_that_are_not_utf8_are_a_400_naming_file_and_line_and_stay_untouched(server, files):
    folder, api = files
    raw = b"# %%\nx = 1\n\n# %%\ny = '\xff'\n"
    path = write(folder, "bad.py", raw)
    status, message = server.error("GET", f"/api/contents/{api}/bad.py?type=notebook")
    assert status == 400
    assert "bad.py" in message and "line 5" in message and "UTF-8" in message
    assert path.read_bytes() == raw


def test_a_marimo_file_that_does_not_parse_is_a_400_and_stays_untouched(server, files):
    folder, api = files
    broken = MARIMO.replace("app = marimo.App()", "app = marimo.App(")  # no cell can save a broken header
    path = write(folder, "broken.py", broken)
    status, message = server.error("GET", f"/api/contents/{api}/broken.py?type=notebook")
    assert status == 400 and "broken.py" in message and "line 4" in message
    assert path.read_text() == broken


def test_a_marimo_cell_that_does_not_parse_opens_as_a_cell_and_saves_back_unchanged(server, files):
    folder, api = files
    broken = MARIMO.replace("def _(x):", "def _(x:")  # as marimo does, the other cells still load
    path = write(folder, "broken.py", broken)
    nb = server.get(f"{api}/broken.py", type="notebook")
    sources = [cell["source"] for cell in nb["content"]["cells"]]
    assert sources == ["x = 1", "@app.cell\ndef _(x:\n    y = x + 1\n    return"]  # marimo's code for it
    server.put(f"{api}/broken.py", {"type": "notebook", "content": nb["content"]})
    assert path.read_text() == broken


def test_opening_and_saving_never_executes_the_file(server, files):
    folder, api = files
    marker = folder / "executed.marker"
    body = f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\n"
    write(folder, "percent.py", f"# %%\n{body}")
    write(
        folder,
        "app.py",
        MARIMO.replace("    x = 1\n", "    x = 1\n" + textwrap.indent(body, "    ")),
    )
    write(folder, "top.py", f"{body}# %%\nx = 1\n")
    server.get(api)
    for name in ("percent.py", "app.py", "top.py"):
        nb = server.get(f"{api}/{name}", type="notebook")
        server.put(f"{api}/{name}", {"type": "notebook", "content": nb["content"]})
    assert not marker.exists()


def test_the_documented_contents_manager_class_works_without_the_extension(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    write(root, "chain.py", PERCENT)
    write(root, "script.py", PLAIN)
    alt = Server(
        root,
        "--ServerApp.jpserver_extensions=reactive_kernel=False",
        "--ServerApp.contents_manager_class=reactive_kernel.server.contents.ReactiveContentsManager",
        "--ReactiveContents.all_py_notebooks=True",
    )
    try:
        nb = alt.get("chain.py", type="notebook")
        assert nb["type"] == "notebook" and nb["content"]["metadata"]["reactive_format"]["name"] == "percent"
        listing = {m["name"]: m["type"] for m in alt.get("")["content"]}
        assert listing == {"chain.py": "notebook", "script.py": "notebook"}  # all_py_notebooks
        assert "reactive_kernel: .py notebooks" not in alt.log.read_text()
    finally:
        alt.stop()


def test_a_paired_notebook_keeps_outputs_in_the_ipynb_and_inputs_in_the_py(server, files):
    folder, api = files
    py = write(folder, "chain.py", PERCENT)
    nb = server.get(f"{api}/chain.py", type="notebook")["content"]
    nb["metadata"]["reactive"] = {"pair": "chain.ipynb"}
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    code[1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "2\n"}]
    code[1]["execution_count"] = 7
    server.put(f"{api}/chain.py", {"type": "notebook", "content": nb})
    assert "2\n" not in py.read_text().split("y = x + 1")[1], "outputs stay out of the .py"
    paired = nbformat.read(folder / "chain.ipynb", as_version=4)
    assert [c.get("outputs") for c in paired.cells if c.cell_type == "code"][1][0]["text"] == "2\n"
    # Edit the inputs in the .py (as in an editor or a git merge): outputs follow the cell's source.
    py.write_text(PERCENT.replace("# %%\nx = 1\n", "# %%\nx = 1\n\n# %%\nz = 3\n"))
    again = server.get(f"{api}/chain.py", type="notebook")["content"]
    by_source = {c["source"]: c for c in again["cells"]}
    assert by_source["y = x + 1"]["outputs"][0]["text"] == "2\n"
    assert by_source["y = x + 1"]["execution_count"] == 7 and by_source["y = x + 1"]["id"] == code[1]["id"]
    assert by_source["z = 3"]["outputs"] == []
    assert again["metadata"]["reactive"]["pair"] == "chain.ipynb"


def test_a_pair_named_elsewhere_is_refused_and_nothing_is_written(server, files):
    folder, api = files
    py = write(folder, "chain.py", PERCENT)
    nb = server.get(f"{api}/chain.py", type="notebook")["content"]
    nb["metadata"]["reactive"] = {"pair": "../elsewhere.ipynb"}
    status, message = server.error(
        "PUT", f"/api/contents/{api}/chain.py", {"type": "notebook", "content": nb}
    )
    assert status == 400 and "chain.ipynb" in message
    assert py.read_text() == PERCENT and not (folder / "elsewhere.ipynb").exists()
