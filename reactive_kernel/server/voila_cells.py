"""Voilà's execute requests name the cell they run, so the reactive kernel keeps Voilà's cells in its graph.

The kernel re-runs only cells whose executions named them (`metadata.cellId`, docs/protocol.md), and
Voilà runs a notebook through nbclient's `kc.execute(code)`, which sends no metadata. `config()` is the
Voilà configuration that fills the gap with two configurables: the kernel managers' `client_class` makes
`CellNamingClient`s, and the executor's `on_cell_execute` / `on_cell_executed` hooks (nbclient's) record
which cell runs, in a context variable of the page load's task, just before its request is sent.
`ReactiveVoila` (`reactive-kernel app`) applies it, and so does any Voilà in an environment where this
package is installed: it ships `etc/jupyter/voila.py`, a configuration file Voilà reads at start. Voilà
inside a Jupyter server runs pages with the server's configuration instead, where our server extension
puts it (`server.extension`).

Any kernel may get the id (JupyterLab sends it to every kernel); Voilà's own code (it sets
`VOILA_KERNEL_ID` before the first cell) runs between cells and gets none.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

from jupyter_client.asynchronous import AsyncKernelClient
from traitlets.config import Config

_RUNNING: ContextVar[str | None] = ContextVar("reactive_voila_cell", default=None)


def cell_id(cell: Mapping[str, Any], cell_index: int) -> str:
    """The id the kernel knows a cell by: its nbformat id, or one from its position (as headless runs do)."""
    return cell.get("id") or f"cell-{cell_index}"


def cell_starts(cell: Mapping[str, Any], cell_index: int, **_: Any) -> None:
    """nbclient's `on_cell_execute`: the next request is this cell's."""
    _RUNNING.set(cell_id(cell, cell_index))


def cell_done(cell: Mapping[str, Any], cell_index: int, **_: Any) -> None:
    """nbclient's `on_cell_executed`: requests from now on are no cell's."""
    _RUNNING.set(None)


class CellNamingClient(AsyncKernelClient):
    """jupyter_client's async client, whose execute requests name the cell Voilà's executor is running."""

    def execute(
        self,
        code: str,
        silent: bool = False,
        store_history: bool = True,
        user_expressions: dict[str, Any] | None = None,
        allow_stdin: bool | None = None,
        stop_on_error: bool = True,
    ) -> str:
        cell = _RUNNING.get()
        if cell is None or silent:
            return super().execute(code, silent, store_history, user_expressions, allow_stdin, stop_on_error)
        content = {
            "code": code,
            "silent": silent,
            "store_history": store_history,
            "user_expressions": user_expressions or {},
            "allow_stdin": self.allow_stdin if allow_stdin is None else allow_stdin,
            "stop_on_error": stop_on_error,
        }
        msg = self.session.msg("execute_request", content, metadata={"cellId": cell})
        self.shell_channel.send(msg)
        return msg["header"]["msg_id"]


def config() -> Config:
    """The Voilà configuration that names cells (read when Voilà makes a page's kernel and executor)."""
    return Config(
        {
            "AsyncKernelManager": {"client_class": f"{__name__}.{CellNamingClient.__name__}"},
            "VoilaExecutor": {"on_cell_execute": cell_starts, "on_cell_executed": cell_done},
        }
    )
