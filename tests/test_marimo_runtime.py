"""marimo's runtime on a real reactive kernel: mo.stop, the runtime context, marimo's HTML as outputs.

Each test drives a kernel the way the JupyterLab extension does (tests/frontend.py). The snippets are
the ones marimo's documentation gives for each API, or small notebooks written for these tests.
"""

from __future__ import annotations

import os
import re

import pytest

from tests.frontend import Frontend

pytest.importorskip("marimo")

IMPORT = "import marimo as mo"


@pytest.fixture
def fe(tmp_path):
    frontend = Frontend(cwd=str(tmp_path))
    yield frontend
    frontend.shutdown()


def html_of(execution) -> str:
    return "".join(o["data"].get("text/html", "") for o in execution.outputs if "data" in o)


# ---- mo.stop ---------------------------------------------------------------------------------------


def stop_notebook(fe: Frontend, flag: str) -> None:
    fe.cells.update(
        {
            "imp": IMPORT,
            "flag": f"ready = {flag}",
            "gate": 'mo.stop(not ready, mo.md("**Submit the form to continue.**"))\nprint("went on")\nz = 1',
            "below": "print('below', z)",
            "further": "print('further', z + 1)",
            "other": "print('other', ready)",
        }
    )
    fe.titles["gate"] = "gate"
    fe.sync()


def test_mo_stop_shows_its_output_ends_the_cell_and_blocks_its_descendants_naming_it(fe):
    stop_notebook(fe, "False")
    ran = fe.run("imp")
    gate = ran["gate"]
    assert gate.status == "ok"
    assert "went on" not in gate.stdout
    assert not any(o.get("ename") for o in gate.outputs)  # no traceback
    assert "<strong>Submit the form to continue.</strong>" in html_of(gate)
    assert "below" not in ran and "further" not in ran and ran["other"].stdout == "other False\n"
    assert fe.status("gate") == "fresh"
    for cell in ("below", "further"):
        assert fe.status(cell) == "blocked"
        assert fe.shown(fe.states[cell]["error"]) == "cell #3 (gate) stopped with mo.stop"


def test_a_stopped_cell_that_runs_to_its_end_runs_its_descendants_again(fe):
    stop_notebook(fe, "False")
    fe.run("imp")
    fe.cells["flag"] = "ready = True"
    fe.sync()
    ran = fe.run("flag")
    assert ran["gate"].stdout == "went on\n" and not html_of(ran["gate"])
    assert ran["below"].stdout == "below 1\n" and ran["further"].stdout == "further 2\n"
    assert {c: fe.status(c) for c in ("gate", "below", "further")} == dict.fromkeys(
        ("gate", "below", "further"), "fresh"
    )


def test_mo_stop_without_output_shows_nothing_and_a_false_predicate_does_nothing(fe):
    fe.execute(None, IMPORT)
    quiet = fe.execute("a", "mo.stop(True)\nprint('no')")
    assert quiet.status == "ok" and quiet.outputs == []
    assert fe.execute("b", "mo.stop(False)\nprint('yes')").stdout == "yes\n"


def test_mo_stop_outside_the_graph_ends_a_console_execution_quietly(fe):
    console = fe.execute(None, f"{IMPORT}\nmo.stop(True, 'stopped here')\nprint('no')")
    assert console.status == "ok"
    assert [o["data"]["text/plain"] for o in console.outputs] == ["'stopped here'"]


def test_other_exceptions_still_raise_and_name_errors_still_name_the_deleted_cell(fe):
    fe.cells.update({"imp": IMPORT, "x": "x = 1", "y": "print(x)"})
    fe.sync()
    fe.run("imp")
    fe.run("x")
    boom = fe.execute("boom", "raise ValueError('boom')")
    assert boom.status == "error" and boom.reply["ename"] == "ValueError"
    del fe.cells["x"]
    fe.sync()
    missing = fe.execute("y", "print(x)")
    assert missing.reply["ename"] == "NameError" and "was deleted" in missing.reply["evalue"]


# ---- runtime context -------------------------------------------------------------------------------


def test_marimo_is_loaded_only_once_a_cell_uses_it(fe):
    assert fe.execute("a", "import sys\nprint('marimo' in sys.modules)").stdout == "False\n"
    assert fe.execute("b", f"{IMPORT}\nprint(type(__builtins__).__name__)").stdout == "dict\n"


def test_mo_cache_and_lru_cache_compute_once_per_argument(fe):
    fe.execute(None, IMPORT)
    code = (
        "@mo.cache\n"
        "def double(x):\n"
        "    print('double', x)\n"
        "    return 2 * x\n"
        "@mo.lru_cache(maxsize=8)\n"
        "def triple(x):\n"
        "    print('triple', x)\n"
        "    return 3 * x\n"
        "print(double(2), double(2), double(3), triple(2), triple(2))"
    )
    run = fe.execute("c", code)
    assert run.status == "ok", run.reply
    assert run.stdout == "double 2\ndouble 3\ntriple 2\n4 4 6 6 6\n"


def test_mo_persistent_cache_keeps_results_on_disk_beside_the_notebook(fe, tmp_path):
    fe.execute(None, IMPORT)
    code = "@mo.persistent_cache\ndef slow(x):\n    print('computing', x)\n    return x * 10\nprint(slow(4))"
    assert fe.execute("p", code).stdout == "computing 4\n40\n"
    assert list((tmp_path / "__marimo__" / "cache").rglob("*.pickle"))
    assert fe.execute("p", code).stdout == "40\n"  # a new function object: the result comes from disk


def test_mo_cache_and_persistent_cache_blocks_compute_once_and_are_reused_on_rerun(fe, tmp_path):
    # marimo's block forms find the running cell's code in its graph (script mode reads it from the file).
    fe.execute(None, IMPORT)
    memory = (
        'with mo.cache("squares") as c:\n    print("computing squares")\n'
        "    squares = [i * i for i in range(4)]\nprint(squares)"
    )
    disk = (
        'with mo.persistent_cache("cubes"):\n    print("computing cubes")\n'
        "    cubes = [i ** 3 for i in range(4)]\nprint(cubes)"
    )
    first = fe.execute("m", memory)
    assert first.status == "ok", first.reply
    assert first.stdout == "computing squares\n[0, 1, 4, 9]\n"
    assert fe.execute("m", memory).stdout == "[0, 1, 4, 9]\n"  # re-run: restored, not computed
    assert fe.execute("d", disk).stdout == "computing cubes\n[0, 1, 8, 27]\n"
    assert list((tmp_path / "__marimo__" / "cache" / "cubes").rglob("*"))
    assert fe.execute("d", disk).stdout == "[0, 1, 8, 27]\n"


def test_a_traceback_shows_the_lines_of_the_cell_that_raised_once_marimo_is_on(fe):
    # Cells are named for marimo's cache while it is on; each keeps its own lines in tracebacks.
    fe.execute(None, IMPORT)
    fe.execute("f", "def fail():\n    raise ValueError('raised in f')")
    run = fe.execute("g", "x = 1\ny = 2\nfail()")
    assert run.status == "error"
    shown = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(run.reply["traceback"]))
    assert "fail()" in shown and "raise ValueError('raised in f')" in shown
    # the name is the compiler's only: the running cell (and what it starts) does not see it
    assert fe.execute("e", "import os\nprint(os.environ.get('IPYKERNEL_CELL_NAME'))").stdout == "None\n"


def test_app_meta_notebook_dir_and_cli_args_answer_as_in_script_mode(fe, tmp_path):
    fe.execute(None, IMPORT)
    asked = ("mo.app_meta().mode", "mo.notebook_dir()", "mo.notebook_location()", "dict(mo.cli_args())")
    code = "\n".join(f"print({expression})" for expression in asked)
    run = fe.execute("m", code)
    assert run.status == "ok", run.reply
    assert run.stdout.split("\n") == ["script", str(tmp_path), str(tmp_path), "{}", ""]  # no args here


def test_mo_state_getter_and_setter(fe):
    fe.execute(None, IMPORT)
    run = fe.execute("s", "get, set_ = mo.state(1)\nset_(lambda v: v + 41)\nprint(get())")
    assert run.stdout == "42\n"


def test_mo_output_replace_and_append_update_one_output_of_the_cell(fe):
    fe.execute(None, IMPORT)
    run = fe.execute(
        "o",
        'mo.output.replace(mo.md("first"))\nmo.output.append(mo.md("second"))\nmo.output.replace(mo.md("third"))',
    )
    assert run.status == "ok", run.reply
    shown = [o for o in run.outputs if o.get("data")]
    # One output, shown as a frontend shows it once it applied the updates below (tests/frontend.py does)
    assert len(shown) == 1 and "third" in shown[0]["data"]["text/html"]
    display_id = shown[0]["transient"]["display_id"]
    updates = [u for u in fe.display_updates if u["transient"]["display_id"] == display_id]
    texts = [re.sub(r"<[^>]+>", " ", u["data"]["text/html"]).split() for u in updates]
    assert texts == [["first", "second"], ["third"]]


def test_mo_output_clear_empties_it(fe):
    fe.execute(None, IMPORT)
    fe.execute("o", 'mo.output.replace("x")\nmo.output.clear()')
    assert fe.display_updates[-1]["data"]["text/html"] == ""


# ---- marimo's HTML ---------------------------------------------------------------------------------

LAYOUTS = [
    ('mo.md("# Title\\n\\n*hi* $x^2$")', ["<h1", "<em>hi</em>", r"\(x^2\)"]),
    ('mo.hstack([mo.md("**a**"), "b"])', ["flex-direction: row", "<strong>a</strong>"]),
    ('mo.vstack([mo.md("**a**"), "b"])', ["flex-direction: column", "<strong>a</strong>"]),
    ('mo.ui.tabs({"One": mo.md("first"), "Two": "second"})', ["<details open><summary>", "first", "second"]),
    ('mo.accordion({"More": mo.md("hidden *text*")})', ["<details><summary>", "<em>text</em>"]),
    ('mo.callout(mo.md("**careful**"), kind="warn")', ["marimo-callout", "<strong>careful</strong>"]),
]


@pytest.mark.parametrize(("code", "shown"), LAYOUTS)
def test_markdown_and_layouts_render_as_plain_html(fe, code, shown):
    fe.execute(None, IMPORT)
    run = fe.execute("l", code)
    html = html_of(run)
    for piece in shown:
        assert piece in html
    assert "<marimo-" not in html  # JupyterLab knows none of marimo's custom elements
    assert not any("text/markdown" in o.get("data", {}) for o in run.outputs)


def test_markdown_reads_as_its_text_where_only_text_is_shown(fe):
    fe.execute(None, IMPORT)
    run = fe.execute("t", 'mo.md("**bold** words")')
    assert run.outputs[0]["data"]["text/plain"] == "**bold** words"


def test_a_marimo_the_bridge_does_not_know_leaves_the_kernel_working_and_says_so(tmp_path):
    # A package named marimo without marimo's runtime (what a future marimo that moved it would look like)
    fake = tmp_path / "site" / "marimo"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("__version__ = '99.0'\ndef md(text):\n    return text\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(fake.parent), os.environ.get("PYTHONPATH", "")])}
    frontend = Frontend(cwd=str(tmp_path), env=env)
    try:
        first = frontend.execute("a", "import marimo as mo\nprint(mo.md('still runs'))")
        assert first.status == "ok" and first.stdout == "still runs\n"
        assert "reactive_kernel: marimo 99.0 is not one this kernel supports" in first.stderr
        again = frontend.execute("b", "print(mo.__version__)")
        assert again.stdout == "99.0\n" and again.stderr == ""  # said once
    finally:
        frontend.shutdown()


def test_notebook_dir_is_the_folder_of_the_notebook_jupyter_names(tmp_path):
    # jupyter_server tells a kernel its notebook's path in JPY_SESSION_NAME; the kernel may run elsewhere
    notebook = tmp_path / "project" / "analysis.py"
    notebook.parent.mkdir()
    notebook.write_text("")
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    frontend = Frontend(cwd=str(elsewhere), env={**os.environ, "JPY_SESSION_NAME": str(notebook)})
    try:
        run = frontend.execute("a", f"{IMPORT}\nprint(mo.notebook_dir())")
        assert run.stdout == f"{notebook.parent}\n"
    finally:
        frontend.shutdown()


def test_setting_mo_state_reruns_the_cells_that_read_it_but_not_the_one_that_set_it(fe):
    # marimo's documentation: calling the setter re-runs the cells that reference the getter, except the
    # cell that called it (unless allow_self_loops=True)
    fe.cells.update(
        {
            "imp": IMPORT,
            "make": "get_count, set_count = mo.state(0)",
            "show": "print('count', get_count())",
            "bump": "set_count(lambda v: v + 1)\nprint('bumped to', get_count())",
        }
    )
    fe.sync()
    ran = fe.run("imp")
    assert ran["show"].stdout in ("count 0\n", "count 1\n")
    assert ran["bump"].stdout.startswith("bumped to")
    before = fe.execute(None, "print(get_count())").stdout
    ran = fe.run("bump")
    after = int(before) + 1
    assert ran["bump"].stdout == f"bumped to {after}\n"
    assert list(ran) == ["bump", "show"] and ran["show"].stdout == f"count {after}\n"  # not bump again


def test_a_state_set_from_a_console_reruns_its_readers(fe):
    fe.cells.update({"imp": IMPORT, "make": "get_n, set_n = mo.state(1)", "show": "print('n', get_n())"})
    fe.sync()
    fe.run("imp")
    fe.run_list = []
    fe.execute(None, "set_n(7)")
    assert fe.run_list == ["show"]
    assert fe.execute("show", fe.cells["show"]).stdout == "n 7\n"


def test_a_state_set_by_a_widget_callback_between_cells_reruns_its_readers(fe):
    # what a UI element's on_change does: the setter runs in the kernel's handling of a browser message
    pytest.importorskip("ipywidgets")
    fe.cells.update(
        {
            "imp": IMPORT,
            "make": "get_n, set_n = mo.state(1)",
            "w": "import ipywidgets\nknob = ipywidgets.IntSlider(value=1)\n"
            "knob.observe(lambda change: set_n(change['new']), 'value')",
            "show": "print('n', get_n())",
        }
    )
    fe.sync()
    fe.run("imp")
    knob = fe.execute(None, "print(knob.model_id)").stdout.strip()
    fe.run_list = []
    content = {"comm_id": knob, "data": {"method": "update", "state": {"value": 5}, "buffer_paths": []}}
    fe._request("comm_msg", content)
    assert fe.run_list == ["show"]
    assert fe.execute("show", fe.cells["show"]).stdout == "n 5\n"
