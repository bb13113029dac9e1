"""Real notebooks (tests/corpus/) show on the reactive kernel what they show on plain ipykernel.

For every corpus notebook, three checks on real kernels:

1. it runs top to bottom on plain ipykernel (the `python3` kernelspec, through nbclient) without an
   error; the text of every cell's outputs is the reference;
2. `reactive-kernel run` prints the reference's text (streams and text/plain results, in notebook
   order, which is the dependency order of a notebook that runs top to bottom);
3. on the reactive kernel, driven like JupyterLab (tests/frontend.py), running every cell in notebook
   order shows the reference in every cell; then each code cell is re-run once, following the run
   lists the kernel sends, and every cell that runs still shows the reference: no hidden state.

Output text is compared after normalising what differs between two runs of the same code: memory
addresses, the notebook's temporary folder, where a warning was raised. Images are dropped. The
notebooks are chosen to be deterministic (see tests/corpus/README.md).
"""

from __future__ import annotations

import difflib
import functools
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from reactive_kernel.core import order
from tests.frontend import Frontend

pytestmark = pytest.mark.corpus

CORPUS = Path(__file__).resolve().parent / "corpus"
NOTEBOOKS = sorted(CORPUS.glob("*/*.ipynb"))
TIMEOUT = 120  # seconds: a whole notebook on one kernel, or one cell
# The same string hashes in every kernel, so sets of strings print in the same order in each run.
ENV = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONHASHSEED": "0"}

_OUTPUT_TYPES = ("stream", "display_data", "execute_result", "error")
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")
# "/tmp/ipykernel_123/456.py:7: FutureWarning: ..." -> "FutureWarning: ...": cell file names differ.
# %%writefile says "Overwriting" when the file is there from an earlier run: the file system is state
# no kernel can roll back, and the file's content is the same either way.
_OVERWRITING = re.compile(r"^(\[stdout\] )?Overwriting (?=\S)", re.MULTILINE)
_WARNING_AT = re.compile(r"^(\[\w+\] )?\S+:\d+: (?=[A-Za-z_]\w*: )", re.MULTILINE)


# -- what a cell shows ------------------------------------------------------------------------------------


def shown(outputs: list[dict[str, Any]], folder: Path) -> str:
    """The text a person reads in a cell's output area, normalised."""
    parts = []
    stream = None  # the stream the last part came from: a stream's chunks join, as Jupyter shows them
    for out in outputs:
        if "text" in out:
            parts.append(out["text"] if out["name"] == stream else f"[{out['name']}] {out['text']}")
            stream = out["name"]
            continue
        stream = None
        if "data" in out:
            if "text/plain" in out["data"]:
                parts.append(f"[result] {out['data']['text/plain']}\n")
        elif "ename" in out:
            parts.append(f"[error] {out['ename']}: {out['evalue']}\n")
    return normalise("".join(parts), folder)


def normalise(text: str, folder: Path) -> str:
    text = text.replace("\r\n", "\n")  # a file with Windows line ends, printed by `!head`
    text = text.replace(os.path.realpath(folder), "<notebook folder>")
    text = _ADDRESS.sub("0x...", text)
    text = _OVERWRITING.sub(r"\1Writing ", text)
    return _WARNING_AT.sub(r"\1", text)


def printed(outputs: list[dict[str, Any]]) -> str:
    """What `reactive-kernel run` prints on stdout for these outputs: stdout, then results' text/plain."""
    parts = []
    for out in outputs:
        if out.get("output_type") == "stream" and out.get("name") == "stdout":
            parts.append(out["text"])
        elif out.get("output_type") in ("execute_result", "display_data") and "text/plain" in out["data"]:
            parts.append(out["data"]["text/plain"] + "\n")
    return "".join(parts)


@dataclass(frozen=True)
class Reference:
    """A notebook as plain ipykernel ran it, top to bottom."""

    cells: list[Any]  # every cell of the notebook (for naming cells as people see them)
    code: dict[str, int]  # code cell id -> its index in `cells`
    shows: dict[str, str]  # code cell id -> normalised output text
    stdout: str  # what a script run prints on stdout, normalised
    errors: list[str]  # "cell N: Ename: message" for every cell that raised


def copy_of(notebook: Path, tmp_path: Path, name: str) -> Path:
    """The notebook's folder (its data files too) in a fresh place, so runs cannot see each other's files."""
    folder = tmp_path / name
    shutil.copytree(notebook.parent, folder)
    return folder


@functools.cache
def reference(notebook: Path, folder: Path) -> Reference:
    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=TIMEOUT,
        allow_errors=True,
        resources={"metadata": {"path": folder}},
    )
    client.execute(env=ENV)
    code = {c.id: i for i, c in enumerate(nb.cells) if c.cell_type == "code"}
    errors = [
        f"{order.describe(nb.cells, i)}: {o['ename']}: {o['evalue']}"
        for i, c in enumerate(nb.cells)
        for o in c.get("outputs", [])
        if o["output_type"] == "error"
    ]
    stdout = "".join(printed(nb.cells[i].outputs) for i in code.values())
    return Reference(
        cells=nb.cells,
        code=code,
        shows={cid: shown(nb.cells[i].outputs, folder) for cid, i in code.items()},
        stdout=normalise(stdout, folder),
        errors=errors,
    )


@pytest.fixture(scope="module")
def reference_folder(tmp_path_factory):
    """One folder per notebook for the reference runs, shared by the three checks of a notebook."""
    root = tmp_path_factory.mktemp("reference")
    return lambda notebook: _reference_folder(root, notebook)


def _reference_folder(root: Path, notebook: Path) -> Path:
    folder = root / notebook.parent.name / notebook.stem
    if not folder.exists():
        shutil.copytree(notebook.parent, folder)
    return folder


def ids(notebook: Path) -> str:
    return f"{notebook.parent.name}/{notebook.stem}"


def diff(expected: str, got: str) -> str:
    lines = difflib.unified_diff(
        expected.splitlines(), got.splitlines(), "ipykernel", "reactive", lineterm="", n=1
    )
    text = "\n".join(lines)
    return text if len(text) < 1500 else text[:1500] + "\n..."


# -- the checks -------------------------------------------------------------------------------------------


def test_the_corpus_is_there():
    assert len(NOTEBOOKS) >= 20, NOTEBOOKS


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=ids)
def test_runs_top_to_bottom_on_ipykernel(notebook, reference_folder):
    ref = reference(notebook, reference_folder(notebook))
    if ref.errors:
        pytest.fail(f"{ids(notebook)} fails on plain ipykernel: {ref.errors}", pytrace=False)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=ids)
def test_reactive_kernel_run_prints_what_ipykernel_shows(notebook, reference_folder, tmp_path):
    ref = reference(notebook, reference_folder(notebook))
    folder = copy_of(notebook, tmp_path, "cli")
    result = subprocess.run(
        [sys.executable, "-m", "reactive_kernel", "run", notebook.name],
        cwd=folder,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=ENV,
        timeout=TIMEOUT,
    )
    got = normalise(result.stdout, folder)
    if (result.returncode, got) != (0, ref.stdout):
        pytest.fail(
            f"{ids(notebook)}: `reactive-kernel run` exited {result.returncode}\n"
            f"--- stderr\n{result.stderr[-3000:]}\n--- stdout against ipykernel's\n{diff(ref.stdout, got)}",
            pytrace=False,
        )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=ids)
def test_rerunning_any_cell_shows_what_a_top_to_bottom_run_shows(notebook, reference_folder, tmp_path):
    ref = reference(notebook, reference_folder(notebook))
    folder = copy_of(notebook, tmp_path, "reactive")
    fe = Frontend(cwd=str(folder), env=ENV)
    route_output_widgets(fe)
    try:
        fe.cells = {cid: ref.cells[i].source for cid, i in ref.code.items()}
        fe.sync()
        problems = run_all_in_order(fe, ref, folder)
        if not problems:
            problems = rerun_each_cell(fe, ref, folder)
    finally:
        fe.shutdown()
    if problems:
        first = "\n".join(problems[:5])
        pytest.fail(f"{ids(notebook)}: {len(problems)} problem(s), the first ones:\n{first}", pytrace=False)


def run_all_in_order(fe: Frontend, ref: Reference, folder: Path) -> list[str]:
    """Run each cell that is not fresh yet, in notebook order (a cascade may have run it already)."""
    latest: dict[str, Any] = {}
    for cid in ref.code:
        if fe.states.get(cid, {}).get("status") != "fresh":
            executions, runaway = run(fe, cid, limit=len(ref.code))
            latest.update(executions)
            if runaway:
                return [f"running {order.describe(ref.cells, ref.code[cid])}: {runaway}"]
    problems = []
    for cid, index in ref.code.items():
        name = order.describe(ref.cells, index)
        status = fe.states.get(cid, {}).get("status")
        if status != "fresh":
            why = fe.states.get(cid, {}).get("error") or ""
            problems.append(f"after running every cell: {name} is {status}: {why}".rstrip(": "))
        elif cid not in latest:
            problems.append(f"after running every cell: {name} is fresh but never ran")
        elif shown(latest[cid].outputs, folder) != ref.shows[cid]:
            got = shown(latest[cid].outputs, folder)
            problems.append(f"after running every cell: {name} differs\n{diff(ref.shows[cid], got)}")
    return problems


def rerun_each_cell(fe: Frontend, ref: Reference, folder: Path) -> list[str]:
    """Re-run one cell at a time; every cell that runs as a result must show the reference again."""
    problems = []
    for cid, index in ref.code.items():
        rerun = order.describe(ref.cells, index)
        executions, runaway = run(fe, cid, limit=len(ref.code))
        if runaway:
            return [f"re-running {rerun}: {runaway}"]
        for ran, execution in executions.items():
            got = shown(execution.outputs, folder)
            if got != ref.shows[ran]:
                name = order.describe(ref.cells, ref.code[ran])
                problems.append(f"after re-running {rerun}: {name} differs\n{diff(ref.shows[ran], got)}")
        stale = [c for c in ref.code if fe.states.get(c, {}).get("status") != "fresh"]
        if stale:
            names = ", ".join(f"{order.describe(ref.cells, ref.code[c])} ({fe.status(c)})" for c in stale[:5])
            problems.append(f"after re-running {rerun}: not fresh: {names}")
        if problems:
            break
    return problems


def route_output_widgets(fe: Frontend) -> None:
    """Outputs an ipywidgets Output widget captures go to the widget, not the cell, as in JupyterLab.

    The widget claims a request's outputs by setting its `msg_id` to the request's id (and lets go by
    setting it to ""); nbclient does the same for the reference run.
    """
    get = fe.kc.get_iopub_msg
    claimed: dict[str, str] = {}  # Output widget comm id -> the request whose outputs it takes

    def get_iopub_msg(*args: Any, **kwargs: Any) -> dict[str, Any]:
        while True:
            msg = get(*args, **kwargs)
            content = msg["content"]
            if msg["msg_type"] in ("comm_open", "comm_msg"):
                state = (content.get("data") or {}).get("state") or {}
                if "msg_id" in state:
                    claimed[content["comm_id"]] = state["msg_id"]
            elif msg["msg_type"] in _OUTPUT_TYPES and msg["parent_header"].get("msg_id") in claimed.values():
                continue
            return msg

    fe.kc.get_iopub_msg = get_iopub_msg


def run(fe: Frontend, cell_id: str, limit: int) -> tuple[dict[str, Any], str]:
    """`Frontend.run` (the cell, then the run lists), but a run list that never empties is a failure.

    Returns the latest execution of each cell that ran, and why the cascade was stopped (or "").
    """
    executions = {cell_id: fe.execute(cell_id, fe.cells[cell_id])}
    requests = 1
    while fe.run_list:
        nxt = fe.run_list.pop(0)
        if fe.states.get(nxt, {}).get("status") == "queued":
            requests += 1
            if requests > 2 * limit + 10:
                return executions, f"the kernel's run lists did not settle after {requests} requests"
            executions[nxt] = fe.execute(nxt, fe.cells[nxt])
    return executions, ""
