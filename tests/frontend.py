"""A scripted frontend for tests: a real kernel process, driven the way the JupyterLab extension drives it.

It speaks docs/protocol.md over a real comm and executes cells with `metadata.cellId`, following the
frontend rules there: run lists replace the previous one, and a listed cell whose status is no longer
`queued` when its turn comes is skipped. `sync` sends the whole notebook, as a frontend without deltas
does; `sync(numbered=True)` then `send_delta` send only what changed, answering `resync` with the whole
notebook, as the JupyterLab extension does. `run` waits for each reply before the next request; `run_ahead`
sends a run list's cells in one go, marked `reactiveScheduled`, as the JupyterLab extension does.

`Frontend(share=other)` is a second viewer of the same kernel, as a second browser tab is: its own client,
with its own client session id (`header.session`), and its own comm. With `same_session=True` it is a
second view in the same page instead: JupyterLab's views of one notebook share one kernel connection.
"""

from __future__ import annotations

import queue
import uuid
from dataclasses import dataclass, field
from typing import Any

from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.manager import KernelManager

from reactive_kernel.core.naming import cell_label, render
from tests.notebook_delta import Cell, delta_message, sync_message

TIMEOUT = 60
_OUTPUTS = ("stream", "error", "execute_result", "display_data")


@dataclass
class Execution:
    """One execute_request and everything the kernel said about it."""

    cell_id: str | None
    reply: dict[str, Any]
    outputs: list[dict[str, Any]] = field(default_factory=list)
    started: bool = False  # the kernel published execute_input: the cell's code began

    @property
    def status(self) -> str:
        return self.reply["status"]

    @property
    def stdout(self) -> str:
        return "".join(o["text"] for o in self.outputs if o.get("name") == "stdout")

    @property
    def stderr(self) -> str:
        return "".join(o["text"] for o in self.outputs if o.get("name") == "stderr")

    @property
    def text(self) -> str:
        """Everything a user would read in the cell's output area."""
        parts = []
        for o in self.outputs:
            if "text" in o:
                parts.append(o["text"])
            elif "data" in o:
                parts.append(o["data"].get("text/plain", ""))
            elif "ename" in o:
                parts.append(f"{o['ename']}: {o['evalue']}")
        return "\n".join(parts)


class Frontend:
    """A notebook (ordered cells), a kernel, and the comm between them."""

    def __init__(
        self,
        kernel_name: str = "reactive-python",
        open_comm: bool = True,
        share: Frontend | None = None,
        same_session: bool = False,
        **start: Any,
    ) -> None:
        self._owns_kernel = share is None
        if share is None:
            self.km = KernelManager(kernel_name=kernel_name)
            self.km.start_kernel(**start)  # e.g. env=..., extra_arguments=[...]
            self.kc = self.km.blocking_client()
        else:  # another viewer of `share`'s kernel: a client of its own, with a new session id
            self.km = share.km
            self.kc = BlockingKernelClient()
            self.kc.load_connection_info(share.km.get_connection_info())
        self.kc.start_channels()
        if same_session:
            # Only the header's session is shared: the sockets keep their own ZMQ identities (taken from
            # the session id at connect time), and msg ids (`<session>_<pid>_<count>`) must not collide.
            self.kc.session.session = share.kc.session.session
            self.kc.session.message_count = 1_000_000
        self.kc.wait_for_ready(timeout=TIMEOUT)
        self.cells: dict[str, str] = {}  # id -> source, in notebook order
        self.markdown: set[str] = set()  # cells of `cells` that are markdown (they count in positions)
        self.titles: dict[str, str] = {}  # id -> its name or title (cell metadata), for labels
        self.disabled: set[str] = set()
        self.cache: dict[str, str] = {}  # id -> "memory" or "disk" (cell metadata reactive.cache)
        self.states: dict[str, dict[str, Any]] = {}
        self.run_list: list[str] = []
        self.messages: list[dict[str, Any]] = []  # every comm message the kernel sent us
        self.executed: list[str] = []  # cell ids in the order they were executed
        self.comm_id: str | None = None
        self.rev = 0  # number of the last numbered sync or delta sent
        self._sent: list[Cell] | None = None  # the cells the kernel has from our last numbered message
        self._replies: dict[str, dict[str, Any]] = {}  # shell replies read while waiting for another
        if open_comm:
            self.open_comm()

    # ---- comm ------------------------------------------------------------------------------------

    def open_comm(self, data: dict[str, Any] | None = None) -> None:
        self.comm_id = uuid.uuid4().hex
        self._sent = None
        content = {"comm_id": self.comm_id, "target_name": "reactive_kernel", "data": data or {}}
        self._request("comm_open", content)

    def close_comm(self) -> None:
        self._request("comm_close", {"comm_id": self.comm_id, "data": {}})
        self.comm_id = None

    def send(self, data: Any) -> None:
        """Send one comm message and wait until the kernel has handled it."""
        self._request("comm_msg", {"comm_id": self.comm_id, "data": data})

    def sync(self, numbered: bool = False) -> dict[str, Any]:
        """Send the whole notebook; `numbered` gives it a `rev`, so deltas can follow it. Returns it."""
        cells = self._cells()
        if numbered:
            self.rev += 1
        message = sync_message(cells, self.rev if numbered else None)
        self.send(message)
        self._sent = cells if numbered else None
        return message

    def send_delta(self) -> dict[str, Any] | None:
        """Send what changed since the last numbered sync or delta (None: nothing did); returns it.

        When the kernel answers `resync`, sends the whole notebook, numbered, as the extension does.
        """
        if self._sent is None:
            raise RuntimeError("a delta builds on a numbered sync: call sync(numbered=True) first")
        cells = self._cells()
        message = delta_message(self._sent, cells, self.rev, self.rev + 1)
        if message is None:
            return None
        self.rev += 1
        heard = len(self.messages)
        self.send(message)
        self._sent = cells
        if any(m.get("type") == "resync" and m.get("rev") == self.rev for m in self.messages[heard:]):
            self.sync(numbered=True)
        return message

    def _cells(self) -> list[Cell]:
        return [
            Cell(
                i,
                s,
                i in self.disabled,
                self.cache.get(i, "off"),
                self.titles.get(i),
                "markdown" if i in self.markdown else "code",
            )
            for i, s in self.cells.items()
        ]

    def label(self, cell_id: str) -> str:
        """How the extension names a cell: its position here and the name the kernel's state gives it."""
        position = list(self.cells).index(cell_id) + 1 if cell_id in self.cells else None
        return cell_label(position, self.states.get(cell_id, {}).get("name"))

    def shown(self, text: str) -> str:
        """A state's error or warning as the extension shows it: each cell it mentions, as its label."""
        return render(text, self.label)

    def status(self, cell_id: str) -> str:
        return self.states[cell_id]["status"]

    def statuses(self) -> dict[str, str]:
        return {c: self.states[c]["status"] for c in self.cells if c in self.states}

    def last(self, kind: str) -> dict[str, Any]:
        return [m for m in self.messages if m.get("type") == kind][-1]

    # ---- executing -------------------------------------------------------------------------------

    def execute(
        self, cell_id: str | None, code: str, deleted: list[str] | None = None, **raw_metadata: Any
    ) -> Execution:
        """One execute_request, as JupyterLab sends it (cellId and deletedCells in metadata)."""
        metadata: dict[str, Any] = dict(raw_metadata)
        if cell_id is not None:
            metadata["cellId"] = cell_id
        if deleted:
            metadata["deletedCells"] = deleted
        content = {
            "code": code,
            "silent": False,
            "store_history": True,
            "allow_stdin": False,
            "stop_on_error": True,
        }
        execution = Execution(cell_id, {})
        execution.reply = self._request("execute_request", content, metadata, execution.outputs)
        if cell_id is not None:
            self.executed.append(cell_id)
        return execution

    def run(self, cell_id: str, deleted: list[str] | None = None) -> dict[str, Execution]:
        """Run one cell and then whatever the kernel schedules, like the extension's auto-run."""
        results = {cell_id: self.execute(cell_id, self.cells[cell_id], deleted)}
        while self.run_list:
            nxt = self.run_list.pop(0)
            if self.states.get(nxt, {}).get("status") == "queued":
                results[nxt] = self.execute(nxt, self.cells[nxt])
        return results

    def run_ahead(self, cell_id: str, before_sending: Any = None) -> dict[str, list[Execution]]:
        """Run one cell, then send each run list's queued cells at once, ahead of their turn.

        Follows the extension: a cell is sent again when its request came back unstarted while the
        kernel still lists it as queued (at most three times per list). `before_sending(ids)` runs
        before each batch goes out. Returns every execution by cell id, skipped ones included.
        """
        results: dict[str, list[Execution]] = {cell_id: [self.execute(cell_id, self.cells[cell_id])]}
        inflight: dict[str, tuple[str, Execution]] = {}  # cell id -> (msg_id, execution)
        attempts: dict[str, int] = {}
        listed = list(self.run_list)
        while True:
            if self.run_list != listed:
                listed, attempts = list(self.run_list), {}
            due = [
                c
                for c in self.run_list
                if c not in inflight
                and self.states.get(c, {}).get("status") == "queued"
                and attempts.get(c, 0) < 3
            ]
            if before_sending is not None and due:
                before_sending(due)
            for c in due:
                attempts[c] = attempts.get(c, 0) + 1
                inflight[c] = (self._send_execute(c, self.cells[c], reactiveScheduled=True), Execution(c, {}))
            if not inflight:
                return results
            first = next(iter(inflight))
            msg_id, execution = inflight.pop(first)
            self._drain(msg_id, execution.outputs, execution, {m: e for m, e in inflight.values()})
            execution.reply = self._reply(msg_id)
            if execution.started:
                self.executed.append(first)
            results.setdefault(first, []).append(execution)

    def add(self, cell_id: str, source: str, sync: bool = True) -> None:
        self.cells[cell_id] = source
        if sync:
            self.sync()

    @property
    def session_id(self) -> str:
        """The client session id this frontend's messages carry in `header.session`."""
        return self.kc.session.session

    def catch_up(self) -> None:
        """Take every comm message the kernel sent so far (a request of ours waits behind them)."""
        self._request("kernel_info_request", {})

    def runs(self) -> list[list[str]]:
        """Every `run` list this frontend's comm received."""
        return [m["cells"] for m in self.messages if m.get("type") == "run"]

    def shutdown(self) -> None:
        self.kc.stop_channels()
        if self._owns_kernel:
            self.km.shutdown_kernel(now=True)

    # ---- plumbing --------------------------------------------------------------------------------

    def _send_execute(self, cell_id: str, code: str, **metadata: Any) -> str:
        content = {
            "code": code,
            "silent": False,
            "store_history": True,
            "allow_stdin": False,
            "stop_on_error": False,
        }
        msg = self.kc.session.msg("execute_request", content, metadata={"cellId": cell_id, **metadata})
        self.kc.shell_channel.send(msg)
        return msg["header"]["msg_id"]

    def _request(
        self,
        msg_type: str,
        content: dict[str, Any],
        metadata: dict[str, Any] | None = None,
        outputs: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        msg = self.kc.session.msg(msg_type, content, metadata=metadata or {})
        self.kc.shell_channel.send(msg)
        self._drain(msg["header"]["msg_id"], outputs)
        if msg_type != "execute_request":
            return {}
        return self._reply(msg["header"]["msg_id"])

    def _reply(self, msg_id: str) -> dict[str, Any]:
        while msg_id not in self._replies:
            reply = self.kc.get_shell_msg(timeout=TIMEOUT)
            self._replies[reply["parent_header"].get("msg_id")] = reply["content"]
        return self._replies.pop(msg_id)

    def _drain(
        self,
        msg_id: str,
        outputs: list[dict[str, Any]] | None,
        execution: Execution | None = None,
        others: dict[str, Execution] | None = None,
    ) -> None:
        """Read iopub until the kernel is idle after this request, taking comm messages as they come.

        Messages for `others` (requests still in flight) are filed with them.
        """
        while True:
            try:
                msg = self.kc.get_iopub_msg(timeout=TIMEOUT)
            except queue.Empty as exc:
                raise TimeoutError(f"kernel did not go idle after {msg_id}") from exc
            kind, content = msg["msg_type"], msg["content"]
            if kind == "comm_msg" and content.get("comm_id") == self.comm_id:
                self._take(content["data"])
            parent = msg["parent_header"].get("msg_id")
            if parent != msg_id:
                if others and parent in others:
                    _file(others[parent], kind, content)
                continue
            if execution is not None:
                _file(execution, kind, content)
            elif outputs is not None:
                _show(outputs, kind, content)
            if kind == "status" and content["execution_state"] == "idle":
                return

    def _take(self, data: dict[str, Any]) -> None:
        self.messages.append(data)
        if data.get("type") == "state":
            for cell_id, entry in data["cells"].items():
                self.states[cell_id] = entry
        elif data.get("type") == "run":
            self.run_list = list(data["cells"])


def _file(execution: Execution, kind: str, content: dict[str, Any]) -> None:
    if kind == "execute_input":
        execution.started = True
    else:
        _show(execution.outputs, kind, content)


def _show(outputs: list[dict[str, Any]], kind: str, content: dict[str, Any]) -> None:
    """Add an output, or apply a display update to the outputs it names, as a frontend does."""
    if kind in _OUTPUTS:
        outputs.append(content)
    elif kind == "update_display_data":
        target = content.get("transient", {}).get("display_id")
        for output in outputs:
            if target is not None and output.get("transient", {}).get("display_id") == target:
                output["data"] = content["data"]
