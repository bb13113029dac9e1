"""Cached cells on a real kernel: restored when source and inputs are unchanged, re-run otherwise.

A cached cell prints a random number: a restored output repeats it exactly, a real run cannot.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.frontend import Frontend

ROLL = "import random\nroll = random.random()\nprint(x, roll)"


@pytest.fixture
def fe():
    frontend = Frontend()
    yield frontend
    frontend.shutdown()


def notebook(fe: Frontend, x: str = "x = 1", mode: str = "memory", **more: str) -> None:
    fe.cells.update({"a": x, "b": ROLL, **more})
    fe.cache["b"] = mode
    fe.sync()


def output_of(results: dict, cell_id: str) -> str:
    return results[cell_id].text if not isinstance(results[cell_id], list) else results[cell_id][-1].text


def value(fe: Frontend, expression: str) -> str:
    return fe.execute(None, f"print({expression})").stdout.strip()


def test_unchanged_source_and_inputs_restore_outputs_and_globals(fe):
    notebook(fe)
    first = fe.run("a")["b"]
    roll = value(fe, "roll")
    again = fe.run("a")["b"]  # x = 1 again: b's input has the same content
    assert again.status == "ok" and again.text == first.text
    assert fe.states["b"]["cached"] is True and fe.status("b") == "fresh"
    assert value(fe, "roll") == roll, "the restored global is the one the cached run made"
    assert again.reply["execution_count"] > first.reply["execution_count"]


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"a": "x = 2"}, "an input's value changed"),
        ({"b": ROLL + "\n"}, "the cell's source changed"),
    ],
    ids=["input", "source"],
)
def test_a_changed_input_or_source_runs_the_cell(fe, change, why):
    notebook(fe)
    first = fe.run("a")["b"]
    fe.cells.update(change)
    fe.sync()
    rerun = fe.run("a")["b"] if "a" in change else fe.execute("b", fe.cells["b"])
    assert rerun.text != first.text, why
    assert fe.states["b"]["cached"] is False


def test_a_cell_without_the_option_always_runs(fe):
    notebook(fe, mode="off")
    first = fe.run("a")["b"]
    assert fe.run("a")["b"].text != first.text
    assert fe.states["b"]["cached"] is False


def test_a_result_is_replayed_with_the_new_execution_count(fe):
    fe.cells.update({"a": "x = 3", "b": "import random\nrandom.random() + x"})
    fe.cache["b"] = "memory"
    fe.sync()
    first = fe.run("a")["b"]
    again = fe.run("a")["b"]
    results = [o for o in again.outputs if "execution_count" in o]
    assert again.text == first.text and results[0]["execution_count"] == again.reply["execution_count"]


def test_an_input_that_cannot_be_fingerprinted_runs_the_cell_and_says_why(fe):
    notebook(fe, x="class Box:\n    pass\nx = Box()")
    first = fe.run("a")["b"]
    assert "not cached, it runs every time: 'x' (a Box) cannot be fingerprinted" in first.stderr
    assert fe.run("a")["b"].stdout != first.stdout


def test_a_failed_run_is_not_cached(fe):
    fe.cells.update({"a": "x = 0", "b": "import random\nprint(random.random())\n1 / x"})
    fe.cache["b"] = "memory"
    fe.sync()
    first = fe.run("a")["b"]
    again = fe.run("a")["b"]
    assert first.status == again.status == "error"
    assert again.stdout != first.stdout
    assert fe.states["b"]["cached"] is False


def test_numpy_and_pandas_inputs_are_compared_by_content(fe):
    pytest.importorskip("pandas")
    make = "import numpy as np, pandas as pd\nx = (np.arange(5), pd.DataFrame({'v': [1, 2]}))"
    notebook(fe, x=make)
    first = fe.run("a")["b"]
    assert fe.run("a")["b"].text == first.text  # new objects, same content
    fe.cells["a"] = make.replace("[1, 2]", "[1, 3]")
    fe.sync()
    assert fe.run("a")["b"].text != first.text


def test_the_disk_cache_survives_a_kernel_restart(tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    before = Frontend(env=env)
    try:
        notebook(before, mode="disk")
        first = before.run("a")["b"]
    finally:
        before.shutdown()
    assert list((tmp_path / "reactive_kernel" / "cells").rglob("*.pickle")), "nothing was written to disk"
    after = Frontend(env=env)
    try:
        notebook(after, mode="disk")
        restored = after.run("a")["b"]
        assert restored.text == first.text and after.states["b"]["cached"] is True
    finally:
        after.shutdown()


def test_a_memory_cache_does_not_survive_a_restart(tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    outputs = []
    for _ in range(2):
        fe = Frontend(env=env)
        try:
            notebook(fe, mode="memory")
            outputs.append(fe.run("a")["b"].text)
        finally:
            fe.shutdown()
    assert outputs[0] != outputs[1]
    assert not (tmp_path / "reactive_kernel").exists()


# -- the disk cache's checks and its size bound, on a real kernel ------------------------------------------


def cells_dir(tmp_path) -> Path:
    return tmp_path / "reactive_kernel" / "cells"


def first_run_on_disk(tmp_path, env: dict) -> str:
    """Run the notebook once with b cached on disk, in a kernel of its own; b's output."""
    fe = Frontend(env=env)
    try:
        notebook(fe, mode="disk")
        return fe.run("a")["b"].text
    finally:
        fe.shutdown()


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_a_cache_file_another_user_owns_is_not_loaded_and_the_cell_says_so_once(tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    first = first_run_on_disk(tmp_path, env)
    (pickled,) = cells_dir(tmp_path).rglob("*.pickle")
    os.chown(pickled, 65534, -1)
    fe = Frontend(env=env)
    try:
        notebook(fe, mode="disk", c="y = x")
        rerun = fe.run("a")["b"]
        assert rerun.status == "ok" and rerun.stdout != first, "the foreign pickle was loaded"
        assert fe.states["b"]["cached"] is False
        note = f"reactive_kernel: not loading cached results from disk: {pickled} belongs to user id 65534"
        assert rerun.stderr.count(note) == 1, rerun.stderr
        assert pickled.stat().st_uid == os.geteuid()  # the run's own results replaced it
        fe.cells["a"] = "x = 2"
        fe.sync()
        assert note not in fe.run("a")["b"].stderr  # told once
    finally:
        fe.shutdown()


def test_a_cache_folder_others_can_write_is_not_used_and_the_cell_says_so_once(tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    first = first_run_on_disk(tmp_path, env)
    cells_dir(tmp_path).chmod(0o777)
    fe = Frontend(env=env)
    try:
        notebook(fe, mode="disk")
        rerun = fe.run("a")["b"]
        assert rerun.stdout != first and fe.states["b"]["cached"] is False
        folder = cells_dir(tmp_path)
        note = f"the folder {folder} is writable by its group and others (chmod go-w {folder})"
        assert rerun.stderr.count(note) == 1, rerun.stderr
        fe.cells["a"] = "x = 2"
        fe.sync()
        assert note not in fe.run("a")["b"].stderr
    finally:
        fe.shutdown()


BIG = "blob = bytes(200_000 + x)\nprint(len(blob))"  # ~200 kB pickled
THREE = {"b": BIG, "c": BIG.replace("blob", "blob2"), "d": BIG.replace("blob", "blob3")}


def test_the_disk_cache_keeps_under_its_bound_by_dropping_the_least_recently_used(tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    bound = ["--ReactiveKernel.cache_max_bytes=500000"]  # room for two of the three results
    fe = Frontend(env=env, extra_arguments=bound)
    try:
        fe.cells.update({"a": "x = 1", **THREE})
        fe.cache.update(dict.fromkeys(THREE, "disk"))
        fe.sync()
        fe.run("a")  # b, c, d run in that order: d's write evicts b, the least recently used
        sizes = [p.stat().st_size for p in cells_dir(tmp_path).rglob("*.pickle")]
        assert len(sizes) == 2 and sum(sizes) <= 500_000, sizes
    finally:
        fe.shutdown()
    fe = Frontend(env=env, extra_arguments=bound)
    try:
        fe.cells.update({"a": "x = 1", "d": THREE["d"], "b": THREE["b"]})  # d is looked up first
        fe.cache.update({"d": "disk", "b": "disk"})
        fe.sync()
        fe.run("a")
        assert fe.states["d"]["cached"] is True  # kept, and now the most recently used
        assert fe.states["b"]["cached"] is False  # evicted: it ran, and its write evicted c, not d
        assert len(list(cells_dir(tmp_path).rglob("*.pickle"))) == 2
    finally:
        fe.shutdown()


def test_deleting_a_cached_cell_lets_its_results_go(fe):
    fe.cells.update({"a": "x = list(range(10))", "b": "y = len(x)"})
    fe.cache["b"] = "memory"
    fe.sync()
    fe.run("a")
    probe = "print('b' in get_ipython().kernel.cell_cache)"
    assert fe.execute(None, probe).stdout == "True\n"
    del fe.cells["b"]
    fe.sync()
    assert fe.execute(None, probe).stdout == "False\n"
