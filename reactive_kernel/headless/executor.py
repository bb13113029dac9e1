"""nbclient/nbconvert adapter: execute a whole notebook once, in dependency order, on a real kernel.

`DependencyOrderPreprocessor` is an nbconvert `ExecutePreprocessor` that runs the code cells in the order
`reactive_kernel.core.order` gives (parents first, ties by notebook position) and refuses a notebook whose
cells cannot run before starting anything. Outputs land in their own cells, so the notebook stays in
notebook order. A cell that stops itself (marimo's `mo.stop`; its reply says `reactive_stopped`) is not
an error, and the cells that read it are skipped, as marimo's script mode skips them. It is what
`reactive-kernel run` and `export` use, and what `jupyter nbconvert --execute` uses once configured
(see `dependency_order_preprocessors`).

Each execute_request names its cell in `metadata.cellId`, as JupyterLab's do: the kernel keys its graph
by cell id, which gives mutation warnings and NameErrors that name a deleted definition. nbclient sends
requests through `kc.execute(code, ...)`, which takes no metadata, so the preprocessor's kernel manager
(`kernel_manager_class`, nbclient's configurable) makes clients of our own class, `CellKernelClient`,
whose `execute` adds the id of the cell the preprocessor is running.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from queue import Empty
from typing import Any

from jupyter_client import AsyncKernelClient, AsyncKernelManager
from jupyter_client.channels import AsyncZMQSocketChannel
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, DeadKernelError
from nbconvert.exporters import Exporter
from nbconvert.preprocessors import ExecutePreprocessor
from nbformat import NotebookNode
from traitlets import DottedObjectName, Enum, List, Type, Unicode, default

from reactive_kernel import KERNELSPEC, formats
from reactive_kernel.core import order
from reactive_kernel.core.cells import cell_source
from reactive_kernel.core.errors import UnrunnableNotebookError
from reactive_kernel.core.naming import title_of
from reactive_kernel.kernel import protocol_out

NBCONVERT_EXECUTE = "nbconvert.preprocessors.ExecutePreprocessor"
# The kernel's own log (a warning about TCP on every start) would mix with the notebook's output.
QUIET_KERNEL = ["--IPKernelApp.log_level=ERROR"]
OutputHook = Callable[[int, NotebookNode], None]


def dependency_order_preprocessors() -> list[Any]:
    """nbconvert's default preprocessors with its executor swapped for ours.

    In a `jupyter_nbconvert_config.py`: `c.Exporter.default_preprocessors =
    dependency_order_preprocessors()`; `--execute` then enables ours, because config for
    `ExecutePreprocessor` applies to its subclasses.
    """
    defaults = Exporter.class_traits()["default_preprocessors"].default()
    here = f"{__name__}.{DependencyOrderPreprocessor.__name__}"
    return [here if item == NBCONVERT_EXECUTE else item for item in defaults]


class DependencyOrderPreprocessor(ExecutePreprocessor):
    """Execute a notebook's code cells in dependency order; other cells and kernels as nbconvert does."""

    order = Enum(
        ["auto", "dependency", "notebook"],
        default_value="auto",
        help="'dependency': run code cells parents first and refuse notebooks with syntax errors, globals "
        "defined in two cells or cycles before running anything. 'notebook': top to bottom, like "
        "nbconvert's ExecutePreprocessor. 'auto': dependency order on the reactive kernel "
        f"({KERNELSPEC['name']}), notebook order on any other kernel.",
    ).tag(config=True)
    preamble = Unicode(
        "", help="Code run silently before the first cell, outside the graph (e.g. to set sys.argv)."
    )
    blocked = List(help="After a run with allow_errors: cells skipped because a cell they read failed.")
    stopped = List(
        help="After a run: cells skipped because a cell they read stopped itself (marimo's mo.stop), "
        "as marimo's script mode skips them."
    )

    def __init__(self, on_output: OutputHook | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_output = on_output  # called with (cell index, output) as each output arrives
        self.failed_cell: int | None = None  # the index of the cell whose error stopped the run
        self._ended_early = False  # the cell just run ended itself without an error (mo.stop)
        self._configured_hook = self.on_cell_executed
        self.on_cell_executed = self._note_reply

    @default("kernel_manager_class")
    def _cell_kernel_manager(self) -> type[AsyncKernelManager]:
        # A configured kernel_manager_class (or a kernel manager passed to preprocess) is kept: its
        # clients send no cell ids, and the reactive kernel runs those cells outside its graph.
        return CellKernelManager

    def preprocess(
        self, nb: NotebookNode, resources: Any = None, km: Any = None
    ) -> tuple[NotebookNode, dict[str, Any]]:
        if not self._in_dependency_order(nb):
            return super().preprocess(nb, resources, km)
        policy = order.definitions(nb.get("metadata", {}), marimo=formats.format_of(nb) == "marimo")
        plan = order.plan(nb.cells, policy)
        if plan.problems:
            raise UnrunnableNotebookError(order.explain(nb.cells, p) for p in plan.problems)
        # The same steps as ExecutePreprocessor.preprocess, with our order in the loop.
        NotebookClient.__init__(self, nb, km)  # resets the client's state, as ExecutePreprocessor does
        self.reset_execution_trackers()
        if resources:  # before the kernel starts: its working directory is resources' metadata.path
            self.resources = resources
        with self.setup_kernel():
            assert self.kc is not None
            info = self.wait_for_reply(self.kc.kernel_info())
            assert info is not None
            self.nb.metadata["language_info"] = info["content"]["language_info"]
            self._describe_notebook(policy)
            if self.preamble:
                self.wait_for_reply(self.kc.execute(self.preamble, silent=True, store_history=False))
            self._run(plan, resources)
        self.set_widgets_metadata()
        return self.nb, self.resources

    def _run(self, plan: order.RunOrder, resources: Any) -> None:
        """Each cell once, parents first; with allow_errors, what reads a failed cell is skipped, and
        what reads a cell that stopped itself (mo.stop) is always skipped."""
        failed: set[int] = set()
        halted: set[int] = set()
        skipped: list[int] = []
        stopped: list[int] = []
        for index in plan.order:
            if plan.parents[index] & failed:
                failed.add(index)
                skipped.append(index)
                continue
            if plan.parents[index] & halted:
                halted.add(index)
                stopped.append(index)
                continue
            cell = self.nb.cells[index]
            self._ended_early = False
            self.preprocess_cell(cell, resources, index)
            if any(out.get("output_type") == "error" for out in cell.get("outputs", ())):
                failed.add(index)
            elif self._ended_early:
                halted.add(index)
        self.blocked = skipped
        self.stopped = stopped

    def _describe_notebook(self, policy: str) -> None:
        """Tell the kernel the notebook's cells in notebook order, and its definitions policy.

        Where a read resolves (`ordered`: the nearest definer above) depends on notebook order, which
        the kernel cannot see from the dependency order cells run in. Sent on the shell channel before
        the first cell, over the protocol's comm, as a frontend would.
        """
        assert self.kc is not None
        cells = [
            {
                "id": cell_id(c, i),
                "source": cell_source(c),
                "cell_type": c.get("cell_type", "code"),
                "title": title_of(c.get("metadata")),  # so the kernel's notes name cells as people do
            }
            for i, c in enumerate(self.nb.cells)
        ]
        comm = uuid.uuid4().hex
        sync = {"type": "sync", "cells": cells, "observer": True}  # it runs no `run` lists
        messages = [
            ("comm_open", {"comm_id": comm, "target_name": protocol_out.COMM_TARGET, "data": sync}),
            ("comm_msg", {"comm_id": comm, "data": {"type": "set_definitions", "definitions": policy}}),
        ]
        for kind, content in messages:
            self.kc.shell_channel.send(self.kc.session.msg(kind, content))

    def _in_dependency_order(self, nb: NotebookNode) -> bool:
        if self.order != "auto":
            return self.order == "dependency"
        kernel = self.kernel_name or nb.get("metadata", {}).get("kernelspec", {}).get("name", "")
        return kernel == KERNELSPEC["name"]

    # ---- per cell: tell the kernel which cell runs, and pass outputs on as they arrive ---------------

    def preprocess_cell(self, cell: NotebookNode, resources: Any, index: int) -> tuple[NotebookNode, Any]:
        client = self.kc if isinstance(self.kc, CellKernelClient) else None
        if client is not None:
            client.cell_id = cell_id(cell, index)
        try:
            return super().preprocess_cell(cell, resources, index)
        except (CellExecutionError, DeadKernelError):
            self.failed_cell = index
            raise
        finally:
            if client is not None:
                client.cell_id = None

    def start_new_kernel_client(self) -> Any:
        """nbclient's, with a kernel that dies before it is ready reported as a dead kernel."""
        try:
            return super().start_new_kernel_client()
        except RuntimeError as exc:  # jupyter_client: "Kernel died before replying to kernel_info"
            raise DeadKernelError(f"it did not start ({exc}); its own error is printed above") from exc

    def _note_reply(self, **hook: Any) -> Any:
        """nbclient's `on_cell_executed` hook: note a cell that stopped itself; then the configured hook."""
        reply = hook.get("execute_reply") or {}
        if reply.get("content", {}).get(protocol_out.STOPPED):
            self._ended_early = True
        return self._configured_hook(**hook) if self._configured_hook is not None else None

    def output(self, outs: list[NotebookNode], msg: dict[str, Any], display_id: Any, cell_index: int) -> Any:
        out = super().output(outs, msg, display_id, cell_index)
        if out is not None and self._on_output is not None:
            self._on_output(cell_index, out)
        return out


def cell_id(cell: Mapping[str, Any], index: int) -> str:
    """The id the kernel knows a cell by in a headless run: its notebook id, or one from its position."""
    return cell.get("id") or f"cell-{index}"


WAIT_SLICE = 1.0  # seconds: how long one look for a message may wait before looking again


class SlicedWaitChannel(AsyncZMQSocketChannel):
    """An async channel whose endless wait for a message is a series of waits of WAIT_SLICE seconds.

    nbclient waits for a cell's reply and for its outputs with `get_msg(timeout=None)`: one
    `socket.poll(None)` per channel. With a notebook full of widgets that wait sometimes never ends
    although the kernel has answered and is idle (about one `reactive-kernel run` in ten of a widget
    notebook here; nbclient #312 reports it on plain nbclient). With a finite timeout it did not happen
    in 36 runs. Waiting in slices looks at the socket again every second, so a wake-up that was missed
    costs at most a second instead of the run; a wait with a timeout is left as it was.
    """

    async def get_msg(self, timeout: float | None = None) -> dict[str, Any]:  # type: ignore[override]
        if timeout is not None:
            return await super().get_msg(timeout)
        while True:
            try:
                return await super().get_msg(WAIT_SLICE)
            except Empty:
                continue


class CellKernelClient(AsyncKernelClient):
    """jupyter_client's async kernel client, whose execute requests name the cell they run."""

    cell_id = Unicode(None, allow_none=True, help="The cell now running: set by DependencyOrderPreprocessor.")
    # Endless waits in slices (see SlicedWaitChannel), through the client's configurable channel classes.
    shell_channel_class = Type(SlicedWaitChannel)  # type: ignore[assignment]
    iopub_channel_class = Type(SlicedWaitChannel)  # type: ignore[assignment]

    def execute(
        self,
        code: str,
        silent: bool = False,
        store_history: bool = True,
        user_expressions: dict[str, Any] | None = None,
        allow_stdin: bool | None = None,
        stop_on_error: bool = True,
    ) -> str:
        """KernelClient.execute, plus `metadata.cellId` while a cell runs (silent code has no cell)."""
        args = (code, silent, store_history, user_expressions, allow_stdin, stop_on_error)
        if self.cell_id is None or silent:
            return super().execute(*args)
        content = {
            "code": code,
            "silent": silent,
            "store_history": store_history,
            "user_expressions": user_expressions or {},
            "allow_stdin": self.allow_stdin if allow_stdin is None else allow_stdin,
            "stop_on_error": stop_on_error,
        }
        msg = self.session.msg("execute_request", content, metadata={"cellId": self.cell_id})
        self.shell_channel.send(msg)
        return msg["header"]["msg_id"]


class CellKernelManager(AsyncKernelManager):
    """jupyter_client's async kernel manager, making `CellKernelClient`s (its configurable client class)."""

    client_class = DottedObjectName(f"{__name__}.CellKernelClient", config=True)
    client_factory = Type(CellKernelClient, klass=AsyncKernelClient, config=True)


__all__ = ["CellExecutionError", "DependencyOrderPreprocessor", "dependency_order_preprocessors"]
