"""The formats modules talk through public names: none imports or reads another module's `_private` ones.

`formats/` is split by format, then by role (STYLE.md: jupytext's cell_reader / cell_to_text / header share
public helpers); a module's names without a leading underscore are its interface to the others. A failure
names the file, the line and the private name used.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "reactive_kernel"
FORMATS = PACKAGE / "formats"


def _dotted(path: Path) -> str:
    """The module name of a file in the package (a package's `__init__.py` is the package)."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_package_module(name: str) -> bool:
    """`name` is a module or package of reactive_kernel (not a function or constant in one)."""
    if name != "reactive_kernel" and not name.startswith("reactive_kernel."):
        return False
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_uses(source: str, module: str, is_module: Callable[[str], bool]) -> list[tuple[int, str]]:
    """(line, `module._name`) for each private name of another package module that `source` imports (`from
    m import _x`) or reads (`m._x`, where `m` was imported as a module). `module`: the file's own name,
    with `.__init__` for a package's `__init__.py`, so relative imports resolve."""
    found = []
    bound: dict[str, str] = {}  # local name -> the package module it stands for
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = module.split(".")[: -node.level]
                base = ".".join([*parent, *([base] if base else [])])
            for alias in node.names:
                if is_module(f"{base}.{alias.name}"):
                    bound[alias.asname or alias.name] = f"{base}.{alias.name}"
                elif is_module(base) and _private(alias.name):
                    found.append((node.lineno, f"{base}.{alias.name}"))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if is_module(alias.name):
                    local = alias.asname or alias.name.split(".")[0]
                    bound[local] = alias.name if alias.asname else local
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            head, *rest = ast.unparse(node.value).split(".")
            if head in bound and is_module(".".join([bound[head], *rest])):
                found.append((node.lineno, f"{'.'.join([bound[head], *rest])}.{node.attr}"))
    return sorted(found)


MODULES = sorted(FORMATS.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_no_module_uses_another_modules_private_names(path):
    module = _dotted(path) + (".__init__" if path.name == "__init__.py" else "")
    uses = private_uses(path.read_text(), module, _is_package_module)
    where = path.relative_to(PACKAGE.parent)
    assert not uses, "\n".join(f"{where}:{line} uses {name}" for line, name in uses)


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_every_module_opens_with_a_docstring_saying_its_job(path):
    docstring = ast.get_docstring(ast.parse(path.read_text()))
    assert docstring and docstring.split("\n")[0].strip(), f"{path}: no module docstring"


# The checker on small sources: (source, as module, the uses it must report).
KNOWN = {"pkg", "pkg.syntax", "pkg.reader", "pkg.sub", "pkg.sub.deep"}
CASES = [
    ("from pkg.syntax import is_blank, MARKER", "pkg.reader", []),
    ("from pkg.syntax import _escape", "pkg.reader", [(1, "pkg.syntax._escape")]),
    ("from pkg.syntax import is_blank, _escape as esc", "pkg.reader", [(1, "pkg.syntax._escape")]),
    ("from .syntax import _escape", "pkg.reader", [(1, "pkg.syntax._escape")]),
    ("from . import _helper", "pkg.__init__", [(1, "pkg._helper")]),
    ("from ..syntax import _escape", "pkg.sub.deep", [(1, "pkg.syntax._escape")]),
    ("from pkg import syntax\nsyntax._escape('x')", "pkg.reader", [(2, "pkg.syntax._escape")]),
    ("from pkg import syntax as s\nx = s._MAGIC", "pkg.reader", [(2, "pkg.syntax._MAGIC")]),
    ("import pkg.syntax as s\ns._escape", "pkg.reader", [(2, "pkg.syntax._escape")]),
    ("import pkg.syntax\npkg.syntax._escape", "pkg.reader", [(2, "pkg.syntax._escape")]),
    ("import pkg.sub\npkg.sub.deep._x", "pkg.reader", [(2, "pkg.sub.deep._x")]),
    ("from pkg import syntax\nsyntax.__doc__", "pkg.reader", []),  # dunders are not private
    ("from pkg.syntax import __all__", "pkg.reader", []),
    ("_MARKER = 1\n_MARKER.bit_length()", "pkg.syntax", []),  # its own private names
    ("from dataclasses import _MISSING_TYPE", "pkg.reader", []),  # not the package's
    ("import re\nre._compile", "pkg.reader", []),
    ("def f(node):\n    return node._fields", "pkg.reader", []),
]


@pytest.mark.parametrize(("source", "module", "uses"), CASES)
def test_the_checker_finds_private_imports_and_reads(source, module, uses):
    assert private_uses(source, module, KNOWN.__contains__) == uses
