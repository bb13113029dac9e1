"""Cell source -> CellFacts: the globals a cell defines and reads, found statically (no execution)."""

from __future__ import annotations

import ast
import builtins
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from reactive_kernel.core.errors import SqlError
from reactive_kernel.core.ipython_source import (
    CODE_OPTIONS,
    NO_VAR_EXPAND,
    LineFn,
    ParseFailure,
    capture_target,
    expansions,
    identity,
    prepare,
    strip_options,
)
from reactive_kernel.core.sql import sql_facts

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mutation:
    """A statement that changes a global the cell does not define (ownership belongs elsewhere)."""

    name: str  # the global being mutated, e.g. "lst" in lst.append(1)
    line: int  # 1-based line in the original cell source
    how: str  # short description for the warning, e.g. "lst.append(...)", "df[...] = ...", "obj.attr = ..."


@dataclass(frozen=True)
class FunctionFacts:
    """What calling a function (or using a class) that a cell defines reads and changes in the globals.

    Python reads a function's globals when it is called, not when it is defined, so in `ordered` mode
    these are reads and changes of the calling cell, resolved at the caller's position.
    """

    name: str  # the global the cell binds to the function, class or lambda
    reads: frozenset[str]  # globals its body reads (and those of the cell's own functions it uses)
    mutates: frozenset[str]  # globals its body changes in place (`lst.append(...)`)


@dataclass(frozen=True)
class CellFacts:
    """What static analysis knows about one cell's source."""

    defs: frozenset[str]  # globals the cell binds at module scope (private _names excluded)
    refs: frozenset[str]  # globals read and not bound earlier in the cell (builtins and _names excluded)
    deleted: frozenset[str]  # globals removed with a module-level `del`
    private: frozenset[str]  # _names the cell binds at module scope: local to this cell
    mutations: tuple[Mutation, ...]  # mutations of globals other cells own, in source order
    error: str | None  # None, or "SyntaxError: <msg> (line N)" when the cell cannot be parsed
    # For the `ordered` definitions policy, where a name may be defined by several cells:
    reads: frozenset[str] = frozenset()  # globals read when the cell runs, before it binds them
    # (`x = x + 1` reads x), with what its own functions read when it uses them; not what the bodies of
    # functions it only defines read: those are read by the cells that call them (`functions`)
    mutates: frozenset[str] = frozenset()  # globals whose value from another cell it changes in place
    call_mutates: frozenset[str] = frozenset()  # those of `mutates` seen only as `x.append(...)`-like
    # calls, which on a module are plain functions (`np.sort(a)`, `np.add(a, b)`): not a change in place
    imports: frozenset[str] = frozenset()  # globals it binds with `import`
    functions: tuple[FunctionFacts, ...] = ()  # per public function, class or lambda it defines, by name
    defs_order: tuple[str, ...] = ()  # `defs` in the order the cell first binds them (names a cell by
    # its main definition, core.naming)

    @cached_property
    def function_index(self) -> dict[str, FunctionFacts]:
        return {f.name: f for f in self.functions}


BUILTIN_NAMES: frozenset[str] = frozenset(dir(builtins)) | {
    "get_ipython", "display", "In", "Out", "exit", "quit",
}  # fmt: skip
_MUTATORS = frozenset(
    "append extend insert remove pop clear update setdefault sort reverse add discard popitem"
    " difference_update intersection_update symmetric_difference_update".split()
)
# Functions that change their first argument in place (heapq, bisect, random, numpy): `heappush(h, x)`
_ARGUMENT_MUTATORS = frozenset(
    "heappush heappop heapify heappushpop heapreplace insort insort_left insort_right shuffle"
    " copyto fill_diagonal put place putmask".split()
)
_AUG_OPS = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.MatMult: "@", ast.Div: "/", ast.FloorDiv: "//",
    ast.Mod: "%", ast.Pow: "**", ast.LShift: "<<", ast.RShift: ">>", ast.BitOr: "|", ast.BitXor: "^",
    ast.BitAnd: "&",
}  # fmt: skip
_SCOPE_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_COMP_NODES = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
_BINDING_NODES = (
    ast.Global,
    ast.Nonlocal,
    ast.Import,
    ast.ImportFrom,
    ast.ExceptHandler,
    ast.MatchAs,
    ast.MatchStar,
    ast.MatchMapping,
)


def _is_private(name: str) -> bool:
    """Single-underscore names are cell-local by the project's convention."""
    return name.startswith("_") and not name.startswith("__")


def _is_public(name: str) -> bool:
    """Only public names take part in the dependency graph; dunders are module attributes."""
    return not _is_private(name) and not (name.startswith("__") and name.endswith("__"))


def _import_names(node: ast.Import | ast.ImportFrom) -> list[str]:
    """`import a.b` binds `a`; star and __future__ imports bind nothing we can track."""
    if isinstance(node, ast.ImportFrom) and node.module == "__future__":
        return []
    return [alias.asname or alias.name.split(".")[0] for alias in node.names if alias.name != "*"]


def _outer_exprs(node: Any, annotations: bool = True) -> list[ast.expr]:
    """Decorators, defaults, bases and annotations run when the def runs, in the enclosing scope."""
    if isinstance(node, ast.ClassDef):
        return [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]
    args = node.args
    exprs = [*getattr(node, "decorator_list", ()), *args.defaults, *(d for d in args.kw_defaults if d)]
    if annotations:
        every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
        exprs += [arg.annotation for arg in every if arg is not None and arg.annotation is not None]
        if getattr(node, "returns", None) is not None:
            exprs.append(node.returns)
    return exprs


def _function_parts(node: Any) -> tuple[set[str], list[ast.AST]]:
    """Parameters and body of anything whose body runs later: def, lambda, `type X = ...`."""
    names = {param.name for param in getattr(node, "type_params", ())}
    if isinstance(node, ast.TypeAlias if hasattr(ast, "TypeAlias") else ()):
        return names, [node.value]
    args = node.args
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
    names.update(arg.arg for arg in every if arg is not None)
    return names, [node.body] if isinstance(node, ast.Lambda) else node.body


def _comp_parts(node: Any) -> list[ast.expr]:
    """The expressions a comprehension evaluates per item."""
    return [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]


def _render(node: ast.AST) -> str:
    """Short, stable text for a mutated target in a warning."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_render(node.value)}.{node.attr}"
    if isinstance(node, ast.Subscript):
        return f"{_render(node.value)}[...]"
    return f"{_render(node.func)}(...)" if isinstance(node, ast.Call) else "..."


def _is_get_ipython(node: ast.AST) -> bool:
    """Transformed magics all look like `get_ipython().method(...)`."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "get_ipython"
        and not node.args
    )


def _visit_all(visitor: ast.NodeVisitor, nodes: Iterable[ast.AST]) -> None:
    """Visit several nodes in order."""
    for node in nodes:
        visitor.visit(node)


class _Bindings:
    """Python decides locality per scope, not per line, so a body's bindings are collected up front."""

    __slots__ = ("bound", "globals", "nonlocals")

    def __init__(self, body: Iterable[ast.AST] = ()) -> None:
        self.bound: set[str] = set()
        self.globals: set[str] = set()
        self.nonlocals: set[str] = set()
        stack: list[Any] = list(body)
        while stack:  # iterative: deep expressions must not exhaust the stack
            node = stack.pop()
            if isinstance(node, ast.Name):
                if not isinstance(node.ctx, ast.Load):
                    self.bound.add(node.id)
            elif isinstance(node, _SCOPE_NODES):  # a nested body is a scope of its own...
                self.bound.update([] if isinstance(node, ast.Lambda) else [node.name])
                stack.extend(_outer_exprs(node))  # ...but what the def evaluates runs here
            elif isinstance(node, _COMP_NODES):  # targets are the comprehension's; a walrus binds here
                stack.extend(e for g in node.generators for e in [g.iter, *g.ifs])
                stack.extend(_comp_parts(node))
            elif isinstance(node, ast.AST):
                if isinstance(node, _BINDING_NODES):
                    self._note(node)
                for field in node._fields:
                    value = getattr(node, field, None)
                    if isinstance(value, list):
                        stack.extend(value)  # may hold None or str, skipped when popped
                    elif isinstance(value, ast.AST):
                        stack.append(value)

    def _note(self, node: Any) -> None:
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            (self.globals if isinstance(node, ast.Global) else self.nonlocals).update(node.names)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            self.bound.update(_import_names(node))
        elif isinstance(node, ast.MatchMapping):
            self.bound.update([node.rest] if node.rest else [])
        elif node.name:  # except handlers and match captures
            self.bound.add(node.name)


class _Scope:
    """A namespace: module and class scopes fill `bound` in source order, functions up front."""

    __slots__ = ("bound", "globals", "kind", "nonlocals", "parent")

    def __init__(self, kind: str, parent: _Scope | None, bound: set[str], found: _Bindings | None = None):
        self.kind, self.parent, self.bound = kind, parent, bound
        self.globals = found.globals if found else set()
        self.nonlocals = found.nonlocals if found else set()


class _Walker(ast.NodeVisitor):
    """Walks module code in execution order; function bodies wait until every module binding is known."""

    _dispatch: dict[type, Callable[..., None]] = {}  # node class -> visit method, shared by all walkers

    def __init__(self) -> None:
        self.module = _Scope("module", None, set())
        self.scope = self.module
        self.deferred = False  # True while walking code that runs later (function and lambda bodies)
        self.future_annotations = False
        self.line_fn: LineFn = identity
        self.ever_bound: set[str] = set()
        self.bound_order: list[str] = []  # ever_bound, in the order first bound
        self.refs: set[str] = set()
        self.deferred_reads: set[str] = set()
        self.deleted: set[str] = set()
        self.mutations: list[tuple[int, int, str, str]] = []
        self.queue: list[tuple[Any, _Scope, LineFn, str | None]] = []
        # ordered-mode facts: deferred code is attributed to the module-level name it runs under
        self.owner: str | None = None  # the function/class/lambda name whose deferred body is walked
        self.class_owner: str | None = None  # the module-level class whose body is walked
        self.lambda_owner: str | None = None  # `f = lambda: ...` at module level: f
        self.fn_reads: dict[str | None, set[str]] = {}  # owner -> globals its body reads
        self.fn_mutates: dict[str | None, set[str]] = {}  # owner -> globals its body changes in place
        self.module_loads: set[str] = set()  # every global read at module level, bound before or not
        self.incoming_mutations: set[str] = set()  # globals changed in place before the cell binds them
        self.incoming_calls: set[str] = set()  # ... through a method call (`x.append(...)`)
        self.imported: set[str] = set()  # globals bound by a module-level import

    # -- dispatch: cached, and iterative on long `a + b + ...` and `a.b.c...` chains --------------

    def visit(self, node: ast.AST) -> None:
        kind = node.__class__
        method = self._dispatch.get(kind)
        if method is None:
            method = getattr(type(self), "visit_" + kind.__name__, type(self).generic_visit)
            self._dispatch[kind] = method
        method(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, ast.AST):
                self.visit(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item)

    def visit_Constant(self, node: ast.AST) -> None:
        pass

    def visit_Attribute(self, node: ast.AST) -> None:
        while isinstance(node, ast.Attribute):  # long `a.b.c...` chains must not exhaust the stack
            node = node.value
        self.visit(node)

    def visit_keyword(self, node: ast.keyword) -> None:
        self.visit(node.value)

    def visit_Expr(self, node: ast.Expr) -> None:
        self.visit(node.value)

    def visit_BinOp(self, node: ast.AST) -> None:
        rights = []
        while isinstance(node, ast.BinOp):
            rights.append(node.right)
            node = node.left
        self.visit(node)
        _visit_all(self, reversed(rights))

    def run(self, source: str) -> CellFacts:
        tree, self.line_fn = prepare(source)
        self.future_annotations = any(
            isinstance(stmt, ast.ImportFrom)
            and stmt.module == "__future__"
            and any(alias.name == "annotations" for alias in stmt.names)
            for stmt in tree.body
        )
        _visit_all(self, tree.body)
        while self.queue:
            self._run_function(*self.queue.pop())
        return self._facts()

    def _owner_for(self, node: Any) -> str | None:
        """The module-level name a deferred body (def, lambda) belongs to."""
        if self.deferred:
            return self.owner
        if self.scope.kind == "class":
            return self.class_owner
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and self.scope is self.module:
            return node.name
        return self.lambda_owner if self.scope is self.module else self.class_owner

    def _facts(self) -> CellFacts:
        refs = self.refs | (self.deferred_reads - self.ever_bound)
        owned = self.ever_bound | BUILTIN_NAMES
        mutations = sorted({m for m in self.mutations if m[2] not in owned and _is_public(m[2])})
        used_reads, used_mutates = self._closure(self.module_loads | self.fn_reads.get(None, set()))
        unbound = (self.fn_reads.get(None, set()) | used_reads) - self.ever_bound
        functions = tuple(
            FunctionFacts(name, _globals(reads), _globals(changes))
            for name in sorted(
                o for o in self.fn_reads.keys() | self.fn_mutates.keys() if o and _is_public(o)
            )
            for reads, changes in [self._closure({name})]
        )
        return CellFacts(
            defs=frozenset(filter(_is_public, self.ever_bound)),
            refs=_globals(refs),
            deleted=frozenset(filter(_is_public, self.deleted)),
            private=frozenset(filter(_is_private, self.ever_bound)),
            mutations=tuple(Mutation(name, line, how) for line, _col, name, how in mutations),
            error=None,
            reads=_globals(self.refs | unbound),
            mutates=_globals(
                self.incoming_mutations | self.incoming_calls | (used_mutates - self.ever_bound)
            ),
            call_mutates=_globals(
                (self.incoming_calls - self.incoming_mutations) | (used_mutates - self.ever_bound)
            ),
            imports=_globals(self.imported),
            functions=functions,
            defs_order=tuple(filter(_is_public, self.bound_order)),
        )

    def _closure(self, names: set[str]) -> tuple[set[str], set[str]]:
        """What the cell's own functions among `names` read and change, following calls between them."""
        reads: set[str] = set()
        changes: set[str] = set()
        seen: set[str] = set()
        owners = self.fn_reads.keys() | self.fn_mutates.keys()
        stack = [n for n in names if n in owners]
        while stack:
            owner = stack.pop()
            if owner in seen:
                continue
            seen.add(owner)
            body_reads = self.fn_reads.get(owner, set())
            reads |= body_reads
            changes |= self.fn_mutates.get(owner, set())
            stack.extend(
                n for n in body_reads if n not in seen and (n in self.fn_reads or n in self.fn_mutates)
            )
        return reads, changes

    def _run_function(self, node: Any, parent: _Scope, line_fn: LineFn, owner: str | None) -> None:
        params, body = _function_parts(node)
        found = _Bindings(body)
        local = (params | found.bound) - found.globals - found.nonlocals
        self.scope, self.deferred, self.line_fn = _Scope("function", parent, local, found), True, line_fn
        self.owner = owner
        _visit_all(self, body)

    # -- name resolution -------------------------------------------------------------------------

    def _resolves_global(self, name: str) -> bool:
        scope, direct = self.scope, True
        while scope.parent is not None:
            if direct or scope.kind != "class":  # class bodies are invisible to nested scopes
                if name in scope.globals:
                    return True
                if name in scope.bound or name in scope.nonlocals:
                    return False
            scope, direct = scope.parent, False
        return True

    def _load(self, name: str) -> None:
        if self._resolves_global(name):
            if self.deferred:
                self.deferred_reads.add(name)
                self.fn_reads.setdefault(self.owner, set()).add(name)
                return
            self.module_loads.add(name)
            if name not in self.module.bound:
                self.refs.add(name)

    def _bind(self, name: str, walrus: bool = False) -> None:
        scope = self.scope
        while walrus and scope.kind == "comp":  # PEP 572: walrus binds in the enclosing scope
            scope = scope.parent  # type: ignore[assignment]
        if scope.kind == "module" or name in scope.globals:
            if name not in self.ever_bound:
                self.bound_order.append(name)
                self.ever_bound.add(name)
            if not self.deferred:
                self.module.bound.add(name)
        elif scope.kind == "class":
            scope.bound.add(name)

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        for name in _import_names(node):
            self._bind(name)
            if self.scope is self.module and not self.deferred:
                self.imported.add(name)

    visit_ImportFrom = visit_Import

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        if node.pattern:
            self.visit(node.pattern)
        if node.name:
            self._bind(node.name)

    def visit_MatchStar(self, node: ast.MatchStar) -> None:
        if node.name:
            self._bind(node.name)

    def visit_MatchMapping(self, node: ast.MatchMapping) -> None:
        _visit_all(self, [*node.keys, *node.patterns])
        if node.rest:
            self._bind(node.rest)

    def _delete(self, name: str) -> None:
        scope = self.scope
        if scope.kind == "module":
            self._load(name)
            self.deleted.add(name)
            scope.bound.discard(name)
        elif scope.kind == "class" and name not in scope.globals:
            scope.bound.discard(name)

    def visit_Name(self, node: ast.Name) -> None:
        ctx = node.ctx.__class__
        if ctx is ast.Load:
            self._load(node.id)
        elif ctx is ast.Store:
            self._bind(node.id)
        else:
            self._delete(node.id)

    # -- statements whose evaluation order differs from field order ------------------------------

    def visit_Assign(self, node: ast.Assign) -> None:
        named_lambda = (
            isinstance(node.value, ast.Lambda)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and self.scope is self.module
        )
        if named_lambda:  # `f = lambda: ...`: its body is read by the cells that call f
            self.lambda_owner = node.targets[0].id  # type: ignore[attr-defined]
        self.visit(node.value)
        self.lambda_owner = None
        for target in node.targets:
            self._store(target, "=")

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.target, ast.Name):
            self._load(node.target.id)
            name = node.target.id
            if not self.deferred and self.scope is self.module and name not in self.module.bound:
                self.incoming_mutations.add(name)  # `a += 1` changes a numpy array from above in place
        self.visit(node.value)
        self._store(node.target, _AUG_OPS.get(node.op.__class__, "") + "=")

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)
        if not self.future_annotations and self.scope.kind != "function":  # PEP 526: locals' are not run
            self.visit(node.annotation)
        if not isinstance(node.target, ast.Name):
            self._store(node.target, "=") if node.value is not None else self.visit(node.target)
        elif node.value is not None:
            self._bind(node.target.id)

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self.visit(node.iter)
        self._store(node.target, "=")
        _visit_all(self, [*node.body, *node.orelse])

    visit_AsyncFor = visit_For

    def visit_With(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            self.visit(item.context_expr)
            if item.optional_vars is not None:
                self._store(item.optional_vars, "=")
        _visit_all(self, node.body)

    visit_AsyncWith = visit_With

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self._store(target, "del")

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        self._bind(node.target.id, walrus=True)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.type is not None:
            self.visit(node.type)
        scope, name = self.scope, node.name
        temporary = bool(name) and scope.kind in ("module", "class") and name not in scope.globals
        if temporary:
            scope.bound.add(name)  # type: ignore[arg-type]
        elif name:
            self._bind(name)
        _visit_all(self, node.body)
        if temporary:
            scope.bound.discard(name)  # type: ignore[arg-type]  # Python deletes it after the handler

    # -- new scopes ------------------------------------------------------------------------------

    def _enter_type_params(self, node: Any) -> _Scope:
        """PEP 695 (3.12+): `def f[T]` and `class C[T]` see T in annotations, bases and body."""
        outer, names = self.scope, {param.name for param in getattr(node, "type_params", ())}
        if names:
            self.scope = _Scope("function", outer, names)
        return outer

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        outer = self._enter_type_params(node)
        _visit_all(self, _outer_exprs(node, not self.future_annotations))
        self.scope = outer
        self._bind(node.name)
        self.queue.append((node, outer, self.line_fn, self._owner_for(node)))

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        _visit_all(self, _outer_exprs(node, False))
        self.queue.append((node, self.scope, self.line_fn, self._owner_for(node)))

    def visit_TypeAlias(self, node: Any) -> None:  # Python 3.12+: the value is evaluated lazily
        self._bind(node.name.id)
        self.queue.append(
            (node, self.scope, self.line_fn, node.name.id if self.scope is self.module else None)
        )

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        outer = self._enter_type_params(node)
        _visit_all(self, _outer_exprs(node))
        saved_owner = self.class_owner
        if self.scope is self.module and not self.deferred:
            self.class_owner = node.name  # its methods run when the cells that use the class call them
        self.scope = _Scope("class", self.scope, set(), _Bindings(node.body))
        _visit_all(self, node.body)
        self.scope = outer
        self.class_owner = saved_owner
        self._bind(node.name)

    def visit_ListComp(self, node: Any) -> None:
        generators = node.generators
        self.visit(generators[0].iter)  # the first iterable is evaluated in the enclosing scope
        targets = {
            n.id
            for g in generators
            for n in ast.walk(g.target)
            if isinstance(n, ast.Name) and n.ctx.__class__ is ast.Store
        }
        outer = self.scope
        self.scope = _Scope("comp", outer, targets)
        for index, generator in enumerate(generators):
            _visit_all(self, [generator.iter] if index else [])
            _visit_all(self, [generator.target, *generator.ifs])
        _visit_all(self, _comp_parts(node))
        self.scope = outer

    visit_SetComp = visit_GeneratorExp = visit_DictComp = visit_ListComp

    # -- mutations -------------------------------------------------------------------------------

    def _store(self, target: ast.AST, op: str) -> None:
        self._target_mutations(target, op)
        self.visit(target)

    def _target_mutations(self, target: ast.AST, op: str) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._target_mutations(element, op)
        elif isinstance(target, ast.Starred):
            self._target_mutations(target.value, op)
        elif isinstance(target, (ast.Attribute, ast.Subscript)):
            text = _render(target)
            self._mutation(target, f"del {text}" if op == "del" else f"{text} {op} ...", target)

    def _mutation(self, expr: ast.AST, how: str, node: Any, call: bool = False) -> None:
        base = expr
        while isinstance(base, (ast.Attribute, ast.Subscript, ast.Starred)):
            base = base.value
        if isinstance(base, ast.Name) and self._resolves_global(base.id):
            self.mutations.append((self.line_fn(node.lineno), node.col_offset, base.id, how))
            if self.deferred:
                self.fn_mutates.setdefault(self.owner, set()).add(base.id)
            elif base.id not in self.module.bound:
                (self.incoming_calls if call else self.incoming_mutations).add(base.id)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if called in _ARGUMENT_MUTATORS and node.args and not isinstance(node.args[0], ast.Starred):
            self._mutation(node.args[0], f"{called}({_render(node.args[0])}, ...)", node)
        if isinstance(func, ast.Attribute):
            if _is_get_ipython(func.value):
                self._ipython(func.attr, node)
            elif func.attr in _MUTATORS or any(  # pandas: any method called with inplace=True
                k.arg == "inplace" and isinstance(k.value, ast.Constant) and k.value.value is True
                for k in node.keywords
            ):
                self._mutation(func.value, f"{_render(func)}(...)", node, call=True)
        self.generic_visit(node)

    # -- IPython ---------------------------------------------------------------------------------

    def _ipython(self, method: str, node: ast.Call) -> None:
        args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if len(args) != len(node.args) or node.keywords:
            return
        line = self.line_fn(node.lineno)
        if method in ("system", "getoutput") and len(args) == 1:
            self._expand(args[0], line)
        elif method == "run_line_magic" and len(args) == 2:
            name, arg = args
            if name in CODE_OPTIONS and name != "capture":
                code = strip_options(arg, *CODE_OPTIONS[name])
                self._inline(code, lambda n: line, sandbox=name == "timeit")
            elif name not in NO_VAR_EXPAND:
                self._expand(arg, line)
        elif method == "run_cell_magic" and len(args) == 3:
            self._cell_magic(*args, line)

    def _cell_magic(self, name: str, arg: str, body: str, line: int) -> None:
        if name == "sql":
            self._sql(arg, body, line)
            return
        if name not in CODE_OPTIONS:
            if name not in NO_VAR_EXPAND:
                self._expand(arg, line)
            return
        head = strip_options(arg, *CODE_OPTIONS[name]) if name in ("prun", "timeit") else ""
        self._inline(f"{head}\n{body}", lambda n: line + n - 1, sandbox=name == "timeit")
        target = capture_target(arg) if name == "capture" else None
        if target:
            self._bind(target)

    def _sql(self, arg: str, body: str, line: int) -> None:
        """%%sql (core/sql.py): tables it reads are refs; its result and created tables, defs."""
        try:
            facts = sql_facts(arg, body)
        except SqlError as exc:
            raise ParseFailure(exc.reason, line + exc.line - 1) from None
        for name in [*sorted(facts.reads), *filter(None, [facts.connection])]:
            self._load(name)
        for name in [*(name for name, _kind in facts.created), *filter(None, [facts.result])]:
            self._bind(name)
        self.deleted.update(facts.dropped)
        self.mutations += [(line + c.line, 0, c.name, c.how) for c in facts.changes]

    def _expand(self, text: str, line: int) -> None:
        saved, self.line_fn = self.line_fn, lambda n: line
        _visit_all(self, expansions(text))
        self.line_fn = saved

    def _inline(self, code: str, line_fn: LineFn, sandbox: bool) -> None:
        """Analyse Python that a magic runs in the user namespace, as if it were written here."""
        try:
            tree, sub_map = prepare(code)
        except ParseFailure as exc:
            raise ParseFailure(exc.msg, line_fn(exc.line)) from None
        saved = self.scope, self.line_fn
        self.line_fn = lambda n: line_fn(sub_map(n))
        if sandbox:  # %timeit compiles the statement into a function: its bindings stay local
            found = _Bindings(tree.body)
            self.scope = _Scope("function", self.scope, found.bound - found.globals, found)
        _visit_all(self, tree.body)
        self.scope, self.line_fn = saved


def _globals(names: set[str]) -> frozenset[str]:
    """Names that link cells: public, and not builtins."""
    return frozenset(name for name in names if _is_public(name) and name not in BUILTIN_NAMES)


def _error_facts(error: str) -> CellFacts:
    """Unparsable cells define and read nothing; the error tells the user why."""
    empty: frozenset[str] = frozenset()
    return CellFacts(empty, empty, empty, empty, (), error)


def analyze(source: str) -> CellFacts:
    """Return the facts for one cell's source; never raises."""
    try:
        return _Walker().run(source)
    except ParseFailure as exc:
        return _error_facts(f"SyntaxError: {exc.msg} (line {exc.line})")
    except SyntaxError as exc:
        return _error_facts(f"SyntaxError: {exc.msg} (line {exc.lineno or 1})")
    except RecursionError:
        return _error_facts("RecursionError: the cell is nested too deeply to analyse")
    except Exception as exc:  # a bug in the analysis: the cell cannot run, and the bug is logged
        log.exception("reactive_kernel: analysing a cell failed; please report this with the cell's source")
        return _error_facts(f"{type(exc).__name__} in the analysis (a bug, logged): {exc}")
