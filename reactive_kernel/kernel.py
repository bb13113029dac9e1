"""ipykernel subclass: executes cells, keeps the scheduler in step, and tells the frontend what to run."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from ipykernel.ipkernel import IPythonKernel
from traitlets import Enum, Unicode

from reactive_kernel import __version__, output_tap, protocol_in, protocol_out
from reactive_kernel.cell_cache import CellCache, Entry, UnreadableInput, cache_key
from reactive_kernel.comm import FrontendLink
from reactive_kernel.magics import ReactiveMagics
from reactive_kernel.scheduler import MODES, Mode, Plan, Refusal, Scheduler
from reactive_kernel.sql_magic import SqlMagics
from reactive_kernel.widgets import WidgetWatch


class ReactiveKernel(IPythonKernel):
    """Executions that carry a cell id join the graph; the rest run as plain IPython."""

    implementation = "reactive_kernel"
    implementation_version = __version__
    banner = f"reactive_kernel {__version__}: run a cell, and the cells that read what it defines run next"

    mode = Enum(
        list(MODES),
        default_value="autorun",
        help="What happens to a cell's descendants after it runs: "
        "'autorun' runs them, 'lazy' marks them stale.",
    ).tag(config=True)

    cache_dir = Unicode(
        "",
        help="Where cells cached on disk (cell metadata reactive.cache = 'disk') keep their results; "
        "empty: $XDG_CACHE_HOME/reactive_kernel/cells (~/.cache/reactive_kernel/cells).",
    ).tag(config=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scheduler = Scheduler(mode=self.mode)
        self.cell_cache = CellCache(Path(self.cache_dir) if self.cache_dir else None)
        self.current_cell: str | None = None  # the cell whose code is executing, for %reactive
        self.widgets = WidgetWatch(self._value_changed)
        self.link = FrontendLink(
            self.comm_manager,
            self._handle,
            self._attach,
            lambda: protocol_out.hello(self.scheduler.mode),
            lambda: self.get_parent("shell"),  # whose request a run list answers: it runs there
        )
        self.shell.register_magics(ReactiveMagics(self.shell, self))
        self.shell.register_magics(SqlMagics(self.shell))
        self.shell.set_custom_exc((NameError,), self._explain_name_error)
        self._interrupted_idle = False  # an interrupt arrived while no cell was executing
        if threading.current_thread() is threading.main_thread():
            # ipykernel ignores SIGINT between requests and raises KeyboardInterrupt during them; an
            # interrupt that lands between two cells of a cascade must still stop it.
            signal.signal(signal.SIGINT, self._note_idle_interrupt)

    def should_handle(self, stream: Any, msg: dict[str, Any], idents: Any) -> bool:
        """Before any shell request: apply an idle interrupt, and skip scheduled cells that are not due."""
        if self._interrupted_idle:
            self._interrupted_idle = False
            self._apply(self.scheduler.stop())
        cell_id = protocol_in.scheduled_cell(msg)
        if cell_id is None:
            return True
        plan = self.scheduler.admit(cell_id)
        self._apply(plan)
        if not plan.execute:
            self._skip(stream, msg, idents)
        return plan.execute

    async def do_execute(
        self,
        code: str,
        silent: bool,
        store_history: bool = True,
        user_expressions: dict[str, Any] | None = None,
        allow_stdin: bool = False,
        *,
        cell_meta: dict[str, Any] | None = None,
        cell_id: str | None = None,
    ) -> dict[str, Any]:
        execute = super().do_execute
        args = (code, silent, store_history, user_expressions, allow_stdin)
        if silent or not isinstance(cell_id, str) or not cell_id:
            return await execute(*args, cell_meta=cell_meta, cell_id=cell_id)
        deleted = _deleted_cells(cell_meta)
        if deleted:
            self._apply(self.scheduler.delete(deleted))
        plan = self.scheduler.before_run(cell_id, code)
        self._apply(plan)
        if plan.refusal is not None:
            return self._refuse(plan.refusal, store_history)
        if not plan.execute:
            return self._defer(cell_id, plan, store_history)
        if not self.scheduler.frontend:  # a frontend shows `warnings` on the cell itself
            for warning in self.scheduler.warnings(cell_id):
                print(f"reactive_kernel warning: {warning}", file=sys.stderr)
        self.current_cell = cell_id
        try:
            if self.scheduler.cache_mode(cell_id) == "off":
                self.scheduler.set_cached(cell_id, False)
                reply = await execute(*args, cell_meta=cell_meta, cell_id=cell_id)
            else:
                reply = await self._execute_cached(
                    cell_id, code, store_history, lambda: execute(*args, cell_meta=cell_meta, cell_id=cell_id)
                )
        finally:
            self.current_cell = None
        outcome = _outcome(reply)
        if outcome[0] == "ok":
            self.widgets.bind(self.scheduler.graph.facts(cell_id).defs, self.shell.user_ns)
        self._apply(self.scheduler.after_run(cell_id, *outcome))
        return reply

    async def _execute_cached(
        self, cell_id: str, code: str, store_history: bool, run: Callable[[], Awaitable[dict[str, Any]]]
    ) -> dict[str, Any]:
        """A cached cell: restore its last results if its source and inputs are unchanged, else run it."""
        disk = self.scheduler.cache_mode(cell_id) == "disk"
        facts = self.scheduler.graph.facts(cell_id)
        try:
            key: str | None = cache_key(code, facts.refs, self.shell.user_ns)
        except UnreadableInput as exc:
            key, why = None, f"reactive_kernel: not cached, it runs every time: {exc}"
        entry = self.cell_cache.get(cell_id, key, disk) if key else None
        if entry is not None:
            self.shell.user_ns.update(entry.defs)
            count = self._count(store_history)
            parent = self.get_parent("shell")
            output_tap.replay(self.session, self.iopub_socket, entry.outputs, parent, count)
            self.scheduler.set_cached(cell_id, True)
            return {"status": "ok", "execution_count": count, "user_expressions": {}, "payload": []}
        self.scheduler.set_cached(cell_id, False)
        with output_tap.recording(self.session, self.get_parent("shell")["header"]["msg_id"]) as outputs:
            reply = await run()
            sys.stdout.flush()  # streams still buffered belong to this run
            sys.stderr.flush()
        if key is None:
            print(why, file=sys.stderr)
        elif reply.get("status") == "ok":
            user_ns = self.shell.user_ns
            defs = {name: user_ns[name] for name in facts.defs if name in user_ns}
            note = self.cell_cache.put(cell_id, key, Entry(defs, outputs), disk)
            if note:
                print(f"reactive_kernel: {note}", file=sys.stderr)
        return reply

    def set_mode(self, mode: Mode) -> None:
        self._apply(self.scheduler.set_mode(mode))
        self.link.broadcast(protocol_out.mode(mode))

    # ---- comm --------------------------------------------------------------------------------------

    def _handle(self, message: protocol_in.Message) -> None:
        if isinstance(message, protocol_in.Sync):
            self._apply(self.scheduler.sync(message.cells))
        elif isinstance(message, protocol_in.SetMode):
            self.set_mode(message.mode)
        elif isinstance(message, protocol_in.RunStale):
            self._apply(self.scheduler.run_stale())
        elif isinstance(message, protocol_in.Stop):
            self._apply(self.scheduler.stop())
        elif isinstance(message, protocol_in.RequestState):
            everything = frozenset(self.scheduler.cell_ids())
            self._apply(Plan(changed=everything, run=self.scheduler.pending() or None))

    def _value_changed(self, name: str) -> None:
        """A widget held in `name` changed in the browser: its readers re-run, as after an edit."""
        self._apply(self.scheduler.value_changed(name))

    def _attach(self, present: bool) -> None:
        self._apply(self.scheduler.set_frontend(present))

    def _apply(self, plan: Plan) -> None:
        """Carry out a scheduler step: drop globals, then send states before the run list they explain."""
        user_ns = self.shell.user_ns
        for name in plan.forget:
            user_ns.pop(name, None)
            self.widgets.forget(name)
        if plan.changed:
            cells = self.scheduler.graph.in_order(c for c in plan.changed if c in self.scheduler.graph)
            self.link.broadcast(protocol_out.state({c: self.scheduler.state(c) for c in cells}))
        if plan.run is not None:
            self.link.to_runner(protocol_out.run(plan.run))

    # ---- replies for cells that do not run ---------------------------------------------------------

    def _refuse(self, refusal: Refusal, store_history: bool) -> dict[str, Any]:
        """Report a multiple definition, cycle or disabled cell as an error output and an error reply."""
        stb = [f"\x1b[0;31m{refusal.ename}\x1b[0m: {refusal.message}"]
        self.shell._showtraceback(type(refusal.ename, (Exception,), {}), refusal.message, stb)
        return {
            "status": "error",
            "ename": refusal.ename,
            "evalue": refusal.message,
            "traceback": stb,
            "execution_count": self._count(store_history),
            "user_expressions": {},
            "payload": [],
        }

    def _defer(self, cell_id: str, plan: Plan, store_history: bool) -> dict[str, Any]:
        first = [c for c in plan.run or () if c != cell_id]
        names = ", ".join(f"'{c}'" for c in first)
        print(f"reactive_kernel: running {len(first)} stale ancestor cell(s) first ({names}); then this cell")
        return {
            "status": "ok",
            "execution_count": self._count(store_history),
            "user_expressions": {},
            "payload": [],
        }

    def _skip(self, stream: Any, msg: dict[str, Any], idents: Any) -> None:
        """Answer a scheduled request that will not run: `aborted`, with no execute_input or output."""
        content = {"status": "aborted"}
        metadata = self.finish_metadata(msg, self.init_metadata(msg), content)
        self.session.send(stream, "execute_reply", content, msg, metadata=metadata, ident=idents)

    def _note_idle_interrupt(self, signum: int, frame: Any) -> None:
        self._interrupted_idle = True

    def _count(self, store_history: bool) -> int:
        if store_history:
            self.shell.execution_count += 1
        return self.shell.execution_count - 1

    def _explain_name_error(
        self, shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None
    ) -> None:
        """Say which cell used to define a missing global, so a NameError after a delete makes sense."""
        why = self.scheduler.gone.get(getattr(value, "name", None) or "")
        if why and value.args and isinstance(value.args[0], str) and why not in value.args[0]:
            value.args = (f"{value.args[0]} ({why})", *value.args[1:])
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)


def _deleted_cells(cell_meta: object) -> list[str]:
    """JupyterLab lists cells deleted since the last execution; anything malformed is ignored."""
    deleted = cell_meta.get("deletedCells") if isinstance(cell_meta, dict) else None
    return [c for c in deleted if isinstance(c, str)] if isinstance(deleted, list) else []


def _outcome(reply: dict[str, Any]) -> tuple[str, str]:
    if reply.get("status") == "ok":
        return "ok", ""
    ename, evalue = reply.get("ename", "Error"), reply.get("evalue", "")
    return ("interrupted" if ename == "KeyboardInterrupt" else "error"), f"{ename}: {evalue}"
