"""Every exception type reactive_kernel raises or reports, with the message built in one place."""

from __future__ import annotations

from collections.abc import Iterable

from reactive_kernel.core.naming import cell_label
from reactive_kernel.core.naming import mention as _mention
from reactive_kernel.core.naming import mentions as _cells


class ReactiveError(Exception):
    """Base class, so callers can catch everything of ours at once."""


class MultipleDefinitionError(ReactiveError):
    """A global is defined by more than one cell; none of those cells may run."""

    def __init__(self, cell_id: str, names: dict[str, tuple[str, ...]]) -> None:
        parts = [f"'{name}' is also defined by {_cells(others)}" for name, others in sorted(names.items())]
        super().__init__(
            f"cell {_mention(cell_id)} defines a global that other cells define too: "
            + "; ".join(parts)
            + ". Each global must be defined in exactly one cell: rename it, or merge the definitions "
            "into one cell (prefix a name with '_' to keep it private to its cell)."
        )
        self.cell_id = cell_id
        self.names = names


class AmbiguousDefinitionError(ReactiveError):
    """Ordered policy: a cell reads a name no cell above defines and several cells below define."""

    def __init__(self, cell_id: str, names: dict[str, tuple[str, ...]]) -> None:
        parts = [
            f"'{name}' is defined only below it, by {_cells(others)}"
            for name, others in sorted(names.items())
        ]
        super().__init__(
            f"cell {_mention(cell_id)} reads a global that no cell above it defines: "
            + "; ".join(parts)
            + ". With several definitions below there is no telling which one it means: define it above "
            "this cell, or keep one definition below."
        )
        self.cell_id = cell_id
        self.names = names


class CycleError(ReactiveError):
    """Cells read each other's globals in a loop, so there is no order to run them in."""

    def __init__(self, cell_id: str, cycle: tuple[str, ...]) -> None:
        path = " -> ".join(map(_mention, (*cycle, cycle[0])))
        super().__init__(
            f"cell {_mention(cell_id)} is part of a dependency cycle: {path}. Break the cycle by moving the "
            "definitions one of these cells reads into a cell that reads none of the others."
        )
        self.cell_id = cell_id
        self.cycle = cycle


class RewriteRefused(ReactiveError, ValueError):
    """A rename in one cell's source that would not keep the cell's meaning (core.rewrite), and why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class QuickFixError(ReactiveError, ValueError):
    """A quick fix the kernel cannot make: names the cell, the global and why (a core.naming mention)."""

    def __init__(self, cell_id: str, name: str, reason: str) -> None:
        super().__init__(f"cannot fix '{name}' in cell {_mention(cell_id)}: {reason}")
        self.cell_id = cell_id
        self.name = name
        self.reason = reason


class ProtocolError(ReactiveError, ValueError):
    """A comm message from the frontend that does not follow docs/protocol.md."""

    def __init__(self, problem: str, field: str | None = None) -> None:
        where = f" (field '{field}')" if field else ""
        super().__init__(f"malformed reactive_kernel message{where}: {problem}")
        self.field = field


class DeltaMismatch(ReactiveError, ValueError):
    """A frontend's `delta` that does not fit the notebook the kernel holds: the frontend must send the whole
    notebook again (docs/protocol.md, `resync`)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"cannot apply the delta: {reason}")
        self.reason = reason


class FormatError(ReactiveError, ValueError):
    """A `.py` file that cannot be read as a notebook format, or a notebook that cannot be written to one.

    `line` is 1-based when the problem has a place in the file; `str()` names it. Callers that know the
    file's name add it (the contents manager answers HTTP 400 with name, line and reason).
    """

    def __init__(self, reason: str, line: int | None = None) -> None:
        self.reason = reason
        self.line = line
        super().__init__(f"line {line}: {reason}" if line is not None else reason)


class NotebookFileError(ReactiveError, ValueError):
    """A notebook file that is missing, unreadable, or in a format we cannot tell or parse."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class UnrunnableNotebookError(ReactiveError):
    """A notebook with syntax errors, globals defined twice or cycles: a headless run refuses it whole."""

    def __init__(self, reasons: Iterable[str]) -> None:
        self.reasons = tuple(reasons)
        lines = "".join(f"\n  {reason}" for reason in self.reasons)
        super().__init__(f"the notebook cannot run in dependency order; nothing was run:{lines}")


class MissingExtraError(ReactiveError):
    """A command needs a package that only one of our install extras brings (Voilà for `app`)."""

    def __init__(self, package: str, extra: str) -> None:
        install = f"pip install 'reactive_kernel[{extra}]'"
        super().__init__(f"{package} is not installed; install it with: {install}")
        self.package = package
        self.extra = extra


class SqlError(ReactiveError):
    """A `%%sql` cell that cannot run: a bad magic line or a DuckDB error, named by its line in the cell."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line  # 1-based line in the cell; the `%%sql` line is line 1
        self.reason = reason

    def _render_traceback_(self) -> list[str]:
        """IPython shows this instead of a traceback: the frames are ours, the mistake is in the SQL."""
        first, *rest = str(self).split("\n")
        return [f"\x1b[0;31m{type(self).__name__}\x1b[0m: {first}", *rest]


class NotebookModelError(ReactiveError, ValueError):
    """A notebook sent to be saved that is not one we can write: names the field, and the cell by position.

    `field` is the dotted path inside the notebook (or inside the cell, when `cell` is its 1-based
    position); `str()` says where and why, so the contents manager can answer HTTP 400 with it.
    """

    def __init__(
        self, field: str, reason: str, cell: int | None = None, cell_name: str | None = None
    ) -> None:
        self.field = field
        self.reason = reason
        self.cell = cell
        where = ""
        if cell is not None:
            where = f"cell {cell_label(cell, cell_name)}: "
        super().__init__(f"{where}field '{field}' {reason}" if field else f"{where}{reason}")


class NotRegularFileError(ReactiveError, ValueError):
    """A save whose target exists but is not a regular file (a FIFO, a device, a directory)."""

    def __init__(self, path: str, kind: str) -> None:
        super().__init__(f"{path} is a {kind}, not a regular file; it is not replaced")
        self.path = path
        self.kind = kind
