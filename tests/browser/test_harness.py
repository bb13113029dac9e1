"""The browser harness on today's JupyterLab, without the reactive extension: open, run, read, reload."""

from __future__ import annotations


def test_runs_a_cell_on_the_reactive_kernel_and_reads_its_output(lab, notebook_name):
    lab.notebook(notebook_name, {"intro": "md:# harness", "a": "x = 6 * 7", "b": "print(x)"})
    assert lab.ids() == ["intro", "a", "b"]
    assert lab.cell("b").get_attribute("data-windowed-list-index") == "2"
    lab.run("a")
    lab.wait_idle()
    lab.run("b")
    lab.wait_output("b", "42")
    assert lab.output("a") == ""


def test_reactive_magic_shows_the_cells_defs(lab, notebook_name):
    lab.notebook(notebook_name, {"a": "n = 10", "b": "total = n * 2\n%reactive"})
    lab.run("a")
    lab.wait_idle()
    lab.run("b")
    lab.wait_output("b", "defs: total", exact=False)
    assert "refs: n" in lab.output("b") and "parents: #1 (n)" in lab.output("b")


def test_edit_and_delete_cells_by_id(lab, notebook_name):
    lab.notebook(notebook_name, {"a": "x = 1", "b": "print(x)", "c": "print('c')"})
    lab.edit("a", "x = [1, (2, 3)]\nx = len(x)")
    assert lab.source("a") == "x = [1, (2, 3)]\nx = len(x)"
    lab.delete("b")
    assert lab.ids() == ["a", "c"]
    lab.run("c")
    lab.wait_output("c", "c")


def test_reload_keeps_outputs_and_the_kernel(lab, notebook_name):
    lab.notebook(notebook_name, {"a": "x = 'kept'", "b": "print(x)"})
    lab.run("a")
    lab.wait_idle()
    lab.run("b")
    lab.wait_output("b", "kept")
    kernels = {s["kernel"]["id"] for s in lab.server.sessions(lab.path)}
    lab.reload()
    assert lab.output("b") == "kept"
    assert {s["kernel"]["id"] for s in lab.server.sessions(lab.path)} == kernels
    lab.edit("b", "print(x, 'again')")
    lab.run("b")
    lab.wait_output("b", "kept again")


def test_interrupt_stops_a_running_cell(lab, notebook_name):
    lab.notebook(notebook_name, {"a": "import time\ntime.sleep(60)"})
    lab.run("a")
    lab.page.locator(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='busy']").first.wait_for()
    lab.interrupt()
    lab.wait_output("a", "KeyboardInterrupt", exact=False)


def test_commands_run_through_the_app(lab, notebook_name):
    lab.notebook(notebook_name, {"a": "print('all')"})
    assert lab.has_command("notebook:run-all-cells")
    lab.command("notebook:run-all-cells")
    lab.wait_output("a", "all")


def test_commands_run_through_the_palette(lab, notebook_name):
    lab.notebook(notebook_name, {"a": "print('palette')"})
    lab.select("a")
    lab.palette("Run All Cells")
    lab.wait_output("a", "palette")
