"""Cells' facts -> the dependency graph: where each read resolves, parents, children, order, graph errors.

Two definitions policies decide where a read resolves (the README, "Definitions policies"):

- `unique`: a global has one defining cell; a second definer is an error on both.
- `ordered`: a read resolves to the nearest cell above the reader that defines the name (or changes it in
  place); with none above, to the single definer below; several below is an error. A cell that calls a
  function defined elsewhere also reads the globals the function's body reads, resolved at the caller.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from reactive_kernel.core.analysis import CellFacts

Policy = Literal["ordered", "unique"]
POLICIES: tuple[Policy, ...] = ("ordered", "unique")
_NONE: frozenset[str] = frozenset()


@dataclass(frozen=True)
class GraphError:
    """Why a cell cannot run whatever its code does: a value, not an exception (see errors.py for text)."""

    kind: str  # "multiple-definition", "ambiguous" or "cycle"
    cells: tuple[str, ...]  # the other cells involved, in notebook order (for a cycle: the whole cycle)
    names: tuple[str, ...]  # multiple-definition: names defined twice; ambiguous: names read; cycle: empty


@dataclass(frozen=True)
class Change:
    """What one update of the graph did."""

    touched: frozenset[str]  # cells whose parents, children, refs or graph error may have changed
    rewired: frozenset[str]  # cells that now read some name from a different cell than before
    before: Mapping[str, Mapping[str, frozenset[str]]] = field(default_factory=dict)  # their old origins


class Graph:
    """Dependency graph over code cells, keyed by cell id and holding no runtime state.

    Definitions and reads are indexed by name and every cell's resolved reads are kept, so changing one
    cell costs what that cell touches. Every cycle contains an edge that points up the notebook, so
    while no such edge exists (the usual case) there is nothing to search; otherwise cycles are
    recomputed on each change (linear).
    """

    def __init__(self, policy: Policy = "unique") -> None:
        self.policy: Policy = policy
        self._facts: dict[str, CellFacts] = {}
        self._position: dict[str, int] = {}
        self._next_position = 0  # new cells go last until set_order says otherwise
        self._definers: dict[str, set[str]] = {}  # name -> cells defining it (or, ordered, changing it)
        self._readers: dict[str, set[str]] = {}  # name -> cells whose refs include it
        self._defs: dict[str, frozenset[str]] = {}  # cell -> names it defines for the cells after it
        self._refs: dict[str, frozenset[str]] = {}  # cell -> names it reads from other cells
        self._origins: dict[str, dict[str, frozenset[str]]] = {}  # cell -> name -> cells it reads it from
        self._ambiguous: dict[str, dict[str, tuple[str, ...]]] = {}  # cell -> name -> definers below it
        self._parents: dict[str, frozenset[str]] = {}
        self._children: dict[str, set[str]] = {}
        self._backward: set[tuple[str, str]] = set()  # edges whose parent sits below its child
        self._imported: dict[str, set[str]] = {}  # name -> cells that bind it with `import`
        self._callers: dict[str, set[str]] = {}  # name -> cells whose only change to it is a method call
        self._cycles: dict[str, tuple[str, ...]] = {}  # cell -> the cycle it is in, in notebook order
        self._previous: dict[str, dict[str, frozenset[str]]] = {}  # this update's rewired: old origins

    # ---- updates -------------------------------------------------------------------------------

    def set_cell(self, cell_id: str, facts: CellFacts) -> Change:
        """Add or replace one cell."""
        old = self._facts.get(cell_id)
        if old is not None and self._same_links(old, facts):
            self._facts[cell_id] = facts
            return Change(frozenset({cell_id}), _NONE)
        self._previous = {}
        if cell_id not in self._position:
            self._position[cell_id] = self._next_position
            self._next_position += 1
        old_defs = self._defs.get(cell_id, _NONE)
        modules = self._index_modules(cell_id, old, facts)
        self._facts[cell_id] = facts
        new_defs = self._defs[cell_id] = self._defs_of(facts)
        self._index_defs(cell_id, old_defs, new_defs)
        names = old_defs | new_defs
        affected = {cell_id} | self._readers_of(names)  # expanded reads are indexed: callers included
        affected |= self._redefine(self._callers_of(modules) - {cell_id})
        parents_before = self._parents.get(cell_id, _NONE)
        touched, rewired = self._relink(affected)
        touched |= self._definers_of(names) | {cell_id} | parents_before | self._parents[cell_id]
        return self._change(touched, rewired - {cell_id})

    def remove_cell(self, cell_id: str) -> Change:
        """Forget a deleted cell."""
        if cell_id not in self._facts:
            return Change(_NONE, _NONE)
        self._previous = {}
        old_defs = self._defs.pop(cell_id)
        self._index_defs(cell_id, old_defs, _NONE)
        modules = self._index_modules(cell_id, self._facts[cell_id], None)
        affected = self._readers_of(old_defs) | self._redefine(self._callers_of(modules) - {cell_id})
        self._unlink(cell_id)
        affected.discard(cell_id)
        touched, rewired = self._relink(affected)  # before its position goes: their old edges need it
        self._children.pop(cell_id, None)
        del self._facts[cell_id]
        del self._position[cell_id]
        touched |= self._definers_of(old_defs)
        return self._change(touched, rewired)

    def set_order(self, cell_ids: Sequence[str]) -> Change:
        """Record notebook order; ids the graph does not hold are skipped, ones not listed go last."""
        known = [c for c in cell_ids if c in self._facts]
        listed = set(known)
        rest = sorted((c for c in self._facts if c not in listed), key=self._position.__getitem__)
        order = [*known, *rest]
        self._previous = {}
        before = self._position
        moved = _moved(order, before)
        if not moved:
            self._position = {c: i for i, c in enumerate(order)}
            self._next_position = len(order)
            return Change(_NONE, _NONE)
        edges = {(p, m) for m in moved for p in self._parents[m]}
        edges |= {(m, c) for m in moved for c in self._children.get(m, ())}
        self._backward -= edges
        self._position = after = {c: i for i, c in enumerate(order)}
        self._next_position = len(order)
        self._backward |= {(p, c) for p, c in edges if after[p] > after[c]}
        touched: set[str] = set(moved)
        rewired: set[str] = set()
        if self.policy == "ordered":
            affected = set(moved)
            for m in moved:
                affected |= self._passed(m, before, after)
            touched, rewired = self._relink(affected)
            touched |= set(moved) | self._definers_of(set().union(*(self._defs[m] for m in moved)))
        return self._change(touched, rewired)

    def _passed(self, moved: str, before: Mapping[str, int], after: Mapping[str, int]) -> set[str]:
        """Readers of what a moved cell defines whose nearest definer may have changed: those it passed
        (their definers above and below changed), those it was nearest to, and those it now is.
        Readers it did not pass keep the same definers above and below, in the same order."""
        found: set[str] = set()
        was, now = before[moved], after[moved]
        for name in self._defs[moved]:
            below = sorted(after[d] for d in self._definers.get(name, ()) if after[d] > now)[:2]
            for reader in self._readers.get(name, ()):
                here = after[reader]
                stop = next((p for p in below if p != here), len(after))  # next definer, not itself
                if (before[reader] < was) != (here < now):  # passed it
                    found.add(reader)
                elif now < here < stop or moved in self._origins[reader].get(name, _NONE):
                    found.add(reader)
        return found

    def set_policy(self, policy: Policy) -> Change:
        """Switch definitions policy: every cell is resolved again."""
        if policy == self.policy:
            return Change(_NONE, _NONE)
        self._previous = {}
        self.policy = policy
        for cell_id, facts in self._facts.items():
            new = self._defs_of(facts)
            self._index_defs(cell_id, self._defs[cell_id], new)
            self._defs[cell_id] = new
        touched, rewired = self._relink(set(self._facts))
        return self._change(touched | set(self._facts), rewired)

    def _same_links(self, old: CellFacts, new: CellFacts) -> bool:
        if old.defs != new.defs:
            return False
        if self.policy == "unique":
            return old.refs == new.refs
        return (old.reads, old.mutates, old.functions, old.call_mutates, old.imports) == (
            new.reads,
            new.mutates,
            new.functions,
            new.call_mutates,
            new.imports,
        )

    def _defs_of(self, facts: CellFacts) -> frozenset[str]:
        if self.policy != "ordered":
            return facts.defs
        # `np.sort(a)` looks like `lst.sort()`: a method call on a name some cell imports is a function
        not_changes = {n for n in facts.call_mutates if n in self._imported}
        return facts.defs | (facts.mutates - not_changes) if not_changes else facts.defs | facts.mutates

    def _index_modules(self, cell_id: str, old: CellFacts | None, new: CellFacts | None) -> set[str]:
        """Index imports and method-call changes; returns names that gained their first importer or
        lost their last (what calls on them mean changed)."""
        flipped = set()
        old_imports, new_imports = (old.imports if old else _NONE), (new.imports if new else _NONE)
        for name in old_imports - new_imports:
            _discard(self._imported, name, cell_id)
            if name not in self._imported:
                flipped.add(name)
        for name in new_imports - old_imports:
            if name not in self._imported:
                flipped.add(name)
            self._imported.setdefault(name, set()).add(cell_id)
        old_calls, new_calls = (old.call_mutates if old else _NONE), (new.call_mutates if new else _NONE)
        for name in old_calls - new_calls:
            _discard(self._callers, name, cell_id)
        for name in new_calls - old_calls:
            self._callers.setdefault(name, set()).add(cell_id)
        return flipped

    def _callers_of(self, names: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for name in names:
            found |= self._callers.get(name, set())
        return found

    def _redefine(self, cells: Iterable[str]) -> set[str]:
        """Recompute what `cells` define; returns them and the readers of the names that changed."""
        affected: set[str] = set()
        for cell_id in cells:
            old, new = self._defs[cell_id], self._defs_of(self._facts[cell_id])
            if old != new:
                self._defs[cell_id] = new
                self._index_defs(cell_id, old, new)
                affected |= {cell_id} | self._readers_of(old ^ new)
        return affected

    def _index_defs(self, cell_id: str, old: frozenset[str], new: frozenset[str]) -> None:
        for name in old - new:
            _discard(self._definers, name, cell_id)
        for name in new - old:
            self._definers.setdefault(name, set()).add(cell_id)

    def _readers_of(self, names: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for name in names:
            found |= self._readers.get(name, set())
        return found

    def _definers_of(self, names: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for name in names:
            found |= self._definers.get(name, set())
        return found

    def _change(self, touched: set[str], rewired: set[str]) -> Change:
        touched |= self._refresh_cycles()
        rewired &= self._facts.keys()
        before = {c: self._previous[c] for c in rewired if c in self._previous}
        return Change(frozenset(touched & self._facts.keys()), frozenset(rewired), before)

    # ---- resolution ----------------------------------------------------------------------------

    def _relink(self, cells: Iterable[str]) -> tuple[set[str], set[str]]:
        """Resolve the reads of `cells` again; returns (cells touched, cells now reading elsewhere)."""
        touched: set[str] = set()
        rewired: set[str] = set()
        for cell_id in cells:
            if cell_id not in self._facts:
                continue
            old_origins = self._origins.get(cell_id)
            old_parents = self._parents.get(cell_id, _NONE)
            old_ambiguous = self._ambiguous.get(cell_id)
            self._unlink(cell_id)
            self._link(cell_id)
            if self._origins[cell_id] != old_origins or self._ambiguous.get(cell_id) != old_ambiguous:
                touched.add(cell_id)
                if old_origins is not None:
                    rewired.add(cell_id)
                    self._previous.setdefault(cell_id, old_origins)
            touched |= old_parents ^ self._parents[cell_id]
        return touched, rewired

    def _link(self, cell_id: str) -> None:
        refs, origins, ambiguous = self._resolve_reads(cell_id)
        parents = frozenset().union(*origins.values()) if origins else _NONE
        self._refs[cell_id] = refs
        self._origins[cell_id] = origins
        if ambiguous:
            self._ambiguous[cell_id] = ambiguous
        self._parents[cell_id] = parents
        for name in refs:
            self._readers.setdefault(name, set()).add(cell_id)
        for parent in parents:
            self._children.setdefault(parent, set()).add(cell_id)
        position = self._position[cell_id]
        self._backward.update((p, cell_id) for p in parents if self._position[p] > position)

    def _unlink(self, cell_id: str) -> None:
        parents = self._parents.pop(cell_id, _NONE)
        self._backward.difference_update((p, cell_id) for p in parents)
        for name in self._refs.pop(cell_id, _NONE):
            _discard(self._readers, name, cell_id)
        for parent in parents:
            _discard(self._children, parent, cell_id)
        self._origins.pop(cell_id, None)
        self._ambiguous.pop(cell_id, None)

    def _resolve_reads(
        self, cell_id: str
    ) -> tuple[frozenset[str], dict[str, frozenset[str]], dict[str, tuple[str, ...]]]:
        """A cell's refs (with what the functions it calls read), where each resolves, which are ambiguous."""
        facts = self._facts[cell_id]
        if self.policy == "unique":
            refs = facts.refs - facts.defs
            origins = {n: found for n in refs if (found := self._candidates(n, cell_id))}
            return refs, origins, {}
        refs = set(facts.reads)
        origins: dict[str, frozenset[str]] = {}
        ambiguous: dict[str, tuple[str, ...]] = {}
        stack = list(refs)
        while stack:
            name = stack.pop()
            found = self._nearest(name, cell_id)
            if isinstance(found, tuple):
                ambiguous[name] = found
                continue
            if found is None:
                continue
            origins[name] = frozenset({found})
            function = self._facts[found].function_index.get(name)
            if function is not None:  # calling it reads what its body reads, here
                for extra in function.reads - refs:
                    refs.add(extra)
                    stack.append(extra)
        return frozenset(refs), origins, ambiguous

    def _candidates(self, name: str, reader: str) -> frozenset[str]:
        definers = self._definers.get(name)
        if not definers:
            return _NONE
        return frozenset(definers - {reader}) if reader in definers else frozenset(definers)

    def _nearest(self, name: str, reader: str) -> str | tuple[str, ...] | None:
        """Ordered policy: the nearest definer above; else the only one below; several below: all of them."""
        definers = self._definers.get(name)
        if not definers:
            return None
        here = self._position[reader]
        best, best_position = None, -1
        below = []
        for cell in definers:
            position = self._position[cell]
            if position < here:
                if position > best_position:
                    best, best_position = cell, position
            elif cell != reader:
                below.append(cell)
        if best is not None:
            return best
        if len(below) == 1:
            return below[0]
        return self.in_order(below) if below else None

    def _refresh_cycles(self) -> set[str]:
        """Recompute cycles if any can exist; returns cells that were or are in one (their error changed)."""
        if not self._cycles and not self._backward:
            return set()  # no cycle before, none possible now: the common case costs nothing
        before = set(self._cycles)
        self._cycles = {}
        if self._backward:
            # Every cycle passes through the child of an upward edge: search only what those reach.
            reach = self._reach({child for _, child in self._backward}, self.children)
            for component in _strongly_connected(
                sorted(reach, key=self._position.__getitem__), self.children
            ):
                if len(component) > 1:
                    ordered = self.in_order(component)
                    self._cycles.update(dict.fromkeys(ordered, ordered))
        return {c for c in before | set(self._cycles) if c in self._facts}

    # ---- queries -------------------------------------------------------------------------------

    def __contains__(self, cell_id: object) -> bool:
        return cell_id in self._facts

    def __len__(self) -> int:
        return len(self._facts)

    def facts(self, cell_id: str) -> CellFacts:
        return self._facts[cell_id]

    def position(self, cell_id: str) -> int:
        return self._position[cell_id]

    def defs(self, cell_id: str) -> frozenset[str]:
        """The names a cell provides to the cells after it (ordered: with what it changes in place)."""
        return self._defs.get(cell_id, _NONE)

    def refs(self, cell_id: str) -> frozenset[str]:
        """The names a cell reads from other cells (ordered: with what the functions it uses read)."""
        return self._refs[cell_id]

    def definers(self, name: str) -> frozenset[str]:
        return frozenset(self._definers.get(name, ()))

    def readers(self, name: str) -> frozenset[str]:
        return frozenset(self._readers.get(name, ()))

    def resolve(self, name: str, reader: str) -> frozenset[str]:
        """The cells a read of `name` in `reader` depends on."""
        return self._origins.get(reader, {}).get(name, _NONE)

    def origins(self, cell_id: str) -> Mapping[str, frozenset[str]]:
        """For each name the cell reads from other cells, the cells it reads it from."""
        return self._origins.get(cell_id, {})

    def readers_of(self, definer: str, name: str) -> frozenset[str]:
        """The cells whose read of `name` resolves to `definer`."""
        return frozenset(r for r in self._readers.get(name, ()) if definer in self.resolve(name, r))

    def last_definer(self, name: str) -> str | None:
        """The definer of `name` lowest in the notebook: the value a top-to-bottom run ends with."""
        definers = self._definers.get(name)
        return max(definers, key=self._position.__getitem__) if definers else None

    def parents(self, cell_id: str) -> frozenset[str]:
        return self._parents[cell_id]

    def children(self, cell_id: str) -> frozenset[str]:
        return frozenset(self._children.get(cell_id, ()))

    def error(self, cell_id: str) -> GraphError | None:
        """A multiple definition or an ambiguous read (reported first), or a cycle: the cell cannot run."""
        if self.policy == "unique":
            defs = self._facts[cell_id].defs
            clashes = {n: self._definers[n] - {cell_id} for n in defs if len(self._definers[n]) > 1}
            if clashes:
                others = set().union(*clashes.values())
                return GraphError("multiple-definition", self.in_order(others), tuple(sorted(clashes)))
        else:
            ambiguous = self._ambiguous.get(cell_id)
            if ambiguous:
                others = set().union(*ambiguous.values())
                return GraphError("ambiguous", self.in_order(others), tuple(sorted(ambiguous)))
        cycle = self._cycles.get(cell_id)
        return GraphError("cycle", cycle, ()) if cycle else None

    def in_order(self, cell_ids: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted(cell_ids, key=self._position.__getitem__))

    def descendants(self, roots: Iterable[str]) -> list[str]:
        """Every cell downstream of `roots` (roots excluded), in run order."""
        roots = set(roots)
        return self.topological(self._reach(roots, self.children) - roots)

    def upstream(self, cell_id: str) -> set[str]:
        """Every cell upstream of `cell_id`, unordered: cheaper when only membership matters."""
        return self._reach({cell_id}, self.parents) - {cell_id}

    def ancestors(self, cell_id: str) -> list[str]:
        """Every cell upstream of `cell_id`, in run order."""
        return self.topological(self.upstream(cell_id))

    def topological(self, cell_ids: Iterable[str]) -> list[str]:
        """Order cells so parents come first, ties broken by notebook position.

        In `ordered` mode a cell that changes a value in place also waits for the other cells reading
        that value (they must see it unchanged). A cycle stalls the sort; its first member by position
        is then released, so cells below the cycle still come after their other parents.
        """
        members = set(cell_ids)
        after = self._wait_for_readers(members)
        waiting = {c: len(self._parents[c] & members) + len(after.get(c, ())) for c in members}
        releases: dict[str, list[str]] = {}
        for cell, readers in after.items():
            for reader in readers:
                releases.setdefault(reader, []).append(cell)
        ready = [(self._position[c], c) for c, n in waiting.items() if n == 0]
        heapq.heapify(ready)
        order: list[str] = []
        while len(order) < len(members):
            if not ready:
                stuck = [c for c, n in waiting.items() if n > 0]
                cyclic = [c for c in stuck if c in self._cycles] or stuck
                release = min(cyclic, key=self._position.__getitem__)
                waiting[release] = 0
                ready.append((self._position[release], release))
            _, cell = heapq.heappop(ready)
            order.append(cell)
            waiting[cell] = -1  # done
            for child in [*(self._children.get(cell, set()) & members), *releases.get(cell, ())]:
                if waiting[child] > 0:
                    waiting[child] -= 1
                    if waiting[child] == 0:
                        heapq.heappush(ready, (self._position[child], child))
        return order

    def _wait_for_readers(self, members: set[str]) -> dict[str, set[str]]:
        """Ordered mode: cell -> the members that read, unchanged, a value the cell changes in place."""
        if self.policy != "ordered":
            return {}
        after: dict[str, set[str]] = {}
        for cell in members:
            for name in self._facts[cell].mutates:
                for source in self.resolve(name, cell):
                    readers = (self.readers_of(source, name) & members) - {cell}
                    if readers:
                        after.setdefault(cell, set()).update(readers)
        return after

    def _reach(self, start: set[str], step: Callable[[str], Iterable[str]]) -> set[str]:
        seen = set(start)
        stack = list(start)
        while stack:
            for nxt in step(stack.pop()):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen


def _discard(index: dict[str, set[str]], name: str, cell_id: str) -> None:
    cells = index.get(name)
    if cells is not None:
        cells.discard(cell_id)
        if not cells:
            del index[name]


def _moved(order: Sequence[str], before: Mapping[str, int]) -> set[str]:
    """The cells whose place relative to the others changed: all but a longest run kept in order.

    A single move (drag a cell) reports that one cell; shifts of the cells it passed do not count.
    """
    start, end = 0, len(order)
    positions = [before.get(c, -1) for c in order]
    while start < end and positions[start] == start:
        start += 1  # a common prefix stayed where it was
    if min(positions, default=0) >= 0 and max(positions, default=0) == len(order) - 1:
        while end > start and positions[end - 1] == end - 1:
            end -= 1  # and so did a common suffix (old positions are exactly 0..n-1 here)
    if start == end:
        return set()
    tails: list[int] = []  # smallest tail of an increasing run of each length
    tail_index: list[int] = []
    parent = [-1] * (end - start)
    for i in range(start, end):
        value = positions[i]
        if value < 0:
            continue  # new to the graph: not a move
        k = bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            tail_index.append(i)
        else:
            tails[k] = value
            tail_index[k] = i
        parent[i - start] = tail_index[k - 1] if k else -1
    kept: set[int] = set()
    i = tail_index[-1] if tail_index else -1
    while i >= 0:
        kept.add(i)
        i = parent[i - start]
    return {order[i] for i in range(start, end) if i not in kept and positions[i] >= 0}


def _strongly_connected(
    nodes: Iterable[str], successors: Callable[[str], Iterable[str]]
) -> Iterator[set[str]]:
    """Tarjan's algorithm, iterative so a long chain of cells cannot overflow the stack."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(successors(root)))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    yield component
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(successors(child))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
