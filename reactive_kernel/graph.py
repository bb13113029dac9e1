"""Cells' defs and refs -> the dependency graph: parents, children, order, and graph errors."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from reactive_kernel.analysis import CellFacts


@dataclass(frozen=True)
class GraphError:
    """Why a cell cannot run whatever its code does: a value, not an exception (see errors.py for text)."""

    kind: str  # "multiple-definition" or "cycle"
    cells: tuple[str, ...]  # the other cells involved, in notebook order (for a cycle: the whole cycle)
    names: tuple[str, ...]  # multiple-definition: the names defined twice; cycle: empty


class Graph:
    """Dependency graph over code cells, keyed by cell id and holding no runtime state.

    Definitions and reads are indexed by name, so changing one cell costs what that cell touches.
    Every cycle contains an edge that points up the notebook, so while no such edge exists (the usual
    case) there is nothing to search; otherwise cycles are recomputed on each change (linear).
    """

    def __init__(self) -> None:
        self._facts: dict[str, CellFacts] = {}
        self._position: dict[str, int] = {}
        self._definers: dict[
            str, set[str]
        ] = {}  # name -> cells defining it (several: an error, or ordered mode)
        self._readers: dict[str, set[str]] = {}  # name -> cells reading it
        self._next_position = 0  # new cells go last until set_order says otherwise
        self._backward_edges = 0  # edges whose parent sits below its child in the notebook
        self._cycles: dict[str, tuple[str, ...]] = {}  # cell -> the cycle it is in, in notebook order

    # ---- updates -------------------------------------------------------------------------------

    def set_cell(self, cell_id: str, facts: CellFacts) -> frozenset[str]:
        """Add or replace one cell; returns the cells whose parents, children or errors may have changed."""
        old = self._facts.get(cell_id)
        if old is not None and old.defs == facts.defs and old.refs == facts.refs:
            self._facts[cell_id] = facts
            return frozenset({cell_id})
        touched = self._detach(cell_id) if old is not None else {cell_id}
        if cell_id not in self._position:
            self._position[cell_id] = self._next_position
            self._next_position += 1
        self._facts[cell_id] = facts
        for name in facts.defs:
            self._definers.setdefault(name, set()).add(cell_id)
        for name in facts.refs - facts.defs:
            self._readers.setdefault(name, set()).add(cell_id)
        touched |= self._neighbourhood(cell_id)
        self._backward_edges += self._count_backward(cell_id)
        return frozenset(touched | self._refresh_cycles())

    def remove_cell(self, cell_id: str) -> frozenset[str]:
        """Forget a deleted cell; returns the cells whose parents, children or errors may have changed."""
        if cell_id not in self._facts:
            return frozenset()
        touched = self._detach(cell_id)
        del self._facts[cell_id]
        del self._position[cell_id]
        touched.discard(cell_id)
        return frozenset(touched | self._refresh_cycles())

    def set_order(self, cell_ids: Sequence[str]) -> None:
        """Record notebook order; ids the graph does not hold are skipped, ones not listed go last."""
        known = [c for c in cell_ids if c in self._facts]
        rest = sorted(set(self._facts) - set(known), key=self._position.__getitem__)
        self._position = {c: i for i, c in enumerate([*known, *rest])}
        self._next_position = len(self._position)
        self._backward_edges = sum(self._count_backward(c, outgoing=False) for c in self._facts)
        self._refresh_cycles()

    def _detach(self, cell_id: str) -> set[str]:
        old = self._facts[cell_id]
        touched = self._neighbourhood(cell_id) | {cell_id}
        self._backward_edges -= self._count_backward(cell_id)
        for name in old.defs:
            _discard(self._definers, name, cell_id)
        for name in old.refs - old.defs:
            _discard(self._readers, name, cell_id)
        return touched

    def _neighbourhood(self, cell_id: str) -> set[str]:
        facts = self._facts[cell_id]
        near: set[str] = set()
        for name in facts.defs:
            near |= self._readers.get(name, set())
            near |= self._definers.get(name, set())
        for name in facts.refs - facts.defs:
            near |= self._definers.get(name, set())
        return near

    def _count_backward(self, cell_id: str, outgoing: bool = True) -> int:
        pos = self._position[cell_id]
        count = sum(1 for p in self.parents(cell_id) if self._position[p] > pos)
        if outgoing:
            count += sum(1 for c in self.children(cell_id) if self._position[c] < pos)
        return count

    def _refresh_cycles(self) -> set[str]:
        """Recompute cycles if any can exist; returns cells that were or are in one (their error changed)."""
        if not self._cycles and not self._backward_edges:
            return set()  # no cycle before, none possible now: the common case costs nothing
        before = set(self._cycles)
        self._cycles = {}
        if self._backward_edges:
            for component in _strongly_connected(list(self._facts), self.children):
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

    def definers(self, name: str) -> frozenset[str]:
        return frozenset(self._definers.get(name, ()))

    def readers(self, name: str) -> frozenset[str]:
        return frozenset(self._readers.get(name, ()))

    def resolve(self, name: str, reader: str) -> frozenset[str]:
        """The cells a read of `name` in `reader` depends on: the one place name resolution lives."""
        return frozenset(self._definers.get(name, set()) - {reader})

    def parents(self, cell_id: str) -> frozenset[str]:
        facts = self._facts[cell_id]
        found: set[str] = set()
        for name in facts.refs - facts.defs:
            found |= self.resolve(name, cell_id)
        return frozenset(found)

    def children(self, cell_id: str) -> frozenset[str]:
        found: set[str] = set()
        for name in self._facts[cell_id].defs:
            found |= {r for r in self._readers.get(name, ()) if cell_id in self.resolve(name, r)}
        return frozenset(found)

    def error(self, cell_id: str) -> GraphError | None:
        """A multiple definition (reported first) or a cycle that stops this cell from running."""
        clashes = {
            n: self._definers[n] - {cell_id} for n in self._facts[cell_id].defs if len(self._definers[n]) > 1
        }
        if clashes:
            others = set().union(*clashes.values())
            return GraphError("multiple-definition", self.in_order(others), tuple(sorted(clashes)))
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

        A cycle stalls the sort; its first member by position is then released, so cells below the
        cycle still come after their other parents.
        """
        members = set(cell_ids)
        waiting = {c: len(self.parents(c) & members) for c in members}
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
            for child in self.children(cell) & members:
                if waiting[child] > 0:
                    waiting[child] -= 1
                    if waiting[child] == 0:
                        heapq.heappush(ready, (self._position[child], child))
        return order

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
