"""A notebook client without the reactive_kernel extension that applies display updates, as VS Code does.

It keeps each cell's output list the way a notebook frontend does: running a cell clears its outputs,
and every output whose parent is that cell's `execute_request` is added to them. `update_display_data`
replaces the data of every output, in any cell, published with that `transient.display_id`. Widget
state (comm_open and `update` comm messages of ipywidgets models) is kept per model, so the outputs of
an `ipywidgets.Output` shown in a cell can be read as a page with live widgets (Voilà) would show them.
It opens no comm of its own: the kernel sees a plain Jupyter client.
"""

from __future__ import annotations

import queue
import re
from typing import Any

from jupyter_client.manager import KernelManager

TIMEOUT = 60
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class DisplayClient:
    """A real kernel and the cells' outputs as a display-updating frontend shows them."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.km = KernelManager(kernel_name="reactive-python")
        self.km.start_kernel(env=env) if env else self.km.start_kernel()
        self.kc = self.km.blocking_client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=TIMEOUT)
        self.outputs: dict[str, list[dict[str, Any]]] = {}  # cell id -> its outputs, as shown
        self.widgets: dict[str, dict[str, Any]] = {}  # model id -> its state
        self._replies: dict[str, dict[str, Any]] = {}  # request msg id -> its execute_reply content
        self._cell_of: dict[str, str] = {}  # request msg id -> the cell it executes

    def run(self, cell_id: str, code: str) -> dict[str, Any]:
        """Execute a cell, as a frontend does (outputs cleared, `cellId` in the metadata); its reply."""
        msg_id = self.start(cell_id, code)
        self.wait(msg_id)
        return self._replies.pop(msg_id)

    def start(self, cell_id: str, code: str) -> str:
        """Send a cell's execute_request without waiting for it (see `wait`)."""
        self.outputs[cell_id] = []
        content = {"code": code, "silent": False, "store_history": True, "allow_stdin": False}
        msg = self.kc.session.msg("execute_request", content, metadata={"cellId": cell_id})
        self._cell_of[msg["header"]["msg_id"]] = cell_id
        self.kc.shell_channel.send(msg)
        return msg["header"]["msg_id"]

    def console(self, code: str) -> str:
        """Run code outside the notebook (no cell id), as a console does; its stdout."""
        printed: list[str] = []
        msg_id = self.kc.execute(code)
        self.wait(msg_id, printed)
        return "".join(printed)

    def move(self, model_id: str, **state: Any) -> None:
        """What a widget view sends when the user changes it in the browser."""
        data = {"method": "update", "state": state, "buffer_paths": []}
        msg = self.kc.session.msg("comm_msg", {"comm_id": model_id, "data": data})
        self.kc.shell_channel.send(msg)
        self.wait(msg["header"]["msg_id"])

    def wait(self, msg_id: str, printed: list[str] | None = None) -> None:
        """Apply iopub messages until the kernel is idle after request `msg_id`."""
        while not self.next(msg_id, printed):
            pass
        if msg_id in self._cell_of:
            while msg_id not in self._replies:
                reply = self.kc.get_shell_msg(timeout=TIMEOUT)
                self._replies[reply["parent_header"].get("msg_id")] = reply["content"]

    def next(self, msg_id: str | None = None, printed: list[str] | None = None) -> bool:
        """Apply one iopub message; whether it was the idle status after request `msg_id`."""
        try:
            msg = self.kc.get_iopub_msg(timeout=TIMEOUT)
        except queue.Empty as exc:
            raise TimeoutError(f"kernel did not go idle after {msg_id}") from exc
        kind, content = msg["msg_type"], msg["content"]
        parent = msg["parent_header"].get("msg_id")
        cell = self._cell_of.get(parent)
        if kind == "stream" and printed is not None and parent == msg_id:
            printed.append(content["text"])
        if kind == "update_display_data":
            target = content.get("transient", {}).get("display_id")
            for outputs in self.outputs.values():
                for output in outputs:
                    if target is not None and output.get("display_id") == target:
                        output["data"], output["metadata"] = content["data"], content.get("metadata", {})
        elif kind == "clear_output" and cell is not None:
            self.outputs[cell] = []
        elif kind in ("stream", "display_data", "execute_result", "error") and cell is not None:
            output = {"output_type": kind, **content}
            output["display_id"] = content.get("transient", {}).get("display_id")
            self.outputs[cell].append(output)
        elif kind == "comm_open" and content.get("target_name") == "jupyter.widget":
            self.widgets[content["comm_id"]] = dict(content["data"].get("state", {}))
        elif kind == "comm_msg" and content["comm_id"] in self.widgets:
            data = content["data"]
            if data.get("method") == "update":
                self.widgets[content["comm_id"]].update(data.get("state", {}))
        return kind == "status" and content["execution_state"] == "idle" and parent == msg_id

    def shown(self, cell_id: str) -> str:
        """What a user reads in a cell's outputs: text, or the text of an Output widget's outputs."""
        parts = []
        for output in self.outputs.get(cell_id, []):
            parts.append(_text(output))
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view and view["model_id"] in self.widgets:
                parts.extend(_text(o) for o in self.widgets[view["model_id"]].get("outputs", []))
        return "".join(parts)

    def widget_outputs(self, cell_id: str) -> list[dict[str, Any]]:
        """The outputs of the Output widget shown in a cell."""
        (output,) = self.outputs[cell_id]
        return list(self.widgets[output["data"][WIDGET_VIEW]["model_id"]]["outputs"])

    def shutdown(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


def _text(output: dict[str, Any]) -> str:
    if "text" in output:
        return output["text"]
    if "traceback" in output:
        return _ANSI.sub("", "\n".join(output["traceback"]))
    data = output.get("data", {})
    return "" if WIDGET_VIEW in data else data.get("text/plain", "")
