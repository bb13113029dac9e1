"""The `reactive-kernel` command: run a notebook as a script, convert it, export it with outputs, or serve
it as a web app."""
# ruff: noqa: E402  (one statement must run before the imports: see rfc3987_syntax below)

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

# nbformat imports jsonschema, whose format checkers import rfc3987_syntax when it is installed (jupyter's
# `format-nongpl` extra); building that grammar takes about 3 s on every start, for an IRI check that
# notebook validation never uses. Marking it absent turns it into the ImportError jsonschema expects.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

from jupyter_client.kernelspec import NoSuchKernel
from nbclient.exceptions import DeadKernelError

from reactive_kernel import KERNELSPEC, __version__
from reactive_kernel.core.errors import (
    FormatError,
    MissingExtraError,
    NotebookFileError,
    UnrunnableNotebookError,
)
from reactive_kernel.headless.notebook_io import FILE_FORMATS

PROG = "reactive-kernel"
EXAMPLES = """examples:
  reactive-kernel run analysis.py -- data.csv --limit 10
  reactive-kernel convert analysis.ipynb -o analysis.py
  reactive-kernel convert analysis.py -o analysis_marimo.py --to marimo
  reactive-kernel export html analysis.py -o analysis.html
  reactive-kernel app dashboard.py --port 8866
"""


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog=PROG,
        description="Reactive notebooks (.ipynb, percent or marimo .py) from the command line.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    top.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = top.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = commands.add_parser(
        "run",
        help="run every cell once, in dependency order",
        description="Run every code cell once in dependency order (cells may be written in any order) on "
        "the reactive kernel, streaming outputs. Arguments after NOTEBOOK (put them after --) become "
        "sys.argv[1:]. Exits 1 at the first failing cell, naming it; a notebook with a syntax error, a "
        "global defined in two cells or a cycle is refused before anything runs. sys.exit(n) in a cell "
        "exits with n. Runs in the current directory.",
    )
    run.add_argument("notebook", metavar="NOTEBOOK", help=".ipynb or .py (percent or marimo) notebook")
    run.add_argument("args", metavar="ARGS", nargs=argparse.REMAINDER, help="passed as sys.argv[1:]")

    convert = commands.add_parser(
        "convert",
        help="convert between .ipynb, percent and marimo (never executes)",
        description="Convert a notebook between .ipynb, the percent format and marimo's format. The "
        "output format comes from DST's extension (.py is percent) unless --to says otherwise. "
        "Nothing is executed. DST '-' writes to stdout.",
    )
    convert.add_argument("src", metavar="SRC", help=".ipynb or .py notebook to read")
    convert.add_argument("-o", "--output", metavar="DST", required=True, help="file to write, or -")
    convert.add_argument("--to", choices=FILE_FORMATS, help="output format (default: from DST's extension)")

    export = commands.add_parser(
        "export",
        help="execute in dependency order, write HTML or .ipynb with outputs",
        description="Execute the notebook in dependency order on the reactive kernel, then write it, in "
        "notebook order with its outputs, through nbconvert's HTML or notebook exporter. Nothing is "
        "written if a cell fails (unless --allow-errors). Runs in the notebook's directory.",
    )
    export.add_argument("kind", metavar="FORMAT", choices=("html", "ipynb"), help="html or ipynb")
    export.add_argument("notebook", metavar="NOTEBOOK", help=".ipynb or .py notebook to execute")
    export.add_argument("-o", "--output", metavar="OUT", required=True, help="file to write, or -")
    export.add_argument(
        "--allow-errors",
        action="store_true",
        help="keep going after a failing cell (cells that read it are skipped) and write the result",
    )

    app = commands.add_parser(
        "app",
        help="serve the notebook as a web app (Voilà), live on the reactive kernel",
        description="Serve the notebook as a web app with Voilà, on the reactive kernel whatever kernel "
        "the notebook names: the page shows outputs and widgets, never code, and a viewer can change "
        "widgets but run no code. Moving a widget re-runs the cells that read it, and their outputs "
        "update in the page (no observe, no callbacks); a failing cell shows its error in its place and "
        "the app keeps running. Each page load gets its own kernel, in the notebook's directory. Needs "
        "Voilà: pip install 'reactive_kernel[app]'. Stop with Ctrl+C.",
    )
    app.add_argument("notebook", metavar="NOTEBOOK", help=".ipynb or .py (percent or marimo) notebook")
    app.add_argument(
        "--port",
        type=int,
        help="port to serve on, on localhost; fails if it is taken (default: 8866, or the next free one)",
    )
    app.add_argument("--no-browser", action="store_true", help="do not open the app in a web browser")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command `argv` (default: sys.argv[1:]) and return its exit status; never calls sys.exit,
    so tests and other programs can call it in their own process."""
    words = list(sys.argv[1:] if argv is None else argv)
    words, notebook_args = _split_run(words)
    try:
        args = parser().parse_args(words)
    except SystemExit as exc:  # --help, --version, a usage error: argparse has printed what it had to say
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    if notebook_args is not None:
        args.args = notebook_args
    try:
        return _dispatch(args)
    except (NotebookFileError, FormatError) as exc:
        return _fail(str(exc), 2)
    except UnrunnableNotebookError as exc:
        return _fail(str(exc), 1)
    except MissingExtraError as exc:
        return _fail(str(exc), 1)
    except NoSuchKernel:
        missing = f"the {KERNELSPEC['name']} kernel is not installed (see `jupyter kernelspec list`)"
        return _fail(missing, 1)
    except DeadKernelError as exc:
        return _fail(f"the kernel died: {exc}", 1)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)


def _dispatch(args: argparse.Namespace) -> int:
    # Imported here so `--help` and `convert` do not pay for nbclient and nbconvert's exporters.
    if args.command == "run":
        from reactive_kernel.cli.run import run

        return run(args.notebook, args.args)
    if args.command == "convert":
        from reactive_kernel.cli.convert import convert

        return convert(args.src, args.output, args.to)
    if args.command == "app":
        from reactive_kernel.cli.app import app

        return app(args.notebook, args.port, not args.no_browser)
    from reactive_kernel.cli.export import export

    return export(args.kind, args.notebook, args.output, args.allow_errors)


def _split_run(words: list[str]) -> tuple[list[str], list[str] | None]:
    """`run NOTEBOOK [--] ARGS...`: every word after NOTEBOOK is the notebook's, less one leading `--`.

    Split here rather than by argparse, whose handling of `--` before a REMAINDER varies between Python
    versions (some drop it, some keep it, and a second `--` meant for the notebook could be lost).
    """
    if len(words) < 2 or words[0] != "run" or words[1].startswith("-"):
        return words, None
    rest = words[2:]
    return words[:2], rest[1:] if rest[:1] == ["--"] else rest


def _fail(message: str, code: int) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return code
