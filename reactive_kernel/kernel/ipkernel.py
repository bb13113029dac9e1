"""ipykernel subclass: executes cells, keeps the scheduler in step, and tells the frontend what to run."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from ipykernel.ipkernel import IPythonKernel
from traitlets import Enum, Int, Unicode, default

from reactive_kernel import __version__
from reactive_kernel.core.errors import QuickFixError
from reactive_kernel.core.graph import POLICIES, Policy
from reactive_kernel.core.quickfix import plan as quick_fix_plan
from reactive_kernel.core.scheduler import MODES, Mode, Plan, Refusal, Scheduler
from reactive_kernel.features import output_tap
from reactive_kernel.features.cell_cache import CellCache, Entry, UnreadableInput, cache_key
from reactive_kernel.features.sql_magic import SqlMagics
from reactive_kernel.features.values import ValueStore
from reactive_kernel.features.widgets import WidgetWatch
from reactive_kernel.kernel import cell_places, protocol_in, protocol_out
from reactive_kernel.kernel.comm import FrontendLink
from reactive_kernel.kernel.interrupts import InterruptGuard
from reactive_kernel.kernel.labels import CellLabels
from reactive_kernel.kernel.magics import ReactiveMagics

log = logging.getLogger(__name__)


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

    definitions = Enum(
        list(POLICIES),
        default_value="ordered",
        help="Which cell a read resolves to when several cells define a name: 'ordered' (the nearest "
        "above, as a top-to-bottom run) or 'unique' (marimo's rule: a name defined twice is an error). "
        "Notebooks choose their own with metadata reactive.definitions.",
    ).tag(config=True)

    keep_shadowed_bytes = Int(
        64 * 2**20,
        help="Ordered definitions: once every cell that reads an earlier definition of a name has run, "
        "its value is kept for quick re-runs only while all such values fit in this many bytes; "
        "bigger ones are let go (re-running a reader then re-runs their definer first).",
    ).tag(config=True)

    cache_dir = Unicode(
        "",
        help="Where cells cached on disk (cell metadata reactive.cache = 'disk') keep their results; "
        "empty: $XDG_CACHE_HOME/reactive_kernel/cells (~/.cache/reactive_kernel/cells).",
    ).tag(config=True)

    cache_max_bytes = Int(
        2**30,
        help="The most the disk cache (cache_dir) may hold, in bytes; after each write the least recently "
        "used results are deleted until it fits. 0: no bound.",
    ).tag(config=True)

    kernel_cascade = Enum(
        list(cell_places.SETTINGS),
        default_value="auto",
        help="Without a reactive_kernel comm (no extension: VS Code, Voila, a plain Jupyter client), in "
        "autorun mode the kernel runs a cell's descendants itself and shows each one's outputs in that "
        "cell's place: 'display' (a display per cell, replaced by display updates), 'widget' (an "
        "ipywidgets Output per cell), 'auto' ('widget' in a kernel Voila started, else 'display') or "
        f"'off' (descendants turn stale, as in lazy mode). Default: ${cell_places.ENV}, else 'auto'.",
    ).tag(config=True)

    @default("kernel_cascade")
    def _kernel_cascade_default(self) -> str:
        value = os.environ.get(cell_places.ENV, "auto")
        if value not in cell_places.SETTINGS:
            log.warning(
                "reactive_kernel: %s=%r is not one of %s; using 'auto'",
                cell_places.ENV,
                value,
                ", ".join(cell_places.SETTINGS),
            )
            return "auto"
        return value

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scheduler = Scheduler(mode=self.mode, definitions=self.definitions)
        # How what the kernel prints names cells: `#3 (load)`.
        self.labels = CellLabels(self.scheduler.name, self.scheduler.cell_ids)
        self.values = ValueStore(self.keep_shadowed_bytes)
        self.cell_cache = CellCache(Path(self.cache_dir) if self.cache_dir else None, self.cache_max_bytes)
        self.current_cell: str | None = None  # the cell whose code is executing, for %reactive
        self.widgets = WidgetWatch(self._value_changed)
        self.link = FrontendLink(
            self.comm_manager,
            self._handle,
            self._attach,
            lambda: protocol_out.hello(self.scheduler.mode, self.scheduler.definitions),
            lambda: self.get_parent("shell"),  # whose request a run list answers: it runs there
        )
        self.shell.register_magics(ReactiveMagics(self.shell, self))
        self.shell.register_magics(SqlMagics(self.shell))
        self.shell.set_custom_exc((NameError,), self._explain_name_error)
        # SIGINT raises KeyboardInterrupt only in user code; elsewhere (our bookkeeping, ipykernel's
        # prologue and epilogue, between requests) it stops the cascade at the next safe point.
        self.guard = InterruptGuard(self._act_on_interrupt, self._call_soon)
        self.guard.install()
        self.shell.events.register("post_run_cell", self._user_code_done)
        self._handler_live = False  # the request now being handled may run user code at any point
        # Without a comm, the kernel runs the cascades itself (kernel_cascade), in these places:
        kind = cell_places.choose(self.kernel_cascade, os.environ)
        self.places = cell_places.places(kind, self.iopub_socket) if kind else None
        self._asked: str | None = None  # the cell of the execute_request being handled
        self._cascading = False  # the kernel is working through a run list itself
        # A widget moved in the browser reaches the kernel as a comm_msg: after it, run what it queued.
        self._comm_msg = self.shell_handlers["comm_msg"]
        self.shell_handlers["comm_msg"] = self._comm_msg_then_cascade
        self._attach(False)

    def should_handle(self, stream: Any, msg: dict[str, Any], idents: Any) -> bool:
        """Before any shell request: act on a pending interrupt, and skip scheduled cells that are not due."""
        if self.guard.take():
            self._apply(self.scheduler.stop())
        # An execute_request runs user code only inside do_execute; other requests (a widget's comm
        # message calling an `observe` callback) may run it anywhere.
        self._handler_live = msg.get("header", {}).get("msg_type") != "execute_request"
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
        if silent or not isinstance(cell_id, str) or not cell_id or self._console_cell(cell_id):
            return await self._user_code(
                lambda: execute(*args, cell_meta=cell_meta, cell_id=cell_id), store_history
            )
        if store_history:  # the count this execution takes: names the cell where no sync placed it
            self.labels.ran(cell_id, self.shell.execution_count)
        deleted = _deleted_cells(cell_meta)
        if deleted:
            self.labels.forget(deleted)
            self._apply(self.scheduler.delete(deleted))
        plan = self.scheduler.before_run(cell_id, code)
        self._apply(plan)
        if plan.refusal is not None:
            # A viewer shows the refusal on the cell, with links to the cells it names: one display.
            shown_by_viewer = self.link.displays(self.get_parent("shell"))
            return self._refuse(plan.refusal, store_history, publish=not shown_by_viewer)
        self._asked = cell_id
        try:
            if not plan.execute:  # stale ancestors first: a frontend runs them, or the kernel does
                reply = self._defer(cell_id, plan, store_history)
            else:
                reply = await self._run_graph_cell(
                    cell_id, store_history, lambda: execute(*args, cell_meta=cell_meta, cell_id=cell_id)
                )
            await self._cascade()
        finally:
            self._asked = None
        return reply

    async def _run_graph_cell(
        self, cell_id: str, store_history: bool, execute: Callable[[], Awaitable[dict[str, Any]]]
    ) -> dict[str, Any]:
        """Run a cell of the graph that the scheduler let through, and tell the scheduler how it went.

        When the kernel runs cascades itself, the cell's outputs go to its place (cell_places.py)."""
        if self.places is None or not self._drives():
            return await self._run_graph_code(cell_id, store_history, execute)
        sys.stdout.flush()  # what was printed before (a note on the request's own cell) is not this run's
        sys.stderr.flush()
        parent = self.get_parent("shell")
        outputs = self.places.open(cell_id, parent, self.session.send, here=cell_id == self._asked)
        if cell_id != self._asked:
            outputs.show_now()  # a run by the kernel: its old outputs go as it starts
        with output_tap.diverting(self.session, parent["header"]["msg_id"], outputs.take):
            try:
                return await self._run_graph_code(cell_id, store_history, execute)
            finally:
                sys.stdout.flush()  # streams still buffered belong to this run
                sys.stderr.flush()

    async def _run_graph_code(
        self, cell_id: str, store_history: bool, execute: Callable[[], Awaitable[dict[str, Any]]]
    ) -> dict[str, Any]:
        code = self.scheduler.source(cell_id)
        if not self.link.attached:  # a frontend shows `warnings` on the cell itself
            for warning in self.scheduler.warnings(cell_id):
                print(f"reactive_kernel warning: {self.labels.render(warning)}", file=sys.stderr)
        self.current_cell = cell_id
        try:
            if self.guard.take():  # interrupted after the request arrived, before its code could start
                reply = self._interrupted(store_history)
            elif self.scheduler.cache_mode(cell_id) == "off":
                self.scheduler.set_cached(cell_id, False)
                reply = await self._user_code(execute, store_history)
            else:
                reply = await self._execute_cached(
                    cell_id, code, store_history, lambda: self._user_code(execute, store_history)
                )
        finally:
            self.current_cell = None
        outcome = _outcome(reply)
        if outcome[0] == "ok":
            self.widgets.bind(self.scheduler.graph.facts(cell_id).defs, self.shell.user_ns)
        self._apply(self.scheduler.after_run(cell_id, *outcome))
        if self.guard.take():  # interrupted after the code completed: the cell stands, the cascade stops
            self._apply(self.scheduler.stop())
        return reply

    # ---- cascades the kernel runs itself -----------------------------------------------------------

    def _drives(self) -> bool:
        """Whether the kernel runs the run lists itself: kernel_cascade is on and no client could, since
        none has a comm (a viewer runs them; a headless run, an observer, runs every cell itself)."""
        return self.places is not None and not self.link.attached and not self.link.observed

    async def _cascade(self) -> None:
        """Work through the run list as a frontend that waits for each reply would (docs/protocol.md,
        rule 1): the first queued cell runs if the scheduler admits it; it may queue ancestors first."""
        if self._cascading or not self._drives():
            return
        self._cascading = True
        try:
            with self.guard.shielded():
                while pending := self.scheduler.pending():
                    if self.guard.take():
                        self._apply(self.scheduler.stop())
                        break
                    plan = self.scheduler.admit(pending[0])
                    self._apply(plan)
                    if plan.execute:
                        await self._run_queued(pending[0])
                    elif self.scheduler.pending() == pending:  # nothing would change: never spin
                        self._apply(self.scheduler.stop())
        finally:
            self._cascading = False

    async def _run_queued(self, cell_id: str) -> None:
        """Run a queued cell with the source it last ran with (or the notebook's, after a sync)."""
        code = self.scheduler.source(cell_id)
        plan = self.scheduler.before_run(cell_id, code)
        self._apply(plan)
        if not plan.execute:  # it cannot run (a refusal), or its ancestors were queued before it
            return
        execute = super().do_execute
        await self._run_graph_cell(cell_id, False, lambda: execute(code, False, False, cell_id=cell_id))

    async def _comm_msg_then_cascade(self, stream: Any, ident: Any, msg: dict[str, Any]) -> None:
        """ipykernel's comm_msg handler, then the cascade a widget change queued. A comm message that
        arrives while a cell runs (ipykernel dispatches them alongside an awaiting cell) leaves the
        cells it queued to the cascade of that execution."""
        self._comm_msg(stream, ident, msg)
        if self._asked is None:
            await self._cascade()

    def _console_cell(self, cell_id: str) -> bool:
        """A cell the notebook does not have, from a connection that is not the notebook's: a console on
        this kernel (JupyterLab's sends cell ids too). It runs as plain IPython, outside the graph, so the
        notebook's next sync does not delete what it defined."""
        return cell_id not in self.scheduler and not self.link.speaks_for_notebook(self.get_parent("shell"))

    async def _user_code(
        self, run: Callable[[], Awaitable[dict[str, Any]]], store_history: bool
    ) -> dict[str, Any]:
        """Run ipykernel's execution with interrupts live until the user's code is done."""
        try:
            with self.guard.user_code():
                return await run()
        except KeyboardInterrupt:  # it landed in ipykernel's or IPython's code before the user's began
            return self._interrupted(store_history)

    async def _execute_cached(
        self, cell_id: str, code: str, store_history: bool, run: Callable[[], Awaitable[dict[str, Any]]]
    ) -> dict[str, Any]:
        """A cached cell: restore its last results if its source and inputs are unchanged, else run it."""
        disk = self.scheduler.cache_mode(cell_id) == "disk"
        graph = self.scheduler.graph
        facts = graph.facts(cell_id)
        # ordered: its inputs are bound by now, and include what the functions it calls read
        inputs = graph.refs(cell_id) if graph.policy == "ordered" else facts.refs
        try:
            key: str | None = cache_key(code, inputs, self.shell.user_ns)
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

    def set_definitions(self, policy: Policy) -> None:
        self._apply(self.scheduler.set_definitions(policy))
        self.link.broadcast(protocol_out.definitions(policy))

    # ---- comm --------------------------------------------------------------------------------------

    def _handle(self, message: protocol_in.Message) -> None:
        with self.guard.shielded():  # a comm message is our bookkeeping, even inside a live handler
            self._dispatch(message)

    def _dispatch(self, message: protocol_in.Message) -> None:
        if isinstance(message, protocol_in.Sync):
            self.labels.take(message.cells)  # first: cells that left keep the labels they had
            self._apply(self.scheduler.sync(message.cells))
        elif isinstance(message, protocol_in.DeltaSync):
            former = self.labels.before_delta(message.delta)  # cells that leave keep their labels
            self._apply(self.scheduler.apply_delta(message.delta))  # DeltaMismatch: the link asks for all
            self.labels.took_delta(message.delta, former)
        elif isinstance(message, protocol_in.SetMode):
            self.set_mode(message.mode)
        elif isinstance(message, protocol_in.SetDefinitions):
            self.set_definitions(message.definitions)
        elif isinstance(message, protocol_in.RunStale):
            self._apply(self.scheduler.run_stale())
        elif isinstance(message, protocol_in.Stop):
            self._apply(self.scheduler.stop())
        elif isinstance(message, protocol_in.RequestState):
            everything = frozenset(self.scheduler.cell_ids())
            self._apply(Plan(changed=everything, run=self.scheduler.pending() or None))
        elif isinstance(message, protocol_in.QuickFix):
            self.link.reply(self._quick_fix(message))

    def _quick_fix(self, ask: protocol_in.QuickFix) -> dict[str, Any]:
        """The sources a quick fix makes; the frontend puts them in the cells (so the user can undo them)
        and syncs them back like any edit. Nothing changes here until it does."""
        source = self.scheduler.source
        try:
            changed = quick_fix_plan(self.scheduler.graph, source, ask.cell, ask.name, ask.kind, ask.to)
        except QuickFixError as exc:
            return protocol_out.rewrite(ask.request, [], str(exc))
        except Exception as exc:  # a bug must still answer the request, which the frontend waits for
            log.exception("reactive_kernel: a quick fix failed; please report this with the cells' sources")
            return protocol_out.rewrite(ask.request, [], f"internal error making the quick fix: {exc!r}")
        return protocol_out.rewrite(ask.request, [(c, source(c), text) for c, text in changed.items()])

    def _value_changed(self, name: str) -> None:
        """A widget held in `name` changed in the browser: its readers re-run, as after an edit."""
        with self.guard.shielded():
            self._apply(self.scheduler.value_changed(name))

    def _attach(self, present: bool) -> None:
        """A viewer attached or the last one left (or a headless run announced itself): whoever runs
        run lists now, a viewer or the kernel itself, the scheduler queues cascades for it."""
        with self.guard.shielded():
            if not present:
                self._apply(self.scheduler.stop())  # the list the viewer was running is nobody's now
            self._apply(self.scheduler.set_frontend(present or self._drives()))

    def _apply(self, plan: Plan) -> None:
        """Carry out a scheduler step: drop globals, then send states before the run list they explain."""
        user_ns = self.shell.user_ns
        for name in plan.forget:
            user_ns.pop(name, None)
            self.widgets.forget(name)
        self._apply_values(plan, user_ns)
        for cell_id in plan.removed:
            self.cell_cache.forget(cell_id)
            if self.places is not None:
                self.places.forget(cell_id)
        if plan.changed:
            cells = self.scheduler.graph.in_order(c for c in plan.changed if c in self.scheduler.graph)
            self.link.broadcast(protocol_out.state({c: self.scheduler.state(c) for c in cells}))
        if plan.run is not None:
            self.link.to_runner(protocol_out.run(plan.run))

    def _apply_values(self, plan: Plan, user_ns: dict[str, Any]) -> None:
        """Keep, drop and bind the values of names several cells define (ordered definitions)."""
        if plan.keep:
            self.scheduler.release(self.values.keep(plan.keep, user_ns))
        if plan.drop:
            self.values.drop(plan.drop)
        for name, cell_id in plan.bind:
            found, value = self.values.get(cell_id, name)
            if found:
                user_ns[name] = value
        if plan.spare:
            self.scheduler.release(self.values.spare(plan.spare))

    # ---- replies for cells that do not run ---------------------------------------------------------

    def _refuse(self, refusal: Refusal, store_history: bool, publish: bool = True) -> dict[str, Any]:
        """Report a multiple definition, cycle or disabled cell as an error reply, and as an error output
        when `publish` (nothing else shows it)."""
        message = self.labels.render(refusal.message)
        stb = [f"\x1b[0;31m{refusal.ename}\x1b[0m: {message}"]
        if publish:
            self.shell._showtraceback(type(refusal.ename, (Exception,), {}), message, stb)
        return {
            "status": "error",
            "ename": refusal.ename,
            "evalue": message,
            "traceback": stb,
            "execution_count": self._count(store_history),
            "user_expressions": {},
            "payload": [],
        }

    def _defer(self, cell_id: str, plan: Plan, store_history: bool) -> dict[str, Any]:
        first = [c for c in plan.run or () if c != cell_id]
        names = ", ".join(map(self.labels.label, first))
        cells = "cell" if len(first) == 1 else "cells"
        print(f"reactive_kernel: running {len(first)} stale ancestor {cells} first ({names}); then this cell")
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

    def _interrupted(self, store_history: bool) -> dict[str, Any]:
        """The reply for a cell whose code an interrupt kept from running."""
        return self._refuse(
            Refusal("KeyboardInterrupt", "interrupted before the cell's code ran"), store_history
        )

    # ---- interrupts --------------------------------------------------------------------------------

    def pre_handler_hook(self) -> None:
        """ipykernel's hook around every shell request: our guard, not Python's handler, takes SIGINT."""
        self.guard.live = self._handler_live

    def post_handler_hook(self) -> None:
        self.guard.live = False

    def _user_code_done(self, *args: Any) -> None:
        """IPython's post_run_cell: from here on the request is the kernel's own bookkeeping."""
        self.guard.live = False

    def _act_on_interrupt(self) -> None:
        """An interrupt arrived outside user code and no request acted on it: stop the cascade now."""
        if self.guard.take():
            self._apply(self.scheduler.stop())

    def _call_soon(self, callback: Callable[[], None]) -> None:
        loop = getattr(self, "io_loop", None)
        if loop is not None:  # before the kernel starts its loop, the next request takes the interrupt
            loop.add_callback(callback)

    def _count(self, store_history: bool) -> int:
        if store_history:
            self.shell.execution_count += 1
        return self.shell.execution_count - 1

    def _explain_name_error(
        self, shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None
    ) -> None:
        """Say which cell used to define a missing global, so a NameError after a delete makes sense."""
        why = self.scheduler.gone.get(getattr(value, "name", None) or "")
        why = self.labels.render(why) if why else why
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
    # ipykernel cancels a cell awaiting at top level on interrupt: its error is a CancelledError.
    interrupted = ename in ("KeyboardInterrupt", "CancelledError")
    return ("interrupted" if interrupted else "error"), f"{ename}: {evalue}"
