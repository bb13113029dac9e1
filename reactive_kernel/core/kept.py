"""Ordered definitions: which value of each name the kernel keeps per defining cell, and what follows.

In the `ordered` policy one global holds in turn the value of each cell that defines it. To run a cell
as a top-to-bottom run would, the kernel binds each name it reads to the value its resolved definer
produced; `KeptValues` is the scheduler's record of which (cell, name) values the kernel still holds
(features/values.py holds the objects), and the decisions that follow from it: what to bind before a
run, what a run keeps and spoils (a change in place), what is spare (no cell reads it again until
something re-runs), what the global ends with, and which definers must re-run because a value is gone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from reactive_kernel.core.graph import Graph

Value = tuple[str, str]  # (cell id, global name): the value a cell's run left in that global


class KeptValues:
    """The (cell, name) values the kernel keeps; `graph` says where reads resolve."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._held: set[Value] = set()

    def __contains__(self, value: object) -> bool:
        return value in self._held

    def let_go(self, values: Iterable[Value]) -> None:
        """The kernel no longer holds these (let go to save memory, or the name was unbound)."""
        self._held.difference_update(values)

    def clear(self) -> frozenset[Value]:
        """Forget every value (the policy changed); returns what the kernel must drop."""
        held, self._held = frozenset(self._held), set()
        return held

    def of(self, cell_id: str) -> set[Value]:
        """The values a cell's last run left that are still kept."""
        return {(cell_id, name) for name in self.graph.defs(cell_id) if (cell_id, name) in self._held}

    def take(self, cell_id: str) -> set[Value]:
        """The cell will run again (or turned stale): its values are let go; returns them."""
        values = self.of(cell_id)
        self._held -= values
        return values

    def binds(self, cell_id: str) -> tuple[tuple[str, str], ...]:
        """(name, cell) for each read whose resolved definer's value is kept: bind it before the run."""
        return tuple(
            (name, origin)
            for name, found in sorted(self.graph.origins(cell_id).items())
            for origin in found
            if (origin, name) in self._held
        )

    def after_run(
        self, cell_id: str, fresh: Callable[[str], bool]
    ) -> tuple[frozenset[Value], frozenset[Value], frozenset[Value]]:
        """After a successful run: the values to keep, those it changed in place (gone), and those no
        cell reads again until something re-runs (spare: the kernel may let big ones go)."""
        keep = {(cell_id, name) for name in self.graph.defs(cell_id)}
        self._held |= keep
        spoiled = {
            (source, name)
            for name in self.graph.facts(cell_id).mutates
            for source in self.graph.resolve(name, cell_id)
            if (source, name) in self._held
        }
        self._held -= spoiled
        spare = set()
        for name, found in self.graph.origins(cell_id).items():
            for source in found:
                value = (source, name)
                if value in self._held and self.graph.last_definer(name) != source:
                    readers = self.graph.readers_of(source, name) - {cell_id}
                    if all(fresh(r) for r in readers):
                        spare.add(value)
        return frozenset(keep), frozenset(spoiled), frozenset(spare)

    def last(self, names: Iterable[str], ran: str | None = None) -> tuple[tuple[str, str], ...]:
        """(name, cell) for names defined elsewhere too: the global ends with the value of the lowest
        definer that still has one, as after a top-to-bottom run (what a console or inspector sees)."""
        found = []
        for name in sorted(names):
            definers = self.graph.definers(name)
            if len(definers) < 2 and ran in definers:
                continue
            for definer in reversed(self.graph.in_order(definers)):
                if definer == ran:
                    break
                if (definer, name) in self._held:
                    found.append((name, definer))
                    break
        return tuple(found)

    def missing(self, cell_id: str, can_rerun: Callable[[str], bool]) -> set[str]:
        """Cells whose value this cell (or a cell re-running for it) reads but that is gone: changed in
        place since, or let go. A name with one definer needs no kept value: the global holds it."""
        missing: set[str] = set()
        stack = [cell_id]
        while stack:
            reader = stack.pop()
            for name, found in self.graph.origins(reader).items():
                for source in found:
                    if source in missing or (source, name) in self._held:
                        continue
                    if len(self.graph.definers(name)) >= 2 and can_rerun(source):
                        missing.add(source)
                        stack.append(source)
        return missing
