"""The notebooks in examples/ run as scripts with `reactive-kernel run` (a real kernel), the tour says the
same thing in each of its three formats, and its slider drives its plot on the kernel."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from reactive_kernel.headless.notebook_io import read_notebook
from tests.frontend import Frontend

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TOURS = ["reactive_tour.ipynb", "reactive_tour.py", "reactive_tour_marimo.py"]
# What the tour prints, as lines (rich outputs as their text: the slider, the figure). Cells run in dependency
# order, so the formats may interleave independent cells differently.
TOUR_LINES = [
    "sum of 10 squares: 285",
    "10 squares: first [0, 1, 4], mean 28.5",
    "FloatSlider(value=1.0, description='freq', max=5.0, min=0.5, step=0.5)",
    "<Figure size 600x250 with 1 Axes>",
]


def run(*args: str) -> subprocess.CompletedProcess:
    """`reactive-kernel run ...` from the repository root, as the README shows it."""
    command = [sys.executable, "-m", "reactive_kernel", "run", *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180)


@pytest.mark.parametrize("name", TOURS)
def test_the_tour_runs_as_a_script_in_every_format(name):
    result = run(f"examples/{name}")
    assert result.returncode == 0, result.stderr
    assert sorted(result.stdout.splitlines()) == sorted(TOUR_LINES), result.stdout
    assert result.stdout.index("sum of") < result.stdout.index("10 squares:")  # parents first


def test_the_tour_has_the_same_code_in_every_format():
    def code(name: str) -> list[str]:
        cells = read_notebook(str(EXAMPLES / name)).cells
        return sorted(c.source for c in cells if c.cell_type == "code" and not c.source.startswith("#"))

    assert code(TOURS[0]) == code(TOURS[1]) == code(TOURS[2])
    assert len(code(TOURS[0])) == 9


def test_the_tours_slider_drives_its_plot_without_callbacks():
    """What JupyterLab does when you drag the tour's slider, played by the scripted frontend: the kernel
    asks to run the plot cell, and only it, and the plot it draws reads the new value."""
    pytest.importorskip("ipywidgets")
    pytest.importorskip("matplotlib")
    nb = read_notebook(str(EXAMPLES / TOURS[0]))
    code = {c.id: c.source for c in nb.cells if c.cell_type == "code"}
    plot = next(i for i, source in code.items() if "freq.value" in source)
    assert "observe" not in "".join(code.values())
    fe = Frontend()
    try:
        fe.cells.update(code)
        fe.sync()
        for cell in code:
            if fe.status(cell) != "fresh":
                fe.run(cell)
        assert set(fe.statuses().values()) == {"fresh"}, fe.statuses()
        model = fe.execute(None, "print(freq.model_id)").stdout.strip()
        fe.run_list = []
        # What the slider's view sends when it is dragged to 3.5:
        dragged = {"method": "update", "state": {"value": 3.5}, "buffer_paths": []}
        fe._request("comm_msg", {"comm_id": model, "data": dragged})
        assert fe.run_list == [plot]
        outputs = fe.execute(plot, code[plot]).outputs
        assert any("image/png" in o.get("data", {}) for o in outputs), outputs
        assert fe.execute(None, "print(freq.value)").stdout == "3.5\n"
        assert fe.statuses() == dict.fromkeys(code, "fresh")
    finally:
        fe.shutdown()


def test_the_percent_tour_has_a_cell_before_its_inputs():
    cells = [c for c in read_notebook(str(EXAMPLES / "reactive_tour.py")).cells if c.cell_type == "code"]
    assert cells[0].source.startswith('print(f"{n} {label}')


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], ["     4  the", "     2  fox", "     2  dog", "     1  quick", "     1  brown"]),
        (["--", "--top", "2"], ["     4  the", "     2  fox"]),
        (["--", "{words}", "--top", "1"], ["     3  pear"]),
        (["--", "{words}", "{words}"], ["     6  pear", "     2  plum"]),
    ],
    ids=["sample", "top-2", "file", "two-files"],
)
def test_wordcount_takes_its_arguments_from_the_command_line(args, expected, tmp_path):
    words = tmp_path / "words.txt"
    words.write_text("Pear plum pear\nPEAR\n", encoding="utf-8")
    result = run("examples/wordcount.py", *(a.format(words=words) for a in args))
    assert (result.returncode, result.stdout.splitlines()) == (0, expected), result.stderr


def test_wordcount_rejects_a_bad_argument_with_its_own_usage():
    result = run("examples/wordcount.py", "--", "--top", "many")
    assert result.returncode == 2
    assert "wordcount: error: argument --top: invalid int value: 'many'" in result.stderr
