"""The reactive rules: cell records and statuses beside the graph, and what must run or be marked next.

In the `ordered` definitions policy a name may be defined by several cells, so one global holds in turn
the value of each. The scheduler says which values the kernel keeps (one per defining cell and name, by
reference), which it binds before a cell runs (the value of the cell each read resolves to), and which
it may let go; a cell that needs a value that is gone first re-runs the cell that made it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from reactive_kernel.core.analysis import CellFacts, analyze
from reactive_kernel.core.delta import CellChange, Delta, new_order, order_fingerprint
from reactive_kernel.core.errors import AmbiguousDefinitionError, CycleError, MultipleDefinitionError
from reactive_kernel.core.graph import Change, Graph, Policy
from reactive_kernel.core.kept import KeptValues, Value
from reactive_kernel.core.naming import cell_name, mention, mentions
from reactive_kernel.core.quickfix import Fix, offered

Mode = Literal["autorun", "lazy"]
MODES: tuple[Mode, ...] = ("autorun", "lazy")
CACHE_MODES = ("off", "memory", "disk")  # a cell's `reactive.cache` option, as the frontend syncs it
STATUSES = ("unrun", "fresh", "edited", "stale", "queued", "running", "error", "blocked", "disabled")
_NEEDS_RUN = frozenset({"unrun", "stale", "queued"})
Rewired = dict[str, Mapping[str, frozenset[str]]]  # cell -> where its reads resolved before an edit


@dataclass(frozen=True)
class CellInput:
    """One cell as the frontend reports it in a `sync`."""

    id: str  # nbformat cell id
    source: str  # the editor's current text
    cell_type: str = "code"  # "code", "markdown" or "raw"; only code cells join the graph
    disabled: bool = False  # cell metadata says it must not run (nor its descendants)
    cache: str = "off"  # one of CACHE_MODES: reuse the last results while source and inputs are unchanged
    title: str | None = None  # the name its metadata gives it (core.naming.title_of), for labels


@dataclass(frozen=True)
class Refusal:
    """Why a requested cell does not run; the kernel reports it as an execute error."""

    ename: str  # exception name shown to the user, e.g. "MultipleDefinitionError"
    message: str  # full explanation naming the other cells (as core.naming mentions)


@dataclass(frozen=True)
class Plan:
    """What the kernel must do after a scheduler step."""

    changed: frozenset[str] = frozenset()  # cells whose state must be sent to the frontend
    run: tuple[str, ...] | None = None  # replaces the frontend's list of cells to run (None: unchanged)
    forget: frozenset[str] = frozenset()  # globals to delete from the user namespace now
    execute: bool = False  # before_run only: go ahead and execute the cell's code
    refusal: Refusal | None = None  # before_run only: the cell must not run, and why
    # Values kept per defining cell (`ordered` policy), applied in this order after `forget`:
    keep: frozenset[Value] = frozenset()  # after a run: keep the value each of these globals now holds
    drop: frozenset[Value] = frozenset()  # let go of these kept values
    bind: tuple[tuple[str, str], ...] = ()  # (name, cell): set the global to that cell's kept value
    spare: frozenset[Value] = frozenset()  # kept values no cell reads again until re-run: may go if big
    removed: frozenset[str] = frozenset()  # cells deleted: whatever the kernel keeps per cell goes too


@dataclass(frozen=True)
class CellState:
    """One cell's entry in a `state` message."""

    status: str  # one of STATUSES
    defs: tuple[str, ...]  # globals it defines, sorted
    refs: tuple[str, ...]  # globals it reads, sorted
    parents: tuple[str, ...]  # cells it reads from, notebook order
    children: tuple[str, ...]  # cells that read from it, notebook order
    error: str | None  # why it is in error, blocked or disabled (other cells as core.naming mentions)
    warnings: tuple[str, ...]  # mutation warnings from its last run
    cached: bool = False  # its latest run was restored from the cache instead of executed
    origins: tuple[tuple[str, str], ...] = ()  # (name, cell) for each read that resolves to one cell
    name: str | None = None  # what its label shows after its position: title, else main definition
    raised: bool = False  # `error` is what its own run raised (or an interrupt): its traceback shows it
    fixes: tuple[Fix, ...] = ()  # quick fixes for its multiple definition (core.quickfix)


@dataclass
class _Cell:
    """Runtime record of one code cell; the graph holds only its facts."""

    source: str
    disabled: bool
    analysed: str | None = None  # the source the graph's facts come from (skip re-analysis when equal)
    ran_source: str | None = None  # source of the last execution, None if it never ran
    ran_defs: frozenset[str] = frozenset()  # globals the last execution defined: deleted before the next
    base: str = "unrun"  # unrun, fresh, stale, error or blocked; overlays are computed in status()
    error: str | None = None
    raised: bool = False  # the error came from running its code (its outputs show the traceback)
    warnings: tuple[str, ...] = ()
    cache: str = "off"  # one of CACHE_MODES
    title: str | None = None  # its name from the notebook's metadata, if any
    cached: bool = False  # the latest run was restored from the cache
    follows: bool = False  # the graph reads its editor's source, not what it last ran (until it runs)


@dataclass
class _Run:
    """The execution in progress."""

    cell_id: str
    old_defs: frozenset[str]  # what the cell defined before: readers of vanished names must re-run


class Scheduler:
    """Holds the notebook as the kernel knows it and applies the reactive rules (the README's) to it.

    `frontend` says whether anyone executes `run` lists (a client with the comm, or the kernel itself when
    no client has one); without one, autorun degrades to lazy (descendants are marked stale).
    """

    def __init__(
        self, mode: Mode = "autorun", frontend: bool = False, definitions: Policy = "unique"
    ) -> None:
        self.mode: Mode = mode
        self.frontend = frontend
        self.graph = Graph(definitions)
        self.gone: dict[str, str] = {}  # vanished global -> why, for NameError hints
        self._cells: dict[str, _Cell] = {}
        self._order: list[str] = []  # code cell ids in notebook order
        self._fingerprint: int | None = None  # order_fingerprint(_order), kept until the order changes
        self._disabled: set[str] = set()  # cells whose own metadata disables them
        self._pending: list[str] = []  # the run list the frontend is working through
        self._running: _Run | None = None
        self._graph_errors: set[str] = set()  # cells with a multiple definition or in a cycle
        self._closures: tuple[frozenset[str], frozenset[str]] | None = None  # (disabled, blocked by graph)
        self._kept = KeptValues(self.graph)  # ordered: values the kernel keeps, per defining cell and name
        self._made_by: dict[str, str] = {}  # global -> the cell whose run bound it last

    @property
    def definitions(self) -> Policy:
        return self.graph.policy

    # ---- frontend edits ----------------------------------------------------------------------------

    def sync(self, cells: Sequence[CellInput]) -> Plan:
        """Take the whole notebook from the frontend: new, edited, moved, disabled and deleted cells."""
        code = [c for c in cells if c.cell_type == "code"]
        return self._update(set(self._cells) - {c.id for c in code}, code, [c.id for c in code])

    def apply_delta(self, delta: Delta) -> Plan:
        """Take only what changed since the frontend's previous message, at the cost of what changed.

        Raises DeltaMismatch, having changed nothing, when the delta does not fit the notebook held here
        (core/delta.py): the frontend then sends the whole notebook.
        """
        if self._fingerprint is None:
            self._fingerprint = order_fingerprint(self._order)
        order = new_order(self._order, self._cells, self._fingerprint, delta)
        return self._update(set(delta.deleted), [self._merged(c) for c in delta.cells], order)

    def _merged(self, change: CellChange) -> CellInput:
        """A delta's change to a cell as the whole cell: what it does not mention stays as it is."""
        cell = self._cells.get(change.id)
        if cell is None:
            return CellInput(
                change.id,
                change.source or "",
                "code",
                bool(change.disabled),
                change.cache or "off",
                change.title or None,
            )
        return CellInput(
            change.id,
            cell.source if change.source is None else change.source,
            "code",
            cell.disabled if change.disabled is None else change.disabled,
            cell.cache if change.cache is None else change.cache,
            cell.title if change.title is None else change.title or None,
        )

    def _update(self, gone: set[str], cells: Sequence[CellInput], order: list[str] | None) -> Plan:
        """Delete `gone`, take `cells` (code cells, in notebook order), then put the code cells in `order`
        (None: as they are, new cells last)."""
        plan = self.delete(gone)
        changed = set(plan.changed)
        rewired: Rewired = {}
        held = self._held()  # as the notebook stands before this change, whatever order it lists cells in
        for cell in cells:
            changed |= self._take(cell, rewired, held)
        if order is not None and order != self._order:
            self._order = order
            self._fingerprint = None
            changed |= self._graph_changed(self.graph.set_order(order), rewired)
            self._closures = None
            if self.definitions == "unique":  # which definer's readers a cell is depends on the order
                changed |= self._graph_errors
        drop = plan.drop | self._rewired(rewired)
        pruned = self._prune()
        run = tuple(self._pending) if plan.run is not None or pruned else None
        return replace(plan, changed=frozenset(changed | pruned | rewired.keys()), run=run, drop=drop)

    def _take(self, new: CellInput, rewired: Rewired, held: set[str]) -> set[str]:
        cell = self._cells.get(new.id)
        if cell is None:
            self._cells[new.id] = _Cell(new.source, new.disabled, cache=new.cache, title=new.title)
            self._order.append(new.id)
            self._fingerprint = None
            if new.disabled:
                self._disabled.add(new.id)
            return self._set_facts(new.id, new.source, rewired)
        changed: set[str] = set()
        cell.cache = new.cache
        if cell.title != new.title:  # its label changes: its state says so
            cell.title = new.title
            changed.add(new.id)
        if cell.disabled != new.disabled:
            cell.disabled = new.disabled
            (self._disabled.add if new.disabled else self._disabled.discard)(new.id)
            self._closures = None
            changed |= {new.id, *self.graph.descendants({new.id})}
        if cell.source != new.source:
            cell.source = new.source
            changed.add(new.id)
            # The graph follows the editor until a cell first runs. Under `unique`, an edit to a cell that
            # cannot run because of a multiple definition or a cycle (its own or an ancestor's) is taken
            # too, and the graph follows that cell until it runs again: the edits that fix the problem
            # clear it at once (a quick fix's among them), and undoing them brings it back.
            if new.id in held:
                cell.follows = True
            if cell.ran_source is None or cell.follows:
                changed |= self._set_facts(new.id, new.source, rewired)
        return changed

    def _held(self) -> set[str]:
        """Unique policy: the cells that cannot run because of a graph error, their own or an ancestor's."""
        if self.definitions != "unique" or not self._graph_errors:
            return set()
        return self._graph_errors | self._derived()[1]

    def _own(self, cell_id: str, names: frozenset[str]) -> frozenset[str]:
        """The globals a cell made that still hold its values, to delete before it runs again or goes.

        Under `unique` a name has one definer, except while a cell that cannot run is edited (core.quickfix
        renames `x` there): another cell may then run and make `x`, and that value is not this cell's.
        """
        if self.definitions != "unique":
            return names
        return frozenset(n for n in names if self._made_by.get(n, cell_id) == cell_id)

    def _rewired(self, cells: Rewired) -> set[Value]:
        """Cells that now read a name from another cell (a cell inserted, moved or deleted above them)
        ran (or failed) with values a top-to-bottom run would not give them: they turn stale. Returns
        the values to drop."""
        drop: set[Value] = set()
        for cell_id, before in cells.items():
            if cell_id not in self._cells or self.graph.origins(cell_id) == before:
                continue  # (an insert lands last, then moves: a cell may be rewired and back)
            if self._cells[cell_id].base in ("fresh", "error"):
                drop |= self._mark_stale(cell_id)
        return drop

    def delete(self, cell_ids: Iterable[str]) -> Plan:
        """Remove cells: their globals go, and the cells that read them re-run or turn stale."""
        forget: set[str] = set()
        orphans: set[str] = set()
        changed: set[str] = set()
        drop: set[Value] = set()
        rewired: Rewired = {}
        removed = frozenset(set(cell_ids) & self._cells.keys())
        for cell_id in removed:
            cell = self._cells.pop(cell_id)
            forget |= self._own(cell_id, cell.ran_defs)
            for name in cell.ran_defs:
                if self._made_by.get(name) == cell_id:
                    del self._made_by[name]
            drop |= self._take_values(cell_id)
            orphans |= {r for name in cell.ran_defs for r in self.graph.readers(name)}
            change = self.graph.remove_cell(cell_id)
            changed |= change.touched
            _note_rewired(rewired, change)
            self._graph_errors.discard(cell_id)
            self._disabled.discard(cell_id)
            self._order.remove(cell_id)
            self._fingerprint = None
            if cell_id in self._pending:
                self._pending.remove(cell_id)
            for name in cell.ran_defs:
                if not self.graph.definers(name):
                    self.gone[name] = f"it was defined by cell {mention(cell_id)}, which was deleted"
        if not forget and not orphans and not changed:
            return Plan(removed=removed)
        changed |= self._update_errors(changed)
        orphans &= set(self._cells)
        plan = self._cascade(orphans | set(self.graph.descendants(orphans)))
        drop |= self._rewired(
            {c: o for c, o in rewired.items() if c not in orphans and c not in self._pending}
        )
        return replace(
            plan,
            changed=plan.changed | (changed & set(self._cells)),
            forget=frozenset(forget),
            removed=removed,
            drop=plan.drop | drop,
            bind=self._last_values(forget),
        )

    def set_definitions(self, policy: Policy) -> Plan:
        """Switch between `ordered` and `unique` definitions: the whole graph is resolved again."""
        change = self.graph.set_policy(policy)
        if not change.touched:
            return Plan()
        drop = self._kept.clear()
        self._closures = None
        changed = set(change.touched) | self._update_errors(change.touched)
        pruned = self._prune()
        return Plan(
            changed=frozenset(changed | pruned), run=tuple(self._pending) if pruned else None, drop=drop
        )

    def set_mode(self, mode: Mode) -> Plan:
        self.mode = mode
        return Plan()

    def set_frontend(self, present: bool) -> Plan:
        """A frontend attached or left; when it leaves, nothing will run the queue, so it turns stale."""
        self.frontend = present
        return Plan() if present else self.stop()

    def stop(self) -> Plan:
        """Drop the run list (interrupt between cells, or no one left to run it); its cells turn stale."""
        return self._end_run_list() if self._pending else Plan()

    def value_changed(self, name: str) -> Plan:
        """The value held in global `name` changed outside any cell (a widget moved in the browser).

        The cells that read `name` re-run (autorun) or turn stale (lazy), not the cell that defines it.
        Readers already queued and not yet started will read the newest value when they run, so a burst
        of changes (dragging a slider) queues at most one cascade.
        """
        readers = self.graph.readers(name) & self._cells.keys()
        if not readers:
            return Plan()
        return self._cascade(set(readers) | set(self.graph.descendants(readers)))

    def run_stale(self) -> Plan:
        """Queue every stale cell (and what it needs) for the frontend."""
        stale = {c for c in self._cells if self.status(c) == "stale"}
        return self._enqueue(stale, self._upstream_of(stale)) if self.frontend else Plan()

    # ---- executions --------------------------------------------------------------------------------

    def before_run(self, cell_id: str, source: str) -> Plan:
        """A client asked to execute this cell: refuse it, run its stale ancestors first, or go."""
        if cell_id not in self._cells:
            self._cells[cell_id] = _Cell(source, disabled=False)
            self._order.append(cell_id)
            self._fingerprint = None
        cell = self._cells[cell_id]
        cell.source = source
        changed = self._set_facts(cell_id, source, {})
        refusal = self._refusal(cell_id)
        if refusal is not None:
            pruned = self._prune()
            run = tuple(self._pending) if pruned else None
            return Plan(changed=frozenset(changed | pruned | {cell_id}), refusal=refusal, run=run)
        if self.frontend:
            needed = self._needed_ancestors(cell_id)
            if needed:
                self._enqueue(needed | {cell_id}, self.graph.upstream(cell_id))
                # Always answer with the run list and these states, even if they were queued already:
                # the client that asked must learn that this cell waits for them.
                return Plan(changed=frozenset(changed | needed | {cell_id}), run=tuple(self._pending))
        if cell_id in self._pending:
            self._pending.remove(cell_id)
        self._running = _Run(cell_id, cell.ran_defs)
        facts = self.graph.facts(cell_id)
        forget = self._own(cell_id, cell.ran_defs)
        drop = self._take_values(cell_id)
        cell.ran_source, cell.ran_defs, cell.error, cell.raised = source, facts.defs, None, False
        cell.follows = False
        self._made_by.update(dict.fromkeys(facts.defs, cell_id))
        cell.warnings = self._mutation_warnings(cell_id, facts)
        for name in facts.defs:
            self.gone.pop(name, None)
        bind = self._kept.binds(cell_id) if self.definitions == "ordered" else ()
        # The cell's own move to `running` is not sent: the client that asked knows it (docs/protocol.md).
        return Plan(changed=frozenset(changed), forget=forget, execute=True, drop=frozenset(drop), bind=bind)

    def admit(self, cell_id: str) -> Plan:
        """A frontend's scheduled request reached the kernel: should it run now (`execute`)?

        Frontends send a run list's cells ahead, in one go (docs/protocol.md). When one's turn comes it
        runs only if it is still queued and no ancestor still needs to run; otherwise it is skipped. An
        ancestor that needs a run and is not queued is queued, with a new run list.
        """
        if cell_id not in self._pending or not self.frontend:
            return Plan()
        needed = self._needed_ancestors(cell_id)
        if needed:
            return self._enqueue(needed, self.graph.upstream(cell_id))
        return Plan(execute=True)

    def after_run(
        self, cell_id: str, outcome: Literal["ok", "error", "interrupted"], error: str = ""
    ) -> Plan:
        """The execution finished: cascade on success, block descendants on error, stop on interrupt."""
        run, self._running = self._running, None
        cell = self._cells.get(cell_id)
        if cell is None or run is None or run.cell_id != cell_id:
            return Plan()
        names = self.graph.defs(cell_id) | run.old_defs
        if outcome == "interrupted":
            plan = self._interrupt(cell_id, error)
            return replace(plan, bind=self._last_values(names, cell_id))
        if outcome == "error":
            cell.base, cell.error, cell.raised = "error", error, True
            plan = self._block(cell_id)
            return replace(plan, bind=self._last_values(names, cell_id))
        cell.base, cell.error = "fresh", None
        vanished = run.old_defs - cell.ran_defs
        why = f"cell {mention(cell_id)} no longer defines it"
        self.gone.update({n: why for n in vanished if not self.graph.definers(n)})
        orphans = {r for name in vanished for r in self.graph.readers(name)} - {cell_id}
        keep, spoiled, spare = frozenset(), frozenset(), frozenset()
        if self.definitions == "ordered":
            keep, spoiled, spare = self._kept.after_run(cell_id, lambda c: self.status(c) == "fresh")
        plan = self._cascade(set(self.graph.descendants({cell_id})) | orphans)
        return replace(
            plan,
            changed=plan.changed | {cell_id},
            keep=keep,
            drop=plan.drop | spoiled,
            bind=self._last_values(names, cell_id),  # after the cascade let go of what it re-makes
            spare=spare,
        )

    def _interrupt(self, cell_id: str, error: str) -> Plan:
        """The running cell was interrupted: it turns stale and the run list ends (said even if empty)."""
        cell = self._cells[cell_id]
        cell.base, cell.error, cell.raised = "stale", error or "interrupted", True
        return self._end_run_list(also=cell_id)

    def _end_run_list(self, also: str | None = None) -> Plan:
        """Drop the run list; its cells (and `also`) turn stale and let go of their kept values."""
        queued = set(self._pending)
        drop: set[Value] = set()
        for cell_id in queued:
            drop |= self._mark_stale(cell_id)
        self._pending = []
        changed = queued | {also} if also else queued
        return Plan(changed=frozenset(changed), run=(), drop=frozenset(drop))

    def _block(self, cell_id: str) -> Plan:
        below = set(self.graph.descendants({cell_id}))
        for other in below:
            self._cells[other].base = "blocked"
            self._cells[other].error = f"cell {mention(cell_id)} raised an exception"
            self._cells[other].raised = False
        before = list(self._pending)
        self._pending = [c for c in self._pending if c not in below]
        run = tuple(self._pending) if self._pending != before else None
        return Plan(changed=frozenset(below | {cell_id}), run=run)

    def _cascade(self, cells: set[str]) -> Plan:
        """Cells whose inputs changed: queue them (autorun with a frontend) or mark them stale."""
        cells = {c for c in cells if self._runnable(c)}
        if not cells:
            return Plan()
        if self.mode == "autorun" and self.frontend:
            return self._enqueue(cells)
        drop: set[Value] = set()
        for cell_id in cells:
            drop |= self._mark_stale(cell_id)
        return Plan(changed=frozenset(cells), drop=frozenset(drop))

    def _enqueue(self, cells: set[str], between: Iterable[str] = ()) -> Plan:
        """Add cells to the run list; report only what changed, so a cascade hop costs one small state.

        `between` holds cells that may lie on paths between them without running (fresh cells, cells
        that cannot run): ordering with them keeps an ancestor reached only through them first.
        """
        before = self._pending
        members = set(before) | cells
        order = self.graph.topological(members | set(between))
        self._pending = [c for c in order if c in members] if between else order
        if self._pending == before:
            return Plan()
        added = cells - set(before)
        drop = set().union(*(self._take_values(c) for c in added))  # they will make new ones
        return Plan(changed=frozenset(added), run=tuple(self._pending), drop=frozenset(drop))

    def _upstream_of(self, cells: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for cell_id in cells:
            if cell_id not in found:
                found |= self.graph.upstream(cell_id)
        return found

    def _mark_stale(self, cell_id: str) -> set[Value]:
        """The cell must run again before its values are read: returns the kept values it lets go."""
        cell = self._cells[cell_id]
        cell.error, cell.raised = None, False
        if cell.base != "unrun":
            cell.base = "stale"
        return self._take_values(cell_id)

    # ---- kept values (ordered policy) ----------------------------------------------------------------

    def release(self, values: Iterable[Value]) -> None:
        """The kernel let go of kept values (too big to keep, or the cell did not bind the name)."""
        self._kept.let_go(values)

    def _take_values(self, cell_id: str) -> set[Value]:
        return self._kept.take(cell_id)

    def _last_values(self, names: Iterable[str], ran: str | None = None) -> tuple[tuple[str, str], ...]:
        return self._kept.last(names, ran) if self.definitions == "ordered" else ()

    # ---- what the frontend sees --------------------------------------------------------------------

    def status(self, cell_id: str) -> str:
        cell = self._cells[cell_id]
        disabled, blocked = self._derived()
        if cell_id in disabled:
            return "disabled"
        if self._running is not None and self._running.cell_id == cell_id:
            return "running"
        if cell_id in self._graph_errors:
            return "error"
        if cell_id in self._pending:
            return "queued"
        if cell.ran_source is not None and cell.source != cell.ran_source:
            return "edited"
        if cell_id in blocked:
            return "blocked"
        return cell.base

    def state(self, cell_id: str) -> CellState:
        cell = self._cells[cell_id]
        status = self.status(cell_id)
        origins = self.graph.origins(cell_id)
        error, raised = self._error(cell_id)
        return CellState(
            status=status,
            defs=tuple(sorted(self.graph.defs(cell_id))),
            refs=tuple(sorted(self.graph.refs(cell_id))),
            parents=self.graph.in_order(self.graph.parents(cell_id)),
            children=self.graph.in_order(self.graph.children(cell_id)),
            error=error,
            warnings=cell.warnings,
            cached=cell.cached and status == "fresh",
            origins=tuple(
                (name, next(iter(found))) for name, found in sorted(origins.items()) if len(found) == 1
            ),
            name=self.name(cell_id),
            raised=raised,
            fixes=offered(self.graph, cell_id, self.source) if cell_id in self._graph_errors else (),
        )

    def source(self, cell_id: str) -> str:
        """The cell's source as the frontend last reported it."""
        return self._cells[cell_id].source

    def name(self, cell_id: str) -> str | None:
        """What the cell's label shows after its position: its title, else its main definition."""
        cell = self._cells.get(cell_id)
        if cell is None:
            return None
        return cell_name(cell.title, self.graph.facts(cell_id) if cell_id in self.graph else None)

    def cache_mode(self, cell_id: str) -> str:
        """The cell's cache option: "off", "memory" or "disk"."""
        cell = self._cells.get(cell_id)
        return cell.cache if cell is not None else "off"

    def set_cached(self, cell_id: str, cached: bool) -> None:
        """Whether the run now finishing was restored from the cache (shown in the cell's state)."""
        if cell_id in self._cells:
            self._cells[cell_id].cached = cached

    def warnings(self, cell_id: str) -> tuple[str, ...]:
        """Mutation warnings of the cell's latest run, without building its whole state."""
        return self._cells[cell_id].warnings

    def __contains__(self, cell_id: object) -> bool:
        return cell_id in self._cells

    def cell_ids(self) -> list[str]:
        return list(self._order)

    def pending(self) -> tuple[str, ...]:
        return tuple(self._pending)

    def _error(self, cell_id: str) -> tuple[str | None, bool]:
        """Why the cell is in error, blocked or disabled, and whether its own run raised it."""
        refusal = self._refusal(cell_id)
        if refusal is not None:
            return refusal.message, False
        if cell_id in self._derived()[1]:
            above = self.graph.in_order(self.graph.upstream(cell_id) & self._graph_errors)
            why = "which cannot run (a multiple definition, an ambiguous read or a cycle): fix that first"
            return f"it reads from {mentions(above)}, {why}", False
        cell = self._cells[cell_id]
        return cell.error, cell.raised and cell.error is not None

    # ---- helpers -----------------------------------------------------------------------------------

    def _set_facts(self, cell_id: str, source: str, rewired: Rewired) -> set[str]:
        cell = self._cells[cell_id]
        if cell.analysed == source:
            return set()
        cell.analysed = source
        return self._graph_changed(self.graph.set_cell(cell_id, analyze(source)), rewired)

    def _graph_changed(self, change: Change, rewired: Rewired) -> set[str]:
        """Take a graph update: re-check errors of what it touched; note the cells it rewired."""
        _note_rewired(rewired, change)
        return set(change.touched) | self._update_errors(change.touched)

    def _update_errors(self, cells: Iterable[str]) -> set[str]:
        """Re-check graph errors; returns the cells whose error or blocked status flipped."""
        flipped = set()
        for cell_id in cells:
            has_error = cell_id in self.graph and self.graph.error(cell_id) is not None
            if has_error != (cell_id in self._graph_errors):
                flipped.add(cell_id)
                (self._graph_errors.add if has_error else self._graph_errors.discard)(cell_id)
        self._closures = None
        return flipped | set(self.graph.descendants(flipped)) if flipped else set()

    def _prune(self) -> set[str]:
        """Drop queued cells that can no longer run (graph error, disabled); returns the ones dropped."""
        dropped = {c for c in self._pending if not self._runnable(c)}
        if dropped:
            self._pending = [c for c in self._pending if c not in dropped]
        return dropped

    def _derived(self) -> tuple[frozenset[str], frozenset[str]]:
        """Cells disabled through an ancestor and cells blocked by an ancestor's graph error."""
        if self._closures is None:
            off = self._disabled
            disabled = frozenset(off | set(self.graph.descendants(off))) if off else frozenset()
            below = set(self.graph.descendants(self._graph_errors)) if self._graph_errors else set()
            self._closures = (disabled, frozenset(below - self._graph_errors))
        return self._closures

    def _needed_ancestors(self, cell_id: str) -> set[str]:
        """Ancestors that must run before this cell: stale, queued or never run (and able to run)."""
        upstream = self.graph.upstream(cell_id)
        needed = {a for a in upstream if self._runnable(a) and self.status(a) in _NEEDS_RUN}
        return needed | self._values_missing(cell_id)

    def _values_missing(self, cell_id: str) -> set[str]:
        if self.definitions != "ordered":
            return set()
        return self._kept.missing(
            cell_id, lambda c: self._runnable(c) and self._cells[c].ran_source is not None
        )

    def _runnable(self, cell_id: str) -> bool:
        disabled, blocked = self._derived()
        return cell_id not in disabled and cell_id not in self._graph_errors and cell_id not in blocked

    def _refusal(self, cell_id: str) -> Refusal | None:
        if cell_id in self._derived()[0]:
            why = "it is disabled" if self._cells[cell_id].disabled else "an ancestor cell is disabled"
            message = f"cell {mention(cell_id)} does not run: {why}. Enable it to run it."
            return Refusal("CellDisabled", message)
        problem = self.graph.error(cell_id) if cell_id in self._graph_errors else None
        if problem is None:
            return None
        if problem.kind == "multiple-definition":
            names = {n: self.graph.in_order(self.graph.definers(n) - {cell_id}) for n in problem.names}
            return Refusal("MultipleDefinitionError", str(MultipleDefinitionError(cell_id, names)))
        if problem.kind == "ambiguous":
            names = {n: self.graph.in_order(self.graph.definers(n) - {cell_id}) for n in problem.names}
            return Refusal("AmbiguousDefinitionError", str(AmbiguousDefinitionError(cell_id, names)))
        return Refusal("CycleError", str(CycleError(cell_id, problem.cells)))

    def _mutation_warnings(self, cell_id: str, facts: CellFacts) -> tuple[str, ...]:
        """Unique policy: a change in place of another cell's global is not tracked, so it is a warning.
        (In the ordered policy it is a link of the chain: the cell defines the name for the cells below.)"""
        if self.definitions == "ordered":
            return ()
        found = []
        for m in facts.mutations:
            owners = self.graph.in_order(self.graph.resolve(m.name, cell_id))
            if owners:
                found.append(
                    f"line {m.line}: `{m.how}` mutates '{m.name}', which cell {mention(owners[0])} defines. "
                    f"Mutations are not tracked, so cells that read '{m.name}' will not re-run: "
                    f"move this change into cell {mention(owners[0])}, or build a new value here."
                )
        return tuple(found)


def _note_rewired(rewired: Rewired, change: Change) -> None:
    """Remember where each rewired cell read from before the first update of this edit that moved it."""
    for cell_id in change.rewired:
        rewired.setdefault(cell_id, change.before.get(cell_id, {}))
