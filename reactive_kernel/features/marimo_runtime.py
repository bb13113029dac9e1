"""marimo's runtime on this kernel: `mo.stop`, the runtime context (`mo.cache`, `mo.cli_args`,
`mo.output` ...) and marimo's HTML shown as Jupyter outputs.

marimo is optional. Nothing here imports it until a cell does: before each cell IPython's documented
`pre_run_cell` event looks whether marimo is loaded, or whether the cell imports it and it is installed;
only then is the bridge set up, once. Notebooks that never use marimo pay one dictionary lookup and one
substring search per cell.

marimo has no documented hook for a host runtime, so this is the one module that reaches into its
internals (`tests/test_host_pins.py` pins each name used here):

- the runtime context: marimo's script-mode context (`ScriptRuntimeContext`, what `python notebook.py`
  installs), subclassed so that `mo.cli_args()` reads the arguments `reactive-kernel run` was given
  (none in an interactive kernel) and the globals are the kernel's namespace;
- the running cell, registered in that context's graph (`compile_cell`, `DirectedGraph`) and named in
  its `ExecutionContext`, so `mo.cache` finds the cell and `mo.output` writes to it;
- the cell's code file name: the block forms (`with mo.cache(...)`) read the cell's code from that
  graph only when the running code's file name contains `__marimo__` (else from the script's file,
  which a Jupyter cell has not). ipykernel's compiler takes a cell's name from `IPYKERNEL_CELL_NAME`
  when set, so it is set from `pre_run_cell` (before IPython compiles the cell) to such a name, unique
  to the cell's code as ipykernel's own names are, and put back as soon as the cell is compiled;
- a `Stream` that turns marimo's cell output notifications (its protocol's `cell-op` messages) into a
  Jupyter display the cell updates in place.
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import importlib.util
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import fields
from typing import Any

from IPython.display import HTML, DisplayHandle, display

from reactive_kernel.features.marimo_html import to_jupyter_html


class MarimoRuntime:
    """Per kernel: sets marimo's runtime up when a cell first uses marimo, and notes `mo.stop`."""

    def __init__(self, shell: Any, state_changed: Callable[[str, str | None], None]) -> None:
        self.shell = shell
        # marimo's state setter was called: (a global holding the state, the cell that called it or None)
        self.state_changed = state_changed
        self._running: str | None = None  # the cell whose code runs now (None: between cells)
        self._states: list[tuple[Any, str | None]] = []  # states set by the running cell
        self.launch_argv = list(sys.argv)  # sys.argv as the kernel started: a headless run replaces it
        self.installed = False
        self.broken = False  # setting marimo's runtime up failed (see _pre_run_cell)
        self._stopped = False  # the cell now ending raised mo.stop's MarimoStopError
        self._context: Any = None
        self._stream: _OutputStream | None = None
        self._cell_name = _CellName()
        shell.events.register("pre_run_cell", self._pre_run_cell)
        shell.events.register("post_run_cell", self._post_run_cell)

    def take_state_updates(self) -> list[tuple[str, str | None]]:
        """The globals holding a state the cell that just ran set, each with that cell (read once)."""
        states, self._states = self._states, []
        return [(name, cell) for state, cell in states for name in self._holders(state)]

    def state_set(self, state: Any) -> None:
        """marimo's `register_state_update`: inside a cell, noted for when it ends (its readers run
        after it, as in marimo); outside (a UI element's on_change), its readers are told now."""
        if self._running is not None:
            self._states.append((state, None if state.allow_self_loops else self._running))
            return
        for name in self._holders(state):
            self.state_changed(name, None)

    def _holders(self, state: Any) -> list[str]:
        return [name for name, value in list(self.shell.user_ns.items()) if value is state]

    def _post_run_cell(self, result: Any) -> None:
        self._running = None
        self._cell_name.restore()  # a cell that failed to compile: the AST hook did not run

    def take_stopped(self) -> bool:
        """Whether the execution that just ended stopped with `mo.stop` (read once: it clears)."""
        stopped, self._stopped = self._stopped, False
        return stopped

    # ---- setup -------------------------------------------------------------------------------------

    def _pre_run_cell(self, info: Any) -> None:
        self._stopped = False
        if not self.installed and _wanted(getattr(info, "raw_cell", "") or ""):
            self.installed = True  # tried once, whatever happens
            try:
                self._install()
            except Exception as exc:  # a marimo whose internals moved: the kernel runs on, without it
                self.broken = True
                version = getattr(sys.modules.get("marimo"), "__version__", "?")
                print(
                    f"reactive_kernel: marimo {version} is not one this kernel supports (the `marimo` extra "
                    f"says which), so mo.stop and marimo's runtime context are off: {exc!r}",
                    file=sys.stderr,
                )
        if self.installed and not self.broken:
            self._enter_cell(getattr(info, "cell_id", None), getattr(info, "raw_cell", "") or "")
            self._cell_name.set(getattr(info, "raw_cell", "") or "")
            self._running = getattr(info, "cell_id", None) or ""

    def _install(self) -> None:
        import marimo  # noqa: F401  (the cell imports it anyway)
        from marimo._runtime.control_flow import MarimoStopError

        # marimo reads `__builtins__` from a cell's globals as a dict (as `exec` makes it in script mode);
        # IPython's namespace holds the module. Both are valid to Python; the dict is the same object.
        self.shell.user_ns["__builtins__"] = builtins.__dict__
        self._chain_custom_exc(MarimoStopError)
        self._stream = _OutputStream()
        self._context = _install_context(self, self._stream)
        _register_formatters(self.shell)
        # IPython's documented AST hook runs once the cell is compiled under its name: the name goes
        # back then, so processes the cell starts (another kernel, say) do not inherit it.
        self.shell.ast_transformers.append(_RestoreAfterCompile(self._cell_name))

    def _chain_custom_exc(self, stop_error: type[BaseException]) -> None:
        """IPython's documented custom exception hook takes one handler: ours comes first, then the
        kernel's (NameError hints), so mo.stop ends a cell without a traceback."""
        shell = self.shell
        previous_types, previous = shell.custom_exceptions, shell.CustomTB

        def handler(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None) -> Any:
            if isinstance(value, stop_error):
                self._stopped = True
                output = getattr(value, "output", None)
                if output is not None:  # displayed as any object is (a live UI element too, where bridged)
                    display(output)
                return None
            return previous(etype, value, tb, tb_offset=tb_offset)

        shell.set_custom_exc((*previous_types, stop_error), handler)

    def _enter_cell(self, cell_id: str | None, source: str) -> None:
        """The context names the running cell: mo.output writes to it, mo.cache hashes it."""
        from marimo._ast.compiler import compile_cell
        from marimo._runtime.context.types import ExecutionContext

        assert self._stream is not None
        self._stream.start_cell()
        key = cell_id or "__console__"
        app = self._context.app
        graph = app.graph
        for old in list(graph.cells):  # the running cell only: other cells' values are hashed as values
            graph.delete_cell(old)
        try:
            graph.register_cell(key, compile_cell(self.shell.transform_cell(source), key))
        except Exception:  # e.g. a syntax error, which IPython reports when it compiles the cell itself;
            pass  # unregistered, the cell still runs (only mo.cache inside it needs the entry)
        app.set_execution_context(ExecutionContext(cell_id=key, setting_element_value=False))

    def cli_args(self) -> list[str]:
        """The arguments after the notebook's path: those `reactive-kernel run` passes, else none."""
        return sys.argv[1:] if sys.argv != self.launch_argv else []


_CELL_NAME = "IPYKERNEL_CELL_NAME"  # ipykernel.compiler.get_file_name reads it (pinned in test_host_pins)


class _CellName:
    """The name IPython compiles the next cell under, while marimo's runtime is on: in a `__marimo__`
    folder, so marimo's block caches read the cell's code from its graph; one name per cell source
    (as ipykernel names cells), so each cell keeps its own lines in tracebacks and linecache."""

    def __init__(self) -> None:
        self._outer: str | None = None  # the variable's value before a cell set it
        self._set = False

    def set(self, source: str) -> None:
        if not self._set:
            self._outer, self._set = os.environ.get(_CELL_NAME), True
        digest = hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()[:20]
        folder = os.path.join(tempfile.gettempdir(), f"ipykernel_{os.getpid()}", "__marimo__")
        os.environ[_CELL_NAME] = os.path.join(folder, f"{digest}.py")

    def restore(self) -> None:
        if not self._set:
            return
        self._set = False
        if self._outer is None:
            os.environ.pop(_CELL_NAME, None)
        else:
            os.environ[_CELL_NAME] = self._outer


class _RestoreAfterCompile(ast.NodeTransformer):
    """Leaves the cell's code as it is; puts the cell name back once IPython has compiled the cell."""

    def __init__(self, name: _CellName) -> None:
        self._name = name

    def visit(self, node: ast.AST) -> ast.AST:
        self._name.restore()
        return node


_IMPORTS_MARIMO = re.compile(r"^\s*(?:import|from)\s+marimo\b", re.MULTILINE)


def _wanted(source: str) -> bool:
    """marimo is loaded, or this cell imports it (and it is installed): the cell will use it."""
    if "marimo" in sys.modules:
        return True
    return (
        "marimo" in source
        and _IMPORTS_MARIMO.search(source) is not None
        and importlib.util.find_spec("marimo") is not None
    )


# ---- marimo internals (pinned by tests/test_host_pins.py) ------------------------------------------


def _install_context(runtime: MarimoRuntime, stream: Any) -> Any:
    """Install marimo's script-mode context, as our subclass, for this (the kernel's main) thread."""
    from marimo._ast.app import App, InternalApp
    from marimo._cli.parse_args import parse_args
    from marimo._runtime.context.script_context import ScriptRuntimeContext, initialize_script_context
    from marimo._runtime.context.types import get_context, initialize_context, teardown_context
    from marimo._runtime.params import CLIArgs

    class KernelRuntimeContext(ScriptRuntimeContext):
        """Script mode, with the kernel's namespace and the run's own arguments."""

        @property
        def globals(self) -> dict[str, Any]:
            return runtime.shell.user_ns

        @property
        def cli_args(self) -> CLIArgs:
            return CLIArgs(parse_args(runtime.cli_args()))

        def register_state_update(self, state: Any) -> None:
            runtime.state_set(state)

    initialize_script_context(
        app=InternalApp(App()), stream=stream.as_marimo_stream(), filename=_notebook_file(runtime.shell)
    )
    script = get_context()
    teardown_context()
    context = KernelRuntimeContext(**{f.name: getattr(script, f.name) for f in fields(script)})
    initialize_context(runtime_context=context)
    return context


def _notebook_file(shell: Any) -> str:
    """The notebook's file, for mo.notebook_dir() and where mo.persistent_cache writes (`__marimo__/`
    beside it, as in script mode): `__file__` when a headless run set it, else the path Jupyter's server
    gives the kernel (JPY_SESSION_NAME), else a file in the working directory (the notebook's folder
    when JupyterLab starts the kernel)."""
    for candidate in (shell.user_ns.get("__file__"), os.environ.get("JPY_SESSION_NAME")):
        if isinstance(candidate, str) and os.path.isfile(candidate):
            return os.path.abspath(candidate)
    return os.path.join(os.getcwd(), "notebook.py")


class _OutputStream:
    """marimo's messages to its frontend: a cell's output (mo.output.replace/append/clear) becomes one
    Jupyter display per run of a cell, updated in place."""

    def __init__(self) -> None:
        self._handle: DisplayHandle | None = None

    def start_cell(self) -> None:
        self._handle = None

    def as_marimo_stream(self) -> Any:
        from marimo._messaging.types import Stream

        outer = self

        class KernelStream(Stream):
            def write(self, data: Any) -> None:
                outer.take(data)

        return KernelStream()

    def take(self, data: bytes | str) -> None:
        try:
            message = json.loads(data)
        except ValueError:
            return
        output = message.get("output") if isinstance(message, dict) else None
        if message.get("op") != "cell-op" or not isinstance(output, dict):
            return
        if output.get("channel") != "output":
            return
        mimetype, body = output.get("mimetype"), output.get("data", "")
        # marimo sends its HTML as text/html, or text/markdown when it came from mo.md: HTML either way.
        is_html = mimetype in ("text/html", "text/markdown") or body == ""  # "": cleared
        shown: Any = HTML(to_jupyter_html(body)) if is_html else _Raw(mimetype, body)
        if self._handle is None:
            self._handle = DisplayHandle()
            self._handle.display(shown)
        else:
            self._handle.update(shown)


class _Raw:
    """An output marimo sends with a mimetype other than HTML, passed on as it is."""

    def __init__(self, mimetype: str, data: Any) -> None:
        self.bundle = {mimetype or "text/plain": data}

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return self.bundle


def _register_formatters(shell: Any) -> None:
    """marimo's `Html` objects (mo.md, stacks, callouts ...) as HTML Jupyter renders, through IPython's
    display formatters (a documented hook). Its custom elements are translated (marimo_html)."""
    from marimo._output.hypertext import Html
    from marimo._output.md import _md
    from marimo._plugins.ui._impl.tabs import tabs

    formatters = shell.display_formatter.formatters
    for kind in (Html, tabs):  # tabs is a UI element: registered by its own class, ahead of UIElement's
        formatters["text/html"].for_type(kind, lambda obj: to_jupyter_html(obj.text))
        formatters["text/markdown"].for_type(kind, lambda obj: None)  # no escaped-HTML twin of the HTML
    # mo.md: its markdown is its text (a terminal, `reactive-kernel run`, shows it instead of `_md()`).
    formatters["text/plain"].for_type(_md, lambda obj, printer, cycle: printer.text(obj._repr_markdown_()))
