"""`reactive-kernel run` on marimo notebooks prints what marimo's script mode (`python notebook.py`) prints.

Each notebook below is run both ways, by this test, with the same arguments: standard output, the exit
status and a clean standard error must match. They use `mo.stop` (a stopped cell's descendants do not
run; unrelated cells do), `mo.cli_args()`, `mo.notebook_dir()` and the caches.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("marimo")

TIMEOUT = 120
ENV = {**os.environ, "PYTHONIOENCODING": "utf-8"}
HEADER = 'import marimo\n\n__generated_with = "0.25.2"\napp = marimo.App()\n'
FOOTER = '\n\nif __name__ == "__main__":\n    app.run()\n'


def notebook(*cells: tuple[str, str]) -> str:
    """A marimo file: each cell as (its parameters, its body)."""
    parts = [HEADER]
    for params, body in cells:
        lines = "".join(f"    {line}\n" if line else "\n" for line in body.split("\n"))
        parts.append(f"\n\n@app.cell\ndef _({params}):\n{lines}    return\n")
    return "".join(parts) + FOOTER


STOP = notebook(
    ("", "import marimo as mo"),
    ("mo", 'threshold = int(mo.cli_args().get("threshold") or 0)\nprint("threshold", threshold)'),
    (
        "mo, threshold",
        'mo.stop(threshold < 5, mo.md("**too small**"))\nprint("passed")\nlevel = threshold * 2',
    ),
    ("level", 'print("level", level)\ndoubled = level * 2'),
    ("doubled", 'print("doubled", doubled)'),
    ("threshold", 'print("unrelated", threshold)'),
    ("mo", 'print("folder", mo.notebook_dir().name)'),
)

CACHE = notebook(
    ("", "import marimo as mo"),
    (
        "mo",
        "@mo.cache\ndef square(x):\n    print('square', x)\n    return x * x\n\n"
        "@mo.lru_cache(maxsize=2)\ndef cube(x):\n    print('cube', x)\n    return x ** 3\n\n"
        "print(square(3), square(3), square(4), cube(2), cube(2))",
    ),
    (
        "mo",
        "@mo.persistent_cache\ndef slow(x):\n    print('slow', x)\n    return x + 1\n\n"
        "print(slow(1), slow(1))",
    ),
)


BLOCKS = notebook(
    ("", "import marimo as mo"),
    (
        "mo",
        'with mo.cache("squares") as c:\n    print("computing squares")\n'
        "    squares = [i * i for i in range(4)]\nprint(squares)",
    ),
    (
        "mo",
        'with mo.persistent_cache("cubes"):\n    print("computing cubes")\n'
        "    cubes = [i ** 3 for i in range(4)]\nprint(cubes)",
    ),
)


def run_both(path: Path, *args: str) -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess]:
    def run(program: list[str]) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*program, path.name, *args],
            cwd=path.parent,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=ENV,
            timeout=TIMEOUT,
        )

    return run([sys.executable]), run([sys.executable, "-m", "reactive_kernel", "run"])


@pytest.mark.parametrize(
    ("args", "expected", "shown"),
    [
        ((), ["threshold 0", "unrelated 0"], ["**too small**"]),
        (("--threshold", "7"), ["threshold 7", "passed", "level 14", "doubled 28", "unrelated 7"], []),
    ],
)
def test_mo_stop_skips_the_same_cells_as_script_mode(tmp_path, args, expected, shown):
    path = tmp_path / "gate" / "stop.py"
    path.parent.mkdir()
    path.write_text(STOP, encoding="utf-8")
    script, ours = run_both(path, *args)
    assert script.returncode == 0, script.stderr
    assert script.stdout.splitlines() == [*expected, "folder gate"]  # what marimo's script mode prints
    assert ours.returncode == 0 and ours.stderr == ""
    # The same lines; `reactive-kernel run` also prints outputs, as it does for every cell: here the
    # stopped cell's (mo.stop's second argument), in its place, where script mode prints none.
    assert ours.stdout.splitlines() == [*expected[:1], *shown, *expected[1:], "folder gate"]


def test_caches_compute_what_script_mode_computes(tmp_path):
    path = tmp_path / "cache.py"
    path.write_text(CACHE, encoding="utf-8")
    script, ours = run_both(path)
    assert script.returncode == 0, script.stderr
    assert "square 3\nsquare 4\ncube 2\n9 9 16 8 8\nslow 1\n2 2\n" == script.stdout
    assert ours.returncode == 0 and ours.stderr == ""
    assert ours.stdout == script.stdout.replace("slow 1\n", "")  # the persistent cache: on disk already
    assert list((tmp_path / "__marimo__" / "cache").rglob("*.pickle"))


def test_cache_blocks_print_what_script_mode_prints(tmp_path):
    path = tmp_path / "blocks.py"
    path.write_text(BLOCKS, encoding="utf-8")
    script, ours = run_both(path)
    assert script.returncode == 0, script.stderr
    assert script.stdout == "computing squares\n[0, 1, 4, 9]\ncomputing cubes\n[0, 1, 8, 27]\n"
    assert ours.returncode == 0 and ours.stderr == ""
    assert ours.stdout == script.stdout.replace("computing cubes\n", "")  # the block's results: on disk
    assert list((tmp_path / "__marimo__" / "cache" / "cubes").rglob("*"))
