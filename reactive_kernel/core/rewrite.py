"""Rename one global in one cell's source, keeping every other byte: the edit behind the quick fixes.

libcst parses the cell (its IPython syntax masked by core.ipython_view) and gives each name its place;
the walk here decides which names are the global: Python's scoping (functions, lambdas, classes,
comprehensions, walrus, `match` captures), not attributes (`obj.x`), keyword names (`f(x=1)`), strings
or comments. A cell may read another cell's `x` before it binds its own (`x = x + 1`): each read is
*incoming* (before the cell binds the name, on every path), *own* (after it, on every path; function
bodies count as after, as in core.analysis) or neither, and a rewrite renames one side:

- `own`: what this cell defines, its bindings and the reads of them (`x = 1; print(x)`);
- `incoming`: the reads of another cell's value (every read, in a cell that does not bind the name).

Where renaming cannot keep the cell's meaning (`global x`, `del x`, `globals()`, `x += 1` reading one
`x` and binding another, a read that is one or the other depending on the path) it refuses with a
reason. As a last check the cell is analysed again: its facts must change exactly as the rename says.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from reactive_kernel.core.analysis import CellFacts, FunctionFacts, analyze
from reactive_kernel.core.errors import RewriteRefused
from reactive_kernel.core.ipython_view import View, view

Part = Literal["own", "incoming"]
_UNBOUND, _BOUND, _MAYBE = 0, 1, 2  # whether the cell has bound the global, at a point of module code
_DYNAMIC = frozenset({"globals", "vars", "locals", "eval", "exec"})  # reach globals by their names
_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")


def rename(source: str, old: str, new: str, part: Part) -> str:
    """`source` with the global `old` renamed to `new` where `part` says; raises RewriteRefused."""
    before = analyze(source)
    if before.error is not None:
        raise RewriteRefused(f"it does not parse ({before.error}); fix that first")
    if not new.isidentifier() or keyword.iskeyword(new):
        raise RewriteRefused(f"'{new}' is not a name Python allows")
    masked = view(source)
    _check_opaque(masked, old)
    try:
        module = cst.parse_module(masked.text)
    except cst.ParserSyntaxError as exc:
        raise RewriteRefused(f"libcst cannot read it (line {exc.raw_line}): {exc.message}") from None
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    if new in _names(module):
        raise RewriteRefused(f"it already uses the name '{new}'")
    walk = _Walk(old)
    walk.module(module)
    edits = _choose(walk, part, new, positions)
    if not edits:
        return source
    result = _apply(source, masked, edits)
    _check(before, analyze(result), old, new, part, walk.binds)
    return result


# ---- which names are the global -----------------------------------------------------------------


@dataclass
class _Use:
    """One place the cell names the global."""

    node: cst.CSTNode  # the Name to replace (an ImportAlias's name when `import x` needs `as`)
    kind: str  # "read", "bind", "declare" (`x: int`), "update" (`x += 1`: a read and a binding)
    state: int  # _UNBOUND, _BOUND, _MAYBE at module level when it runs; -1 in code that runs later
    alias: bool = False  # `import x` / `from m import x`: rename as `x as new`


@dataclass
class _Scope:
    kind: str  # "function", "class" or "comprehension"
    binds: bool  # the name is local here (bound here, or a parameter)
    declared: str | None = None  # "global" or "nonlocal" when the scope says so


@dataclass
class _Walk:
    """Walks module code in the order it runs, tracking whether the cell has bound the global yet."""

    name: str
    state: int = _UNBOUND
    later: int = 0  # > 0 inside code that runs later (function and lambda bodies)
    conditional: int = 0  # > 0 inside an expression that may not run (`a or b`, `a if c else b`)
    scopes: list[_Scope] = field(default_factory=list)
    uses: list[_Use] = field(default_factory=list)
    problems: list[tuple[cst.CSTNode, str]] = field(default_factory=list)  # what forbids a rewrite

    @property
    def binds(self) -> bool:
        """The cell binds the global at module level (it defines it)."""
        return any(u.kind in ("bind", "update") for u in self.uses)

    # -- resolution ------------------------------------------------------------------------------

    def _global(self) -> bool:
        """Whether the name, used here, is the module's global."""
        direct = True
        for scope in reversed(self.scopes):
            if scope.kind == "class" and not direct:
                continue  # class bodies are invisible to the scopes nested in them
            if scope.declared == "global":
                return True
            if scope.declared == "nonlocal":
                direct = False
                continue
            if scope.binds:
                return False
            direct = False
        return True

    def _record(self, node: cst.CSTNode, kind: str, alias: bool = False) -> None:
        state = -1 if self.later else self.state
        seen = next((u for u in self.uses if u.node is node), None)
        if seen is None:
            self.uses.append(_Use(node, kind, state, alias))
        elif seen.state != state:  # a loop body walked again: what the next iteration sees
            seen.state = _MAYBE
        if kind in ("bind", "update") and not self.later:
            self.state = _MAYBE if self.conditional else _BOUND

    def _class_read(self) -> bool:
        """A class body that binds the name reads it from the class or the global depending on order."""
        return bool(self.scopes) and self.scopes[-1].kind == "class" and self.scopes[-1].binds

    # -- statements ------------------------------------------------------------------------------

    def module(self, module: cst.Module) -> None:
        self.block(module.body)

    def block(self, body: Sequence[cst.CSTNode]) -> None:
        for statement in body:
            self.statement(statement)

    def statement(self, node: cst.CSTNode) -> None:
        method = getattr(self, f"s_{type(node).__name__}", None)
        if method is not None:
            method(node)
        else:
            self.expr(node)

    def s_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self.block(node.body)

    s_SimpleStatementSuite = s_SimpleStatementLine

    def s_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self.block(node.body)

    def s_Assign(self, node: cst.Assign) -> None:
        self.expr(node.value)
        for target in node.targets:
            self.target(target.target)

    def s_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self.expr(node.value)
        self.expr(node.annotation.annotation)
        if node.value is not None:
            self.target(node.target)
        elif isinstance(node.target, cst.Name):
            if node.target.value == self.name and self._global():
                self._record(node.target, "declare")
        else:
            self.expr(node.target)

    def s_AugAssign(self, node: cst.AugAssign) -> None:
        target = node.target
        if isinstance(target, cst.Name):
            if target.value == self.name and self._global():
                self._record(target, "update")
        else:
            self.expr(target)
        self.expr(node.value)

    def s_Del(self, node: cst.Del) -> None:
        for name in _bound_names(node.target):
            if name.value == self.name and self._global():
                self.problems.append((name, f"it deletes '{self.name}' (`del {self.name}`)"))
        self._loads_in_target(node.target)

    def s_Global(self, node: cst.Global) -> None:
        if any(item.name.value == self.name for item in node.names):
            self.problems.append((node, f"it declares `global {self.name}`"))

    def s_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            self._import_alias(alias, dotted=True)

    def s_ImportFrom(self, node: cst.ImportFrom) -> None:
        if not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                self._import_alias(alias, dotted=False)

    def _import_alias(self, alias: cst.ImportAlias, dotted: bool) -> None:
        if alias.asname is not None:
            self.target(alias.asname.name)
            return
        if isinstance(alias.name, cst.Name):
            if alias.name.value == self.name and self._global():
                self._record(alias.name, "bind", alias=True)
            return
        head = alias.name
        while isinstance(head, cst.Attribute):
            head = head.value
        if dotted and isinstance(head, cst.Name) and head.value == self.name and self._global():
            self.problems.append((head, f"`import {self.name}.…` binds '{self.name}' to the package"))

    def s_If(self, node: cst.If) -> None:
        self.expr(node.test)
        start = self.state
        self.block_of(node.body)
        after_body, self.state = self.state, start
        if node.orelse is not None:
            self.statement(node.orelse)
        self.state = _merge(after_body, self.state)

    def s_Else(self, node: cst.Else) -> None:
        self.block_of(node.body)

    def block_of(self, body: cst.CSTNode) -> None:
        self.statement(body)

    def s_For(self, node: cst.For) -> None:
        self.expr(node.iter)
        start = self.state
        for _ in range(2):  # a second pass sees what the first iteration left for the next
            self.target(node.target)
            self.block_of(node.body)
            self.state = _merge(start, self.state)
        self._loop_else(node.orelse)

    def s_While(self, node: cst.While) -> None:
        start = self.state
        for _ in range(2):
            self.expr(node.test)
            self.block_of(node.body)
            self.state = _merge(start, self.state)
        self._loop_else(node.orelse)

    def _loop_else(self, orelse: cst.CSTNode | None) -> None:
        if orelse is not None:
            start = self.state
            self.statement(orelse)
            self.state = _merge(start, self.state)  # a `break` skips the else

    def s_Try(self, node: cst.Try | cst.TryStar) -> None:
        start = self.state
        self.block_of(node.body)
        body_end = self.state
        ends = [body_end]
        for handler in node.handlers:
            self.state = start if body_end == start else _MAYBE  # raised before or after the binding
            if handler.type is not None:
                self.expr(handler.type)
            if handler.name is not None:
                names = _bound_names(handler.name.name)
                if any(n.value == self.name for n in names) and self._global() and not self.scopes:
                    self.problems.append((handler, f"`except ... as {self.name}` deletes it afterwards"))
                self.target(handler.name.name)
            self.block_of(handler.body)
            ends.append(self.state)
        if node.orelse is not None:
            self.state = body_end
            self.statement(node.orelse)
            ends[0] = self.state
        self.state = _merge(*ends)
        if node.finalbody is not None:
            self.statement(node.finalbody)

    s_TryStar = s_Try

    def s_Finally(self, node: cst.Finally) -> None:
        self.block_of(node.body)

    def s_With(self, node: cst.With) -> None:
        for item in node.items:
            self.expr(item.item)
            if item.asname is not None:
                self.target(item.asname.name)
        self.block_of(node.body)

    def s_Match(self, node: cst.Match) -> None:
        self.expr(node.subject)
        start, ends = self.state, [self.state]
        for case in node.cases:
            self.state = start
            self.pattern(case.pattern)
            if case.guard is not None:
                self.expr(case.guard)
            self.block_of(case.body)
            ends.append(self.state)
        self.state = _merge(*ends)

    def s_FunctionDef(self, node: cst.FunctionDef) -> None:
        for decorator in node.decorators:
            self.expr(decorator.decorator)
        self._parameters_outside(node.params)
        if node.returns is not None:
            self.expr(node.returns.annotation)
        self._bind_name(node.name)
        self._function_body(node.params, node.body)

    def s_ClassDef(self, node: cst.ClassDef) -> None:
        for decorator in node.decorators:
            self.expr(decorator.decorator)
        for arg in (*node.bases, *node.keywords):
            self.expr(arg.value)
        scope = _Scope("class", _binds(node.body, self.name), _declared(node.body, self.name))
        self.scopes.append(scope)
        self.block_of(node.body)
        self.scopes.pop()
        self._bind_name(node.name)

    def _bind_name(self, name: cst.Name) -> None:
        if name.value == self.name and self._global():
            self._record(name, "bind")

    def _parameters_outside(self, params: cst.Parameters) -> None:
        """Defaults and annotations run where the function is defined."""
        for param in _all_params(params):
            if param.default is not None:
                self.expr(param.default)
            if param.annotation is not None:
                self.expr(param.annotation.annotation)

    def _function_body(self, params: cst.Parameters, body: cst.CSTNode) -> None:
        local = any(p.name.value == self.name for p in _all_params(params)) or _binds(body, self.name)
        self.scopes.append(_Scope("function", local, _declared(body, self.name)))
        self.later += 1
        if isinstance(body, cst.BaseExpression):
            self.expr(body)
        else:
            self.block_of(body)
        self.later -= 1
        self.scopes.pop()

    # -- targets and patterns --------------------------------------------------------------------

    def target(self, node: cst.CSTNode) -> None:
        """An assignment target: names are bound; attributes and subscripts read their parts."""
        self._loads_in_target(node)
        for name in _bound_names(node):
            if name.value == self.name and self._global():
                self._bind_here(name)

    def _bind_here(self, name: cst.Name) -> None:
        self._record(name, "bind")

    def _loads_in_target(self, node: cst.CSTNode) -> None:
        if isinstance(node, (cst.Tuple, cst.List)):
            for element in node.elements:
                self._loads_in_target(element.value)
        elif isinstance(node, cst.StarredElement):
            self._loads_in_target(node.value)
        elif isinstance(node, (cst.Attribute, cst.Subscript)):
            self.expr(node)

    def pattern(self, node: cst.CSTNode) -> None:
        if isinstance(node, (cst.MatchAs, cst.MatchStar)):
            if isinstance(node, cst.MatchAs) and node.pattern is not None:
                self.pattern(node.pattern)
            if node.name is not None and node.name.value == self.name and self._global():
                self._bind_here(node.name)
        elif isinstance(node, cst.MatchMapping):
            for element in node.elements:
                self.expr(element.key)
                self.pattern(element.pattern)
            if node.rest is not None and node.rest.value == self.name and self._global():
                self._bind_here(node.rest)
        elif isinstance(node, cst.MatchClass):
            self.expr(node.cls)
            for element in node.patterns:
                self.pattern(element.value)
            for keyword_ in node.kwds:
                self.pattern(keyword_.pattern)
        elif isinstance(node, (cst.MatchSequence, cst.MatchList, cst.MatchTuple)):
            for element in node.patterns:
                self.pattern(element.value if isinstance(element, cst.MatchSequenceElement) else element)
        elif isinstance(node, cst.MatchOr):
            for element in node.patterns:
                self.pattern(element.pattern)
        elif isinstance(node, cst.MatchValue):
            self.expr(node.value)

    # -- expressions -----------------------------------------------------------------------------

    def expr(self, node: cst.CSTNode) -> None:
        method = getattr(self, f"e_{type(node).__name__}", None)
        if method is not None:
            method(node)
            return
        for child in node.children:
            self.expr(child)

    def e_Name(self, node: cst.Name) -> None:
        if node.value != self.name:
            return
        if self._class_read():  # `x = x + 1` in a class body reads the global first, then its own
            self.problems.append((node, f"a class body binds its own '{self.name}' and also reads it"))
        elif self._global():
            self._record(node, "read")

    def e_Attribute(self, node: cst.Attribute) -> None:
        self.expr(node.value)  # `.x` is the object's attribute, not the global

    def e_Arg(self, node: cst.Arg) -> None:
        self.expr(node.value)  # `f(x=1)`: x is a keyword, not the global

    def e_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Name) and func.value in _DYNAMIC:
            self.problems.append((node, f"it calls {func.value}(), which can reach '{self.name}' by name"))
        self.expr(func)
        for arg in node.args:
            self.expr(arg.value)

    def e_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.expr(node.value)
        target = node.target
        if isinstance(target, cst.Name) and target.value == self.name:
            saved = self.scopes
            self.scopes = [s for s in saved if s.kind != "comprehension"]  # walrus binds outside
            if self._global():
                self._bind_here(target)
            self.scopes = saved

    def e_BooleanOperation(self, node: cst.BooleanOperation) -> None:
        self.expr(node.left)
        self.conditional += 1
        self.expr(node.right)
        self.conditional -= 1

    def e_IfExp(self, node: cst.IfExp) -> None:
        self.expr(node.test)
        self.conditional += 1
        self.expr(node.body)
        self.expr(node.orelse)
        self.conditional -= 1

    def e_Lambda(self, node: cst.Lambda) -> None:
        self._parameters_outside(node.params)
        self._function_body(node.params, node.body)

    def _comprehension(self, node: cst.CSTNode, parts: Sequence[cst.CSTNode]) -> None:
        first: cst.CompFor = node.for_in
        self.expr(first.iter)  # the first iterable runs in the enclosing scope
        bound = any(n.value == self.name for f in _fors(first) for n in _bound_names(f.target))
        self.scopes.append(_Scope("comprehension", bound))
        self.conditional += 1  # it may run zero times: a walrus in it may bind nothing
        for index, comp in enumerate(_fors(first)):
            if index:
                self.expr(comp.iter)
            self.target(comp.target)
            for condition in comp.ifs:
                self.expr(condition.test)
        for part in parts:
            self.expr(part)
        self.conditional -= 1
        self.scopes.pop()

    def e_ListComp(self, node: cst.ListComp) -> None:
        self._comprehension(node, [node.elt])

    e_SetComp = e_GeneratorExp = e_ListComp

    def e_DictComp(self, node: cst.DictComp) -> None:
        self._comprehension(node, [node.key, node.value])

    def e_SimpleString(self, node: cst.CSTNode) -> None:
        pass  # strings are text, even ones that name the global (string annotations included)


def _merge(*states: int) -> int:
    return states[0] if len(set(states)) == 1 else _MAYBE


def _fors(first: cst.CompFor) -> Iterator[cst.CompFor]:
    comp: cst.CompFor | None = first
    while comp is not None:
        yield comp
        comp = comp.inner_for_in


def _all_params(params: cst.Parameters) -> list[cst.Param]:
    star = [params.star_arg] if isinstance(params.star_arg, cst.Param) else []
    extra = [params.star_kwarg] if params.star_kwarg is not None else []
    return [*params.posonly_params, *params.params, *star, *params.kwonly_params, *extra]


def _bound_names(node: cst.CSTNode) -> list[cst.Name]:
    """The names an assignment target binds: `a`, `a, (b, *c)`; not those inside `a.b` or `a[b]`."""
    if isinstance(node, cst.Name):
        return [node]
    if isinstance(node, (cst.Tuple, cst.List)):
        return [name for element in node.elements for name in _bound_names(element.value)]
    if isinstance(node, cst.StarredElement):
        return _bound_names(node.value)
    return []


class _Binder(cst.CSTVisitor):
    """Whether a scope's body binds `name` (or declares it), not looking into nested scopes' bodies."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.binds = False
        self.declared: str | None = None

    def _name(self, node: cst.CSTNode | None) -> None:
        if isinstance(node, cst.Name) and node.value == self.name:
            self.binds = True

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self._name(node.name)
        for part in (*node.decorators, node.params, node.returns):
            if part is not None:
                part.visit(self)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self._name(node.name)
        for part in (*node.decorators, *node.bases, *node.keywords):
            part.visit(self)
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        node.params.visit(self)
        return False

    def visit_Param(self, node: cst.Param) -> bool:
        for part in (node.default, node.annotation):
            if part is not None:
                part.visit(self)
        return False  # a nested function's or lambda's parameter is not bound here

    def visit_CompFor(self, node: cst.CompFor) -> bool:
        for part in (node.iter, *node.ifs, node.inner_for_in):
            if part is not None:
                part.visit(self)
        return False  # comprehension targets are the comprehension's

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._name(node.target)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        for name in _bound_names(node.target):
            self._name(name)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._name(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._name(node.target)

    def visit_For(self, node: cst.For) -> None:
        for name in _bound_names(node.target):
            self._name(name)

    def visit_AsName(self, node: cst.AsName) -> None:
        for name in _bound_names(node.name):
            self._name(name)

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        if node.asname is None:
            head = node.name
            while isinstance(head, cst.Attribute):
                head = head.value
            self._name(head)

    def visit_Del(self, node: cst.Del) -> None:
        for name in _bound_names(node.target):
            self._name(name)

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        self._name(node.name)

    def visit_MatchStar(self, node: cst.MatchStar) -> None:
        self._name(node.name)

    def visit_MatchMapping(self, node: cst.MatchMapping) -> None:
        self._name(node.rest)

    def visit_Global(self, node: cst.Global) -> None:
        if any(item.name.value == self.name for item in node.names):
            self.declared = "global"

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        if any(item.name.value == self.name for item in node.names):
            self.declared = "nonlocal"


def _binder(body: cst.CSTNode, name: str) -> _Binder:
    binder = _Binder(name)
    body.visit(binder)
    return binder


def _binds(body: cst.CSTNode, name: str) -> bool:
    binder = _binder(body, name)
    return binder.binds and binder.declared is None


def _declared(body: cst.CSTNode, name: str) -> str | None:
    return _binder(body, name).declared


class _Names(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.found.add(node.value)


def _names(module: cst.Module) -> set[str]:
    """Every identifier the cell writes as a name (attributes and keywords too: renaming into one of
    them would be confusing even where it is correct)."""
    collector = _Names()
    module.visit(collector)
    return collector.found


# ---- from uses to edits --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Edit:
    line: int  # 0-based line of the view (and of the cell)
    start: int  # columns in the view
    end: int
    text: str


def _side(use: _Use, binds: bool) -> str:
    """Which value a use is about: "own", "incoming", or "both" (a read that may be either)."""
    if use.kind in ("bind", "declare"):
        return "own"
    if use.state == -1:
        return "own" if binds else "incoming"
    if use.kind == "update":
        return "own" if use.state == _BOUND else "split"
    return {_UNBOUND: "incoming", _BOUND: "own"}.get(use.state, "both")


def _choose(walk: _Walk, part: Part, new: str, where: Mapping[cst.CSTNode, CodeRange]) -> list[_Edit]:
    """The edits for `part`; raises RewriteRefused where the cell's meaning could not be kept."""
    if walk.problems:
        node, reason = walk.problems[0]
        raise RewriteRefused(f"line {where[node].start.line}: {reason}")
    edits = []
    for use in walk.uses:
        side = _side(use, walk.binds)
        line = where[use.node].start.line
        if side == "split":
            raise RewriteRefused(
                f"line {line}: `{walk.name} += ...` reads another cell's '{walk.name}' and defines this "
                f"cell's at once; write `{walk.name} = {walk.name} + ...` to rename"
            )
        if side == "both":
            raise RewriteRefused(
                f"line {line}: this read of '{walk.name}' sees this cell's value on some paths and another "
                "cell's on others"
            )
        if side == part:
            span = where[use.node]
            text = f"{walk.name} as {new}" if use.alias else new
            edits.append(_Edit(span.start.line - 1, span.start.column, span.end.column, text))
    return edits


def _check_opaque(masked: View, name: str) -> None:
    """IPython text the rewrite cannot read must not mention the name."""
    pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
    for part in masked.opaque:
        if pattern.search(part.text):
            raise RewriteRefused(
                f"line {part.line + 1}: {part.kind} `{part.text.strip()}` mentions '{name}', and only "
                "IPython knows what it means there; rename it by hand"
            )


def _apply(source: str, masked: View, edits: list[_Edit]) -> str:
    """Carry the view's edits over to the cell's own text (its line breaks and IPython syntax kept)."""
    chunks = _LINE_BREAK.split(source)  # line, break, line, break, ..., line
    for edit in sorted(edits, key=lambda e: (e.line, -e.start)):
        piece = next(
            (
                p
                for p in masked.pieces
                if p.line == edit.line and p.column <= edit.start and edit.end <= p.column + p.length
            ),
            None,
        )
        if piece is None:  # the view only renames names it copied from the cell
            raise RewriteRefused(f"line {edit.line + 1}: the name sits in IPython syntax; rename it by hand")
        start = piece.source_column + edit.start - piece.column
        end = start + edit.end - edit.start
        text = chunks[2 * edit.line]
        chunks[2 * edit.line] = text[:start] + edit.text + text[end:]
    return "".join(chunks)


# ---- the last check ------------------------------------------------------------------------------


def _check(before: CellFacts, after: CellFacts, old: str, new: str, part: Part, binds: bool) -> None:
    """The cell's facts after the rewrite must be those before it with the name swapped where renamed."""
    ours = {old, new}
    if _project(after, ours) != _project(_expected(before, old, new, part, binds), ours):
        raise RewriteRefused(
            f"renaming '{old}' would change more than that name in what the cell reads and defines; "
            "rename it by hand"
        )


def _expected(facts: CellFacts, old: str, new: str, part: Part, binds: bool) -> CellFacts:
    public = not new.startswith("_")

    def swap(names: frozenset[str]) -> frozenset[str]:
        if old not in names:
            return names
        return (names - {old}) | ({new} if public else frozenset())

    def swap_function(f: FunctionFacts) -> FunctionFacts | None:
        name = f.name if f.name != old else new
        if not public and name == new:
            return None
        return FunctionFacts(name, swap(f.reads), swap(f.mutates))

    if part == "own":
        functions = tuple(filter(None, map(swap_function, facts.functions)))
        order = tuple(n if n != old else new for n in facts.defs_order if n != old or public)
        private = facts.private | ({new} if not public and old in facts.defs else frozenset())
        return replace(
            facts,
            defs=swap(facts.defs),
            private=private,
            imports=swap(facts.imports),
            functions=functions,
            defs_order=order,
        )
    functions = facts.functions if binds else tuple(filter(None, map(swap_function, facts.functions)))
    return replace(
        facts,
        refs=swap(facts.refs),
        reads=swap(facts.reads),
        mutates=swap(facts.mutates),
        call_mutates=swap(facts.call_mutates),
        functions=functions,
    )


def _project(facts: CellFacts, ours: set[str]) -> tuple:
    """What the check compares: the names, not the wording of mutation warnings. Mutations of the name
    itself are left to `mutates` (a warning lists them only for names the cell does not define)."""
    functions = tuple(sorted((f.name, sorted(f.reads), sorted(f.mutates)) for f in facts.functions))
    mutations = tuple(sorted({(m.name, m.line) for m in facts.mutations if m.name not in ours}))
    return (
        facts.defs,
        facts.refs,
        facts.deleted,
        facts.private,
        facts.reads,
        facts.mutates,
        facts.call_mutates,
        facts.imports,
        functions,
        mutations,
        facts.defs_order,
    )
