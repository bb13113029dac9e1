"""Tests of the `reactive-kernel` command: `run`, `convert` and `export` on real files.

`run` and `export` start the real `reactive-python` kernel (about 3 s each), so their tests run the
command in a new process (`python -m reactive_kernel`, or the installed console script) and check several
things per run. Everything that starts no kernel calls the command's `main(argv)` in this process, its
output captured: --help and usage errors, unreadable files, notebooks refused before anything runs
(syntax errors, globals defined twice, cycles), outputs that cannot be written, and `convert`, which never
executes anything. Those are table-driven. A few tests run the console script end to end.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import io
import os
import runpy
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from reactive_kernel.cli import main

SCRIPT = Path(sys.executable).parent / "reactive-kernel"
TIMEOUT = 120  # seconds for one command, kernel start included
ENV = {**os.environ, "PYTHONIOENCODING": "utf-8"}
KERNEL_NAME = "reactive-python"


# -- helpers ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """What a command did: its exit status and what it wrote (a CompletedProcess for `command`)."""

    returncode: int
    stdout: str
    stderr: str


def cli(*args, cwd) -> Result:
    """Run `reactive-kernel ARGS` in `cwd` in this process: `main(argv)`, its output captured.

    For commands that start no kernel; a `unit` test that starts one anyway fails (tests/tiers.py)."""
    out, err = io.StringIO(), io.StringIO()
    before, columns = os.getcwd(), os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "80"  # argparse wraps --help at this width, as in a process with no terminal
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main([str(arg) for arg in args])
    finally:
        os.chdir(before)
        if columns is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = columns
    return Result(status, out.getvalue(), err.getvalue())


def command(*args, cwd, script: bool = False) -> subprocess.CompletedProcess:
    """Run `reactive-kernel ARGS` in `cwd` in a new process: `python -m reactive_kernel`, or the console
    script."""
    program = [str(SCRIPT)] if script else [sys.executable, "-m", "reactive_kernel"]
    return subprocess.run(
        [*program, *(str(arg) for arg in args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=ENV,
        timeout=TIMEOUT,
    )


def output(result: Result | subprocess.CompletedProcess) -> str:
    """Both streams and the exit status, for assertion messages."""
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}--- stderr\n{result.stderr}"


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def percent(text: str) -> str:
    """A percent-format notebook written as an indented triple-quoted string."""
    return textwrap.dedent(text).lstrip("\n")


def marimo(*cells: str) -> str:
    """A marimo notebook file: the usual header, the given cells (setup block or `@app.cell`s), the guard."""
    body = "\n\n".join(textwrap.dedent(cell).strip("\n") + "\n" for cell in cells)
    header = 'import marimo\n\n__generated_with = "0.25.2"\napp = marimo.App()\n\n\n'
    return header + body + '\n\nif __name__ == "__main__":\n    app.run()\n'


def ipynb(*cells, **metadata) -> str:
    return nbformat.writes(new_notebook(cells=list(cells), metadata=metadata))


def code(source: str, **metadata):
    return new_code_cell(source, metadata=metadata)


def cells_of(path: Path, fmt: str | None = None) -> list[tuple[str, str]]:
    """(cell type, source) of each cell of a notebook file; `.py` files are read through `convert -o -`."""
    if (fmt or path.suffix.lstrip(".")) == "ipynb":
        nb = nbformat.read(path, as_version=4)
    else:
        result = cli("convert", path, "-o", "-", "--to", "ipynb", cwd=path.parent)
        assert result.returncode == 0, output(result)
        nb = nbformat.reads(result.stdout, as_version=4)
    nbformat.validate(nb)
    return [(cell.cell_type, cell.source) for cell in nb.cells]


def without_timing(stdout: str) -> list[str]:
    """stdout's lines without what `%time` prints, which differs on every run."""
    return [line for line in stdout.splitlines() if not line.startswith(("CPU times:", "Wall time:"))]


# -- --help, --version and usage errors (no kernel) -----------------------------------------------------


@pytest.mark.parametrize(
    ("args", "usage", "mentions"),
    [
        (["--help"], "usage: reactive-kernel [-h] [--version] COMMAND", "reactive-kernel run analysis.py --"),
        (
            ["-h"],
            "usage: reactive-kernel [-h] [--version] COMMAND",
            "run every cell once, in dependency order",
        ),
        (["run", "--help"], "usage: reactive-kernel run [-h] NOTEBOOK ...", "sys.argv[1:]"),
        (["convert", "--help"], "usage: reactive-kernel convert", "--to {ipynb,percent,marimo}"),
        (["export", "--help"], "usage: reactive-kernel export", "--allow-errors"),
        (["app", "--help"], "usage: reactive-kernel app [-h] [--port PORT] [--no-browser]", "never code"),
    ],
    ids=["top", "top-h", "run", "convert", "export", "app"],
)
def test_help_exits_0_with_usage(tmp_path, args, usage, mentions):
    result = cli(*args, cwd=tmp_path)
    assert result.returncode == 0, output(result)
    assert result.stdout.startswith(usage), output(result)
    assert mentions in result.stdout, output(result)
    assert result.stderr == ""


@pytest.mark.parametrize("script", [False, True], ids=["python-m", "console-script"])
def test_version(tmp_path, script):
    result = command("--version", cwd=tmp_path, script=script)
    assert result.returncode == 0, output(result)
    assert result.stdout == f"reactive-kernel {importlib.metadata.version('reactive_kernel')}\n"


@pytest.mark.parametrize(
    ("script", "args", "message"),
    [
        (False, ["frob"], "argument COMMAND: invalid choice: 'frob'"),
        (True, ["convert", "missing.py", "-o", "out.ipynb"], "missing.py: no such file"),
    ],
    ids=["python-m-usage", "console-script-file"],
)
def test_a_new_process_exits_with_the_commands_status(tmp_path, script, args, message):
    """The in-process tests below check what `main` returns; the shell must get it as the exit status."""
    result = command(*args, cwd=tmp_path, script=script)
    assert result.returncode == 2, output(result)
    assert message in result.stderr, output(result)
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "the following arguments are required: COMMAND"),
        (["frob"], "argument COMMAND: invalid choice: 'frob'"),
        (["--bogus"], "reactive-kernel: error:"),
        (["run"], "the following arguments are required: NOTEBOOK"),
        (["export", "pdf", "nb.py", "-o", "nb.pdf"], "argument FORMAT: invalid choice: 'pdf'"),
        (["export", "html", "nb.py"], "the following arguments are required: -o/--output"),
        (["export", "-o", "out.html"], "the following arguments are required: FORMAT, NOTEBOOK"),
        (["convert", "nb.py"], "the following arguments are required: -o/--output"),
        (["convert", "nb.py", "-o", "nb.ipynb", "--to", "html"], "argument --to: invalid choice: 'html'"),
    ],
    ids=[
        "no-command",
        "unknown-command",
        "unknown-option",
        "run-no-notebook",
        "export-pdf",
        "export-no-output",
        "export-no-format",
        "convert-no-output",
        "convert-bad-to",
    ],
)
def test_usage_errors_exit_2(tmp_path, args, message):
    write(tmp_path / "nb.py", "# %%\nopen('ran.txt', 'w')\n")
    result = cli(*args, cwd=tmp_path)
    assert result.returncode == 2, output(result)
    assert "usage: reactive-kernel" in result.stderr, output(result)
    assert message in result.stderr, output(result)
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb.py"]  # nothing ran, nothing written


# -- files that cannot be read as notebooks: exit 2 for every command (no kernel) ------------------------


def _make_directory(path: Path) -> None:
    path.mkdir()


INPUT_ERRORS = [
    # (id, file name, content (None: absent, a callable: made by it), message)
    ("missing", "missing.py", None, "missing.py: no such file"),
    ("unknown-extension", "nb.txt", "# %%\nprint(1)\n", "nb.txt: unknown notebook format '.txt'"),
    ("no-extension", "notebook", "# %%\nprint(1)\n", "unknown notebook format '(no extension)'"),
    ("bad-json", "nb.ipynb", "{bad", "nb.ipynb: not a valid .ipynb notebook"),
    ("not-a-notebook", "nb.ipynb", '{"cells": 3}', "nb.ipynb: not a valid .ipynb notebook"),
    ("directory", "nb.py", _make_directory, "nb.py: not a file"),
    ("not-utf8", "nb.py", b"# %%\nx = '\xff'\n", "nb.py: not UTF-8 text"),
    ("broken-marimo", "nb.py", "import marimo\napp = marimo.App(\n", "nb.py: line 2: not valid Python"),
]
COMMANDS = {
    "run": ["run", "{nb}"],
    "export": ["export", "html", "{nb}", "-o", "out.html"],
    "convert": ["convert", "{nb}", "-o", "out.ipynb"],
    "app": ["app", "{nb}", "--no-browser"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [case[1:] for case in INPUT_ERRORS],
    ids=[case[0] for case in INPUT_ERRORS],
)
def test_unreadable_notebook_exits_2(tmp_path, command, name, content, message):
    notebook = tmp_path / name
    if callable(content):
        content(notebook)
    elif content is not None:
        write(notebook, content)
    existing = write(tmp_path / "out.ipynb", "keep me\n") if command == "convert" else None
    result = cli(*(arg.format(nb=name) for arg in COMMANDS[command]), cwd=tmp_path)
    assert result.returncode == 2, output(result)
    assert result.stderr.startswith("reactive-kernel: error: "), output(result)
    assert message in result.stderr, output(result)
    assert "Traceback" not in result.stderr, output(result)
    assert result.stdout == ""
    assert not (tmp_path / "out.html").exists()
    if existing is not None:
        assert existing.read_text() == "keep me\n"  # an unparseable input leaves DST untouched


# -- `app`: refusals before Voilà starts (no server, no kernel) -------------------------------------------


def test_app_refuses_a_python_script_that_is_not_a_notebook(tmp_path):
    write(tmp_path / "script.py", "x = 1\nprint(x)\n")
    result = cli("app", "script.py", "--no-browser", cwd=tmp_path)
    assert result.returncode == 2, output(result)
    assert "script.py: a Python script, not a notebook" in result.stderr, output(result)
    assert "# %%" in result.stderr, output(result)  # says what would make it one


def test_app_without_voila_names_the_extra_to_install(tmp_path, monkeypatch):
    """A `None` in sys.modules is how Python itself marks a module that cannot be imported."""
    write(tmp_path / "nb.py", "# %%\nx = 1\n")
    monkeypatch.setitem(sys.modules, "voila", None)
    result = cli("app", "nb.py", "--no-browser", cwd=tmp_path)
    assert result.returncode == 1, output(result)
    install = "pip install 'reactive_kernel[app]'"
    assert result.stderr == f"reactive-kernel: error: Voilà is not installed; install it with: {install}\n"


# -- notebooks refused before anything runs (no kernel) -------------------------------------------------

SIDE_EFFECT = 'open("side-effect.txt", "w").write("ran")\nprint("side effect ran")\n'
REFUSED = [
    # (id, file name, content, what stderr says about each cell involved)
    (
        "multiple-definition",
        "nb.ipynb",
        ipynb(
            code(SIDE_EFFECT),
            code("x = 1", name="one"),
            code("x = 2", name="two"),
            reactive={"definitions": "unique"},
        ),
        [
            "cell #2 (one): x is also defined by cell #3 (two)",
            "cell #3 (two): x is also defined by cell #2 (one)",
        ],
    ),
    (
        "ambiguous-read",
        "nb.py",
        f"# %% side\n{SIDE_EFFECT}\n# %% use\nprint(x)\n\n# %% one\nx = 1\n\n# %% two\nx = 2\n",
        ["cell #2 (use): reads x, which no cell above defines and cell #3 (one), cell #4 (two) define below"],
    ),
    (
        "cycle",
        "nb.ipynb",
        ipynb(code(SIDE_EFFECT), code("a = b + 1"), code("b = a + 1")),
        [
            "cell #2 (a): is in a dependency cycle with cell #3 (b)",
            "cell #3 (b): is in a dependency cycle with cell #2 (a)",
        ],
    ),
    (
        "syntax-error",
        "nb.py",
        f"# %%\n{SIDE_EFFECT}\n# %% broken\ndef f(:\n    pass\n",
        ["cell #2 (broken): SyntaxError"],
    ),
    (
        "marimo-unparsable-cell",
        "nb.py",
        marimo(
            f"@app.cell\ndef _():\n{textwrap.indent(SIDE_EFFECT, '    ')}    return\n",
            'app._unparsable_cell(\n    r"""\n    def f(:\n        pass\n    """,\n    name="broken"\n)\n',
        ),
        ["cell #2 (broken): SyntaxError"],
    ),
]


def test_refused_fixtures_are_runnable_without_the_problem(tmp_path, monkeypatch, capsys):
    """The side-effect cell of the REFUSED notebooks is real code: alone, it runs and writes its file."""
    nb = write(tmp_path / "side.py", SIDE_EFFECT)
    monkeypatch.chdir(tmp_path)
    runpy.run_path(str(nb), run_name="__main__")
    assert capsys.readouterr().out == "side effect ran\n"
    assert (tmp_path / "side-effect.txt").read_text() == "ran"


@pytest.mark.parametrize("command", ["run", "export"])
@pytest.mark.parametrize(
    ("name", "content", "messages"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED]
)
def test_unrunnable_notebook_is_refused_before_anything_runs(tmp_path, command, name, content, messages):
    write(tmp_path / name, content)
    result = cli(*(arg.format(nb=name) for arg in COMMANDS[command]), cwd=tmp_path)
    assert result.returncode == 1, output(result)
    assert result.stderr.startswith(
        "reactive-kernel: error: the notebook cannot run in dependency order; nothing was run:"
    ), output(result)
    for message in messages:
        assert message in result.stderr, output(result)
    assert result.stdout == ""
    assert not (tmp_path / "side-effect.txt").exists()
    assert not (tmp_path / "out.html").exists()


# -- run: order, arguments, streams, working directory (kernel) -----------------------------------------


def test_run_an_ipynb_with_redefinitions_as_a_top_to_bottom_run_would(tmp_path):
    cells = [
        "x = 1\nlst = [x]",
        "x = x + 1\nlst.append(x)",
        "def show():\n    print(x, lst)",
        "show()",
        "x = 10",
        "show()",
    ]
    write(tmp_path / "nb.ipynb", ipynb(*(code(c) for c in cells)))
    result = command("run", "nb.ipynb", cwd=tmp_path)
    assert result.returncode == 0, output(result)
    assert result.stdout == "2 [1, 2]\n10 [1, 2]\n", output(result)


def test_run_resolves_reads_by_notebook_order_not_by_run_order(tmp_path):
    """The report cell runs last (it needs `total`, defined below it) but reads the `x` above it."""
    write(
        tmp_path / "nb.ipynb",
        ipynb(code("x = 1"), code("print(x, total)"), code("x = 100"), code("total = 5")),
    )
    result = command("run", "nb.ipynb", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout == "1 5\n", output(result)


def test_run_a_marimo_file_keeps_the_unique_rule(tmp_path):
    cells = [
        "@app.cell\ndef _():\n    x = 1\n    return (x,)",
        "@app.cell\ndef _():\n    x = 2\n    return (x,)",
    ]
    write(tmp_path / "nb.py", marimo(*cells))
    result = command("run", "nb.py", cwd=tmp_path)
    assert result.returncode == 1 and "x is also defined by cell" in result.stderr, output(result)


def test_run_percent_in_dependency_order_with_args_streams_and_callers_cwd(tmp_path):
    """Through the console script: cells written bottom-up run parents first, in the caller's directory."""
    write(tmp_path / "data.txt", "from the caller's directory\n")
    write(
        tmp_path / "nbs" / "analysis.py",
        percent(
            """
            # %%
            print("total", total)
            print("argv", sys.argv)

            # %% middle
            total = base + 1
            print("to stderr", file=sys.stderr)

            # %%
            import os
            import sys
            print("cwd", os.getcwd())
            print("data", open("data.txt").read().strip())
            base = 41

            # %%
            "héllo ✓"
            """
        ),
    )
    result = command("run", "nbs/analysis.py", "--", "a", "b c", "--flag", cwd=tmp_path, script=True)
    assert result.returncode == 0, output(result)
    assert result.stdout.splitlines() == [
        f"cwd {tmp_path.resolve()}",
        "data from the caller's directory",
        "total 42",
        "argv ['nbs/analysis.py', 'a', 'b c', '--flag']",
        "'héllo ✓'",
    ]
    assert result.stderr == "to stderr\n"


def test_run_marimo_out_of_order_with_setup_cell_and_disabled_cell(tmp_path):
    nb = write(
        tmp_path / "flow.py",
        marimo(
            """
            with app.setup:
                import sys
            """,
            """
            @app.cell
            def _(scaled):
                print("scaled", scaled)
                return
            """,
            """
            @app.cell
            def scale(x):
                scaled = x * 10
                return (scaled,)
            """,
            """
            @app.cell
            def _():
                x = 4
                print("args", sys.argv[1:])
                return (x,)
            """,
            """
            @app.cell(disabled=True)
            def switched_off():
                open("disabled-ran.txt", "w").write("ran")
                w = 1
                print("disabled cell ran")
                return (w,)
            """,
            """
            @app.cell
            def _(w):
                print("child of the disabled cell ran", w)
                return
            """,
            """
            @app.cell
            def _():
                print("last")
                return
            """,
        ),
    )
    result = command("run", nb, "--", "--x", "y", cwd=tmp_path)
    assert result.returncode == 0, output(result)
    assert result.stdout.splitlines() == ["args ['--x', 'y']", "scaled 40", "last"]
    assert result.stderr == ""
    assert not (tmp_path / "disabled-ran.txt").exists()


def test_run_ipynb_out_of_order_with_magics_and_disabled_cell(tmp_path):
    write(
        tmp_path / "nb.ipynb",
        ipynb(
            new_markdown_cell("# Report\nprint('not code')"),
            code("print('greeting:', greeting)"),
            code("greeting = word.upper()", name="shout"),
            code("import sys\nword = 'hello'\nprint('argv', sys.argv)"),
            code("%%capture cap\nprint('swallowed by capture')"),
            code("print('capture holds:', cap.stdout.strip())"),
            code("!echo from-the-shell\nlisted = !echo captured-line\nprint(listed)"),
            code("open('disabled-ran.txt', 'w').write('ran')\nflag = True", disabled=True),
            code("print('child of the disabled cell ran', flag)"),
        ),
    )
    result = command("run", "nb.ipynb", cwd=tmp_path)
    assert result.returncode == 0, output(result)
    assert result.stdout.splitlines() == [
        "argv ['nb.ipynb']",
        "greeting: HELLO",
        "capture holds: swallowed by capture",
        "from-the-shell",
        "['captured-line']",
    ]
    assert result.stderr == ""
    assert not (tmp_path / "disabled-ran.txt").exists()


def test_run_percent_with_commented_magics_and_disabled_cell(tmp_path):
    write(
        tmp_path / "magic.py",
        percent(
            """
            # %%
            # !echo shell-hi

            # %%
            # listing = !echo captured-line
            print("listing", listing)

            # %%
            # %%capture cap
            print("hidden text")

            # %%
            print("captured:", cap.stdout.strip())

            # %% disabled=true
            open("disabled-ran.txt", "w").write("ran")
            flag = 1
            print("disabled cell ran")

            # %%
            print("child of the disabled cell ran", flag)

            # %%
            # %time z = 21 * 2
            print("z", z)
            """
        ),
    )
    result = command("run", "magic.py", cwd=tmp_path)
    assert result.returncode == 0, output(result)
    assert without_timing(result.stdout) == [
        "shell-hi",
        "listing ['captured-line']",
        "captured: hidden text",
        "z 42",
    ]
    assert "Wall time:" in result.stdout  # %time ran as the magic, not as a comment
    assert not (tmp_path / "disabled-ran.txt").exists()


# -- run: failures and exit codes (kernel) ---------------------------------------------------------------

FAILING = [
    (
        "percent",
        "nb.py",
        percent(
            """
            # %%
            a = 1
            print("first ran")

            # %% boom
            b = a / 0

            # %%
            print("reader ran", b)

            # %%
            print("independent ran")
            """
        ),
        "cell #2 (boom)",
        ["ZeroDivisionError", "b = a / 0"],
    ),
    (
        "ipynb",
        "nb.ipynb",
        ipynb(
            new_markdown_cell("markdown counts in cell positions"),
            code("a = 1\nprint('first ran')"),
            code("b = a / 0", name="divide"),
            code("print('reader ran', b)"),
            code("print('independent ran')"),
        ),
        "cell #3 (divide)",
        ["ZeroDivisionError", "b = a / 0"],
    ),
    (
        "marimo",
        "nb.py",
        marimo(
            """
            @app.cell
            def _():
                a = 1
                print("first ran")
                return (a,)
            """,
            """
            @app.cell
            def explode(a):
                b = a
                raise ValueError("marimo-" + "kaput")
                return (b,)
            """,
            """
            @app.cell
            def _(b):
                print("reader ran", b)
                return
            """,
            """
            @app.cell
            def _():
                print("independent ran")
                return
            """,
        ),
        "cell #2 (explode)",
        ["ValueError: marimo-kaput", 'raise ValueError("marimo-" + "kaput")'],
    ),
]


@pytest.mark.parametrize(
    ("name", "content", "cell", "details"), [c[1:] for c in FAILING], ids=[c[0] for c in FAILING]
)
def test_run_stops_at_the_first_failing_cell_and_names_it(tmp_path, name, content, cell, details):
    write(tmp_path / name, content)
    result = command("run", name, cwd=tmp_path)
    assert result.returncode == 1, output(result)
    assert result.stdout == "first ran\n"  # neither the cell reading the failed one nor the ones after it
    assert f"reactive-kernel: {cell} failed:" in result.stderr, output(result)
    assert "Traceback (most recent call last)" in result.stderr, output(result)
    for detail in details:
        assert detail in result.stderr, output(result)
    assert "\x1b[" not in result.stderr  # no colour codes when stderr is not a terminal


@pytest.mark.parametrize(
    ("argument", "status", "stderr"),
    [("3", 3, ""), ("0", 0, ""), ('"bye now"', 1, "bye now\n")],
    ids=["exit-3", "exit-0", "exit-message"],
)
def test_run_sys_exit_ends_the_run_with_its_status(tmp_path, argument, status, stderr):
    write(
        tmp_path / "quit.py",
        percent(
            f"""
            # %%
            import sys
            print("before")

            # %%
            sys.exit({argument})

            # %%
            print("after")
            """
        ),
    )
    result = command("run", "quit.py", cwd=tmp_path)
    assert result.returncode == status, output(result)
    assert result.stdout == "before\n"
    assert result.stderr == stderr  # no traceback, no IPython advice to use exit()


DYING = percent(
    """
    # %%
    import os
    print("alive", flush=True)

    # %% killer
    os._exit(7)

    # %%
    print("after")
    """
)


def test_run_names_the_cell_that_killed_the_kernel(tmp_path):
    write(tmp_path / "die.py", DYING)
    result = command("run", "die.py", cwd=tmp_path)
    assert result.returncode == 1, output(result)
    assert result.stdout == "alive\n"
    expected = "reactive-kernel: cell #2 (killer) killed the kernel; nothing after it ran\n"
    assert result.stderr == expected, output(result)


MUTATES = percent(
    """
    # %% owner
    items = [1]

    # %%
    items.append(2)
    print(items)
    """
)


def test_run_of_a_change_in_place_in_an_ordered_notebook_needs_no_warning(tmp_path):
    write(tmp_path / "mutates.py", MUTATES)
    result = command("run", "mutates.py", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "[1, 2]\n", ""), output(result)


def test_run_sends_cell_ids_so_the_kernel_warns_about_mutations_naming_the_owner(tmp_path):
    unique = ipynb(
        code("items = [1]", name="owner"),
        code("items.append(2)\nprint(items)"),
        reactive={"definitions": "unique"},
    )
    write(tmp_path / "mutates.ipynb", unique)
    result = command("run", "mutates.ipynb", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "[1, 2]\n"), output(result)
    assert "mutates 'items', which cell #1 (owner) defines" in result.stderr, output(result)
    assert "move this change into cell #1 (owner)" in result.stderr, output(result)


def test_run_names_cells_by_position_and_what_they_define_never_by_id(tmp_path):
    cells = [
        new_markdown_cell("markdown counts in cell positions", id="md-7f3a91"),
        new_code_cell("import math\nitems = [1]", id="owner-5e2c08"),
        new_code_cell("items.append(2)\nprint(items)", id="changer-c41d77"),
        new_code_cell("total = math.fsum(items) / 0", id="fails-0b9e63"),
    ]
    notebook = new_notebook(cells=cells, metadata={"reactive": {"definitions": "unique"}})
    write(tmp_path / "ids.ipynb", nbformat.writes(notebook))
    result = command("run", "ids.ipynb", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (1, "[1, 2]\n"), output(result)
    assert "mutates 'items', which cell #2 (items) defines" in result.stderr, output(result)
    assert "move this change into cell #2 (items)" in result.stderr, output(result)
    assert "reactive-kernel: cell #4 (total) failed:" in result.stderr, output(result)
    for cell in cells:
        assert cell.id not in result.stdout + result.stderr, output(result)


def test_run_passes_a_literal_double_dash_after_the_separator(tmp_path):
    write(tmp_path / "argv.py", "# %%\nimport sys\nprint(sys.argv[1:])\n")
    result = command("run", "argv.py", "--", "--", "x", cwd=tmp_path)
    assert result.returncode == 0, output(result)
    assert result.stdout == "['--', 'x']\n"


def test_run_reports_a_kernel_that_dies_at_start(tmp_path):
    # The kernel runs in the caller's directory, where this file shadows the standard library's `dis`,
    # so the kernel cannot even start.
    write(tmp_path / "dis.py", "raise ImportError('shadowed')\n")
    write(tmp_path / "nbs" / "nb.py", "# %%\nprint('hi')\n")
    result = command("run", "nbs/nb.py", cwd=tmp_path, script=True)  # `python -m` would import it too
    assert "Kernel died before replying to kernel_info" in result.stderr, output(result)  # the cause
    assert result.returncode == 1, output(result)
    assert "reactive-kernel: error: the kernel died" in result.stderr, output(result)
    assert "reactive_kernel/cli/" not in result.stderr, output(result)  # no traceback of the CLI itself


# -- export (kernel) ---------------------------------------------------------------------------------------

# Each cell prints a string that its source does not contain (the HTML holds the sources too).
OUT_OF_ORDER = percent(
    """
    # %%
    print("OUT" + "-first-cell", total)

    # %% middle
    total = base + 1
    print("OUT" + "-second-cell")

    # %%
    import os
    print("cwd=" + os.getcwd())
    print("data=" + open("data.txt").read().strip())
    base = 41
    print("OUT" + "-third-cell")
    """
)


def test_export_html_writes_outputs_in_notebook_order_and_runs_in_the_notebooks_directory(tmp_path):
    nbs = tmp_path / "nbs"
    write(nbs / "report.py", OUT_OF_ORDER)
    write(nbs / "data.txt", "next to the notebook\n")
    result = command("export", "html", "nbs/report.py", "-o", "report.html", cwd=tmp_path)
    assert result.returncode == 0, output(result)
    assert result.stdout == ""
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert "<title>report</title>" in html
    first, second, third = (html.find(f"OUT-{n}-cell") for n in ("first", "second", "third"))
    assert 0 <= first < second < third, (first, second, third)  # executed third, second, first
    assert "OUT-first-cell 42" in html
    assert f"cwd={nbs.resolve()}" in html
    assert "data=next to the notebook" in html


def test_export_ipynb_attaches_outputs_to_their_cells(tmp_path):
    source = write(
        tmp_path / "nb.ipynb",
        ipynb(
            new_markdown_cell("# Title"),
            code("print('total', total)"),
            code("total = base + 1\ntotal", name="adder"),
            code("base = 41\nprint('base set')"),
            code("open('disabled-ran.txt', 'w')\nq = 1", disabled=True),
            code("print('q', q)"),
            kernelspec={"name": "python3", "display_name": "Python 3", "language": "python"},
        ),
    )
    before = source.read_bytes()
    result = command("export", "ipynb", "nb.ipynb", "-o", "out.ipynb", cwd=tmp_path)
    assert result.returncode == 0, output(result)
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == KERNEL_NAME
    assert [cell.source for cell in nb.cells] == [cell.source for cell in nbformat.reads(before, 4).cells]
    texts = [
        [o.get("text") or o.get("data", {}).get("text/plain") for o in cell.get("outputs", [])]
        for cell in nb.cells
    ]
    assert texts == [[], ["total 42\n"], ["42"], ["base set\n"], [], []]
    assert [cell.get("execution_count") for cell in nb.cells] == [None, 3, 2, 1, None, None]
    assert source.read_bytes() == before
    assert not (tmp_path / "disabled-ran.txt").exists()


def test_export_ipynb_of_a_marimo_file_to_stdout(tmp_path):
    write(
        tmp_path / "mo.py",
        marimo(
            """
            @app.cell
            def _(y):
                print("y is", y)
                return
            """,
            """
            @app.cell
            def make_y():
                y = 6 * 7
                return (y,)
            """,
        ),
    )
    result = command("export", "ipynb", "mo.py", "-o", "-", cwd=tmp_path)
    assert result.returncode == 0, output(result)
    nb = nbformat.reads(result.stdout, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == KERNEL_NAME
    assert "reactive_format" not in nb.metadata  # round-trip bookkeeping of the .py reader is dropped
    assert all("reactive_format" not in cell.metadata for cell in nb.cells)
    assert [cell.source for cell in nb.cells] == ['print("y is", y)', "y = 6 * 7"]
    assert [[o.get("text") for o in cell.outputs] for cell in nb.cells] == [["y is 42\n"], []]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mo.py"]


@pytest.mark.kernel  # in this process, but the export starts a kernel
@pytest.mark.parametrize(("kind", "out"), [("html", "report.html"), ("ipynb", "-")], ids=["file", "stdout"])
def test_export_says_what_it_wrote_as_convert_does(tmp_path, kind, out):
    write(tmp_path / "nb.py", "# %%\nx = 6 * 7\n\n# %% [markdown]\n# Then\n\n# %%\nprint(x)\n")
    result = cli("export", kind, "nb.py", "-o", out, cwd=tmp_path)
    assert result.returncode == 0, output(result)
    if out == "-":  # the notebook is on stdout: nothing to say
        assert result.stderr == "", output(result)
        assert "42" in result.stdout
    else:
        assert result.stderr == f"reactive-kernel: wrote {out} ({kind}, 3 cells)\n", output(result)
        assert result.stdout == ""
        assert "42" in (tmp_path / out).read_text(encoding="utf-8")


FAILING_EXPORT = percent(
    """
    # %%
    print("OK" + "-first")

    # %% kaboom
    bad = 1 / 0

    # %% reader
    print("READER" + "-ran", bad)

    # %%
    print("INDEP" + "-ran")
    """
)


@pytest.mark.parametrize(
    ("kind", "existing"), [("html", None), ("ipynb", "keep me\n")], ids=["html-new", "ipynb-existing"]
)
def test_export_writes_nothing_when_a_cell_fails(tmp_path, kind, existing):
    write(tmp_path / "nb.py", FAILING_EXPORT)
    out = tmp_path / f"out.{kind}"
    if existing is not None:
        write(out, existing)
    result = command("export", kind, "nb.py", "-o", out.name, cwd=tmp_path)
    assert result.returncode == 1, output(result)
    assert "reactive-kernel: cell #2 (kaboom) failed:" in result.stderr, output(result)
    assert "ZeroDivisionError" in result.stderr, output(result)
    assert result.stdout == ""
    if existing is None:
        assert not out.exists()
    else:
        assert out.read_text() == existing
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["nb.py", *([out.name] if existing else [])])


@pytest.mark.parametrize("kind", ["html", "ipynb"])
def test_export_allow_errors_writes_the_error_and_names_failed_and_skipped_cells(tmp_path, kind):
    write(tmp_path / "nb.py", FAILING_EXPORT)
    result = command("export", kind, "nb.py", "-o", f"out.{kind}", "--allow-errors", cwd=tmp_path)
    assert result.returncode == 0, output(result)
    assert result.stderr.splitlines() == [
        "reactive-kernel: cell #2 (kaboom) failed (kept in the export)",
        "reactive-kernel: skipped, because a cell they read failed: cell #3 (reader)",
        f"reactive-kernel: wrote out.{kind} ({kind}, 4 cells)",
    ]
    text = (tmp_path / f"out.{kind}").read_text(encoding="utf-8")
    assert "ZeroDivisionError" in text
    assert "OK-first" in text
    assert "INDEP-ran" in text  # independent of the failed cell, so it still ran
    assert "READER-ran" not in text  # skipped: it reads what the failed cell defines
    if kind == "ipynb":
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
        kinds = [[o.output_type for o in cell.outputs] for cell in nb.cells]
        assert kinds == [["stream"], ["error"], [], ["stream"]]
        assert nb.cells[1].outputs[0].ename == "ZeroDivisionError"


def test_export_to_a_missing_directory_exits_2(tmp_path):
    write(tmp_path / "nb.py", "# %%\nprint('hi')\n")
    result = cli("export", "html", "nb.py", "-o", "missing/out.html", cwd=tmp_path)
    assert result.returncode == 2, output(result)
    assert "reactive-kernel: error: missing/out.html: no such directory" in result.stderr, output(result)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb.py"]


def test_export_refuses_to_overwrite_the_notebook(tmp_path):
    source = write(tmp_path / "nb.py", "# %%\nprint('hi')\n")
    before = source.read_bytes()
    result = cli("export", "html", "nb.py", "-o", "nb.py", cwd=tmp_path)
    assert source.read_bytes() == before
    assert result.returncode != 0, output(result)


# -- convert (never executes; no kernel) ---------------------------------------------------------------

MARKER = 'open("convert-ran.txt", "w").write("ran")'  # a cell that would leave a file if run
SOURCES = {
    # name: (file name, text, its cells as (type, source))
    "percent": (
        "nb.py",
        f"# %%\n{MARKER}\nx = 1\n\n# %% second\ny = x + 1\nprint(y)\n",
        [("code", f"{MARKER}\nx = 1"), ("code", "y = x + 1\nprint(y)")],
    ),
    "ipynb": (
        "nb.ipynb",
        ipynb(
            new_markdown_cell("# Notes\nsome *text*"),
            code(MARKER),
            code("%time z = 1"),
            code("!echo hi"),
            code("%%capture out\nprint('x')"),
        ),
        [
            ("markdown", "# Notes\nsome *text*"),
            ("code", MARKER),
            ("code", "%time z = 1"),
            ("code", "!echo hi"),
            ("code", "%%capture out\nprint('x')"),
        ],
    ),
    "ipynb-code": (
        "nb.ipynb",
        ipynb(code(f"{MARKER}\ny = 2"), code("print(y)")),
        [("code", f"{MARKER}\ny = 2"), ("code", "print(y)")],
    ),
    "marimo": (
        "nb.py",
        marimo(
            "@app.cell\ndef _(y):\n    print(y)\n    return\n",
            f"@app.cell\ndef make_y():\n    {MARKER}\n    y = 2\n    return (y,)\n",
        ),
        [("code", "print(y)"), ("code", f"{MARKER}\ny = 2")],
    ),
}
CONVERSIONS = [
    # (id, source, DST, extra arguments, format written, what DST's text contains)
    ("percent-to-ipynb", "percent", "out.ipynb", [], "ipynb", ['"nbformat": 4', '"title": "second"']),
    (
        "ipynb-to-percent",
        "ipynb",
        "out.py",
        [],
        "percent",
        ["# %% [markdown]", "# %time z = 1", "# !echo hi"],
    ),
    (
        "percent-to-marimo",
        "percent",
        "out.py",
        ["--to", "marimo"],
        "marimo",
        ["app = marimo.App(", "@app.cell"],
    ),
    ("marimo-to-percent", "marimo", "out.py", [], "percent", ['# %% name="make_y"']),
    ("marimo-to-ipynb", "marimo", "out.ipynb", [], "ipynb", ['"name": "make_y"']),
    ("ipynb-to-marimo", "ipynb-code", "out.py", ["--to", "marimo"], "marimo", ["def _(y):"]),
    ("to-beats-extension", "percent", "out.txt", ["--to", "ipynb"], "ipynb", ['"nbformat": 4']),
]


@pytest.mark.parametrize(
    ("source", "dst", "extra", "fmt", "contains"),
    [c[1:] for c in CONVERSIONS],
    ids=[c[0] for c in CONVERSIONS],
)
def test_convert(tmp_path, source, dst, extra, fmt, contains):
    src, text, cells = SOURCES[source]
    write(tmp_path / src, text)
    result = cli("convert", src, "-o", dst, *extra, cwd=tmp_path)
    assert result.returncode == 0, output(result)
    assert result.stderr == f"reactive-kernel: wrote {dst} ({fmt}, {len(cells)} cells)\n"
    assert result.stdout == ""
    written = (tmp_path / dst).read_text(encoding="utf-8")
    for part in contains:
        assert part in written, written
    assert ("@app.cell" in written) == (fmt == "marimo")
    assert cells_of(tmp_path / dst, fmt) == cells
    assert (tmp_path / src).read_text(encoding="utf-8") == text
    assert not (tmp_path / "convert-ran.txt").exists()  # nothing was executed


def test_convert_round_trip_percent_ipynb_percent_keeps_cells(tmp_path):
    original = percent(
        f"""
        # %%
        {MARKER}
        x = 1

        # %% [markdown]
        # Some *notes*

        # %% second
        # %time y = x + 1
        print(y)
        """
    )
    write(tmp_path / "a.py", original)
    for src, dst in [("a.py", "b.ipynb"), ("b.ipynb", "c.py"), ("c.py", "d.ipynb"), ("d.ipynb", "e.py")]:
        result = cli("convert", src, "-o", dst, cwd=tmp_path)
        assert result.returncode == 0, output(result)
    first, second = (nbformat.read(tmp_path / name, as_version=4) for name in ("b.ipynb", "d.ipynb"))
    expected = [
        ("code", f"{MARKER}\nx = 1"),
        ("markdown", "Some *notes*"),
        ("code", "%time y = x + 1\nprint(y)"),
    ]
    for nb in (first, second):
        assert [(cell.cell_type, cell.source) for cell in nb.cells] == expected
        assert nb.cells[2].metadata.get("title") == "second"
    assert (tmp_path / "c.py").read_bytes() == (tmp_path / "e.py").read_bytes()  # a fixed point
    assert "# %time y = x + 1" in (tmp_path / "c.py").read_text()
    assert not (tmp_path / "convert-ran.txt").exists()


def test_convert_to_stdout(tmp_path):
    write(tmp_path / "nb.py", SOURCES["percent"][1])
    result = cli("convert", "nb.py", "-o", "-", "--to", "marimo", cwd=tmp_path)
    assert result.returncode == 0, output(result)
    assert result.stdout.startswith("import marimo\n")
    assert result.stdout.count("@app.cell") == 2
    assert result.stderr == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb.py"]


def _symlink(tmp_path: Path) -> str:
    (tmp_path / "link.py").symlink_to(tmp_path / "nb.py")
    return "link.py"


@pytest.mark.parametrize(
    ("src", "dst", "extra"),
    [
        ("nb.py", "nb.py", []),
        ("nb.py", "./nb.py", []),
        ("nb.py", lambda tmp_path: str(tmp_path / "nb.py"), []),
        ("nb.py", _symlink, []),
        ("nb.py", "nb.py", ["--to", "marimo"]),
        ("nb.ipynb", "nb.ipynb", []),
    ],
    ids=["same-name", "dot-slash", "absolute", "symlink", "other-format", "ipynb"],
)
def test_convert_refuses_to_overwrite_its_source(tmp_path, src, dst, extra):
    source = write(tmp_path / src, SOURCES["percent" if src.endswith(".py") else "ipynb"][1])
    before = source.read_bytes()
    dst = dst(tmp_path) if callable(dst) else dst
    result = cli("convert", src, "-o", dst, *extra, cwd=tmp_path)
    assert result.returncode == 2, output(result)
    expected = f"reactive-kernel: error: {dst}: is the source notebook; write to another file"
    assert expected in result.stderr, output(result)
    assert source.read_bytes() == before


@pytest.mark.parametrize(
    ("dst", "extra", "message"),
    [
        ("out.txt", [], "out.txt: cannot tell the format from the extension; pass --to"),
        ("out", [], "out: cannot tell the format from the extension"),
        ("-", [], "-: cannot tell the format from the extension"),
        ("missing/out.ipynb", [], "missing/out.ipynb: no such directory: missing"),
        ("missing/out.py", ["--to", "marimo"], "missing/out.py: no such directory: missing"),
    ],
    ids=[
        "unknown-extension",
        "no-extension",
        "stdout-without-to",
        "missing-directory",
        "missing-directory-to",
    ],
)
def test_convert_bad_destination_exits_2(tmp_path, dst, extra, message):
    write(tmp_path / "nb.py", SOURCES["percent"][1])
    result = cli("convert", "nb.py", "-o", dst, *extra, cwd=tmp_path)
    assert result.returncode == 2, output(result)
    assert result.stderr.startswith("reactive-kernel: error: "), output(result)
    assert message in result.stderr, output(result)
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb.py"]


# -- outputs that cannot be written (no kernel: refused before anything runs) ----------------------------

OUTPUT_COMMANDS = {
    "convert": ("convert", "nb.py", "--to", "ipynb", "-o"),
    "export-html": ("export", "html", "nb.py", "-o"),
    "export-ipynb": ("export", "ipynb", "nb.py", "-o"),
}


def refused(result: Result, message: str) -> None:
    """Exit 2 with one line on stderr that says `message`, nothing on stdout."""
    assert result.returncode == 2, output(result)
    assert result.stderr.splitlines() == [f"reactive-kernel: error: {message}"], output(result)
    assert result.stdout == "", output(result)


@pytest.mark.parametrize("command", list(OUTPUT_COMMANDS))
@pytest.mark.parametrize("dst", ["folder", "folder/", "./folder", "ABSOLUTE", "missing.ipynb/", ""])
def test_an_output_that_is_a_directory_exits_2_and_writes_nothing(tmp_path, command, dst):
    write(tmp_path / "nb.py", "# %%\nopen('ran.txt', 'w').write('ran')\n")
    (tmp_path / "folder").mkdir()
    dst = str(tmp_path / "folder") if dst == "ABSOLUTE" else dst
    result = cli(*OUTPUT_COMMANDS[command], dst, cwd=tmp_path)
    refused(result, f"{dst}: is a directory; give a file name" if dst else "-o '': no file name")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "nb.py"]
    assert list((tmp_path / "folder").iterdir()) == []


@pytest.fixture
def locked(tmp_path):
    """A folder no file can be created in: mode 555, or for root (who ignores modes) the immutable flag."""
    folder = tmp_path / "locked"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False).returncode != 0:
        pytest.skip("root ignores file modes, and chattr +i is not available on this file system")
    try:
        yield folder
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


@pytest.mark.parametrize("command", list(OUTPUT_COMMANDS))
def test_an_output_in_an_unwritable_folder_exits_2_before_anything_runs(tmp_path, locked, command):
    write(tmp_path / "nb.py", "# %%\nopen('ran.txt', 'w').write('ran')\n")
    result = cli(*OUTPUT_COMMANDS[command], "locked/out.ipynb", cwd=tmp_path)
    reason = "Operation not permitted" if os.geteuid() == 0 else "Permission denied"
    refused(result, f"locked/out.ipynb: cannot write in locked: {reason}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["locked", "nb.py"]  # no ran.txt: nothing ran
    assert list(locked.iterdir()) == []
