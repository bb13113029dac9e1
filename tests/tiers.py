"""Test tiers: which of `unit`, `kernel` and `browser` a test is, and the guard that keeps `unit` honest.

A pytest plugin (tests/conftest.py registers it): it marks every collected test with its tier, so
`python -m pytest -m unit` runs the fast one.

- `browser`: every test under tests/browser/ (Chromium driving a real JupyterLab), and no test elsewhere
  unless it says so with the marker.
- `kernel`: a test that starts a process: a kernel, a server, a command. Found from what the test uses:
  its function, its fixtures, its parameters, and the helpers in tests/ that those call (followed through
  their code), down to something that starts a process (subprocess, a jupyter_client kernel manager,
  nbclient, Playwright, os.fork ...: the `STARTER_*` tables below).
- `unit`: everything else: pure and in-process.

A tier marker written on a test or its module (`pytest.mark.kernel` ...) wins over the guess. The guess
can be wrong in one direction only harmlessly: while a `unit` test runs, starting a process or listening
on a socket fails it (`guard`), naming what it started, so a test cannot sit in the fast tier and start a
kernel. (A guessed `kernel` test that starts nothing is merely in the slower tier.)
"""

from __future__ import annotations

import asyncio
import dis
import functools
import importlib
import inspect
import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import CodeType, FunctionType, MethodType, ModuleType
from typing import Any

import pytest
from jupyter_client.launcher import launch_kernel
from jupyter_client.manager import AsyncKernelManager, KernelManager, run_kernel, start_new_kernel
from jupyter_client.multikernelmanager import MultiKernelManager
from nbclient import NotebookClient

TIERS = ("unit", "kernel", "browser")
TESTS_DIR = Path(__file__).parent
BROWSER_DIR = TESTS_DIR / "browser"

# What starts a process: these functions (by identity), these classes and their subclasses
# (DependencyOrderPreprocessor is a NotebookClient), anything from these packages, and a function that
# imports one of these modules itself. `subprocess.CompletedProcess` and the like start nothing.
OS_STARTERS = tuple(
    n for n in ("system", "popen", "fork", "forkpty", "posix_spawn", "posix_spawnp") if hasattr(os, n)
)
STARTER_FUNCTIONS = (
    *(getattr(os, name) for name in OS_STARTERS),
    *(getattr(subprocess, name) for name in ("run", "call", "check_call", "check_output", "getoutput")),
    subprocess.getstatusoutput,
    asyncio.create_subprocess_exec,
    asyncio.create_subprocess_shell,
    start_new_kernel,
    run_kernel,
    launch_kernel,
)
STARTER_CLASSES = (subprocess.Popen, KernelManager, MultiKernelManager, NotebookClient)
STARTER_PACKAGES = ("multiprocessing", "playwright")
STARTER_IMPORTS = ("subprocess", "asyncio.subprocess", *STARTER_PACKAGES)


# -- the plugin: tests/conftest.py registers this module ------------------------------------------------


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by these markers
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        tier = tier_of(item)
        if item.get_closest_marker(tier) is None:
            item.add_marker(tier)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """With `-m unit` or `-m kernel`, tests/browser/ is not even imported."""
    if collection_path == BROWSER_DIR and deselects(config.getoption("markexpr"), "browser"):
        return True
    return None


def tier_of(item: pytest.Item) -> str:
    """The tier a collected test belongs to (see the module docstring)."""
    if BROWSER_DIR in Path(item.path).parents:
        return "browser"  # the whole folder, always: `-m unit` and `-m kernel` skip importing it
    written = [mark.name for mark in item.iter_markers() if mark.name in TIERS]
    if written:
        return written[0]  # the closest: a test's own marker before its module's
    conftests = _conftests_above(Path(item.path).parent, tuple(item.config.pluginmanager.get_plugins()))
    ours = frozenset(m.__name__ for m in (getattr(item, "module", None), *conftests) if m is not None)
    return "kernel" if any(_verdict(used, ours) for used in _used_by(item, conftests)) else "unit"


def _used_by(item: pytest.Item, conftests: list[ModuleType]) -> Iterator[Any]:
    """The test function, the fixtures it requests (here or in a conftest above it), callable parameters."""
    yield getattr(item, "function", None)
    scopes = [vars(item.module)] if getattr(item, "module", None) else []
    if getattr(item, "cls", None) is not None:
        scopes.insert(0, vars(item.cls))
    scopes += [vars(plugin) for plugin in conftests]
    for name in getattr(item, "fixturenames", ()):
        if name == tier_guard.__name__:
            continue
        fixture = next((scope[name] for scope in scopes if hasattr(scope.get(name), "__wrapped__")), None)
        if fixture is not None:
            yield inspect.unwrap(fixture)
    callspec = getattr(item, "callspec", None)
    if callspec is not None:
        yield from (value for value in callspec.params.values() if callable(value))


@functools.lru_cache(maxsize=64)
def _conftests_above(folder: Path, plugins: tuple[object, ...]) -> list[ModuleType]:
    """The conftest modules pytest loaded (among `plugins`) in `folder` and the folders above it."""
    modules = [plugin for plugin in plugins if isinstance(plugin, ModuleType)]
    files = [Path(getattr(module, "__file__", None) or "/") for module in modules]
    found = {file.parent: module for file, module in zip(files, modules) if file.name == "conftest.py"}
    return [found[f] for f in (folder, *folder.parents) if f in found]


_VERDICTS: dict[tuple[int, frozenset[str]], bool] = {}  # (id of a test's function or fixture, ours): kernel?


def _verdict(obj: Any, ours: frozenset[str]) -> bool:
    """`_starts_process`, remembered for fixtures and helpers that many tests share."""
    key = (id(obj), ours)
    if key not in _VERDICTS:
        _VERDICTS[key] = _starts_process(obj, ours, set())
    return _VERDICTS[key]


def _starts_process(obj: Any, ours: frozenset[str], seen: set[int]) -> bool:
    """Whether `obj` starts a process, or is test code (the test's module, its conftests, tests/) whose
    code uses something that does."""
    if obj is None or id(obj) in seen:
        return False
    seen.add(id(obj))
    obj = getattr(obj, "__wrapped__", obj)  # a starter the guard has replaced, a cached function
    if obj is _STARTER or any(obj is starter for starter in STARTER_FUNCTIONS):
        return True
    if isinstance(obj, type) and issubclass(obj, STARTER_CLASSES):
        return True
    if isinstance(obj, ModuleType):
        return False  # what is used from a module is read as its own object (`os.system`)
    name = getattr(obj, "__module__", None) or ""
    if _within(name, STARTER_PACKAGES):
        return True
    if not (name in ours or _in_tests(name)):
        return False  # library code is judged by the guard at run time, not read here
    if isinstance(obj, type):
        members = [inspect.unwrap(m) for m in vars(obj).values()]
        functions = [m.fget if isinstance(m, property) else getattr(m, "__func__", m) for m in members]
        return any(_starts_process(f, ours, seen) for f in functions if isinstance(f, FunctionType))
    function = inspect.unwrap(obj.__func__ if isinstance(obj, MethodType) else obj)  # functools.cache ...
    if not isinstance(function, FunctionType):
        return False
    return any(_starts_process(used, ours, seen) for used in _objects_used(function))


def _in_tests(name: str) -> bool:
    """Whether module `name` is a file under tests/ (where this module is)."""
    file = getattr(sys.modules.get(name), "__file__", None)
    return file is not None and TESTS_DIR in Path(file).parents


def _within(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == package or name.startswith(package + ".") for package in packages)


_STARTER = object()  # stands for a module imported inside a function that starts processes


@functools.cache
def _objects_used(function: FunctionType) -> tuple[Any, ...]:
    """What a function's code (with its nested functions and lambdas) refers to: module-level names,
    attributes of modules (`os.system`, `frontend.Frontend`) and what it imports itself."""
    return tuple(_read_objects(function))


def _read_objects(function: FunctionType) -> Iterator[Any]:
    names = function.__globals__
    for code in _codes(function.__code__):
        loaded: Any = None  # what the previous instruction loaded, for an attribute read from it
        importing: Any = None  # the module of an `import` or `from ... import` being executed
        for instruction in dis.get_instructions(code):
            op, arg = instruction.opname, instruction.argval
            found: Any = None
            if op in ("LOAD_GLOBAL", "LOAD_NAME"):
                found = names.get(arg)
            elif op in ("LOAD_ATTR", "LOAD_METHOD") and isinstance(loaded, ModuleType):
                found = getattr(loaded, arg, None)
            elif op == "IMPORT_NAME":
                found = importing = _module(arg)
            elif op == "IMPORT_FROM" and isinstance(importing, ModuleType):
                found = getattr(importing, arg, None) or _module(f"{importing.__name__}.{arg}")
            if found is not None:
                yield found
            loaded = found


def _module(name: str) -> Any:
    if _within(name, STARTER_IMPORTS):
        return _STARTER
    if name == "tests" or name.startswith("tests."):
        return importlib.import_module(name)  # a helper module (cheap), perhaps not imported yet
    return sys.modules.get(name)


def _codes(code: CodeType) -> Iterator[CodeType]:
    yield code
    for const in code.co_consts:
        if isinstance(const, CodeType):
            yield from _codes(const)


# -- the guard ---------------------------------------------------------------------------------------


class TierViolation(RuntimeError):
    """A test in the `unit` tier started a process or a server."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"this test is in the unit tier but started {what}: mark it @pytest.mark.kernel (or let "
            "tests/tiers.py see the helper or fixture that starts it)"
        )


_FAILED_BY_IT = pytest.StashKey[bool]()


@pytest.fixture(autouse=True)
def tier_guard(request: pytest.FixtureRequest) -> Iterator[None]:
    """In a `unit` test, starting a process or listening on a socket raises TierViolation; if the code
    under test caught it, the test fails at teardown all the same."""
    if request.node.get_closest_marker("unit") is None:
        yield
        return
    started: list[str] = []
    with _forbidden(started):
        yield
    if started and not request.node.stash.get(_FAILED_BY_IT, False):
        pytest.fail(str(TierViolation(started[0])), pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Note a test that TierViolation failed, so its teardown does not report the same thing again."""
    try:
        return (yield)
    except TierViolation:
        item.stash[_FAILED_BY_IT] = True
        raise


@contextmanager
def _forbidden(started: list[str]) -> Iterator[None]:
    """Replace what starts processes and servers with functions that record the attempt and raise."""
    lock = threading.Lock()

    def refuse(what: str, original: Any) -> Callable[..., Any]:
        def refused(*args: Any, **kwargs: Any) -> Any:
            detail = f"{what}({_short(args[1] if what.endswith('Popen') and len(args) > 1 else args)})"
            with lock:
                started.append(detail)
            raise TierViolation(detail)

        refused.__wrapped__ = original  # type: ignore[attr-defined]  # still a starter to tier_of
        return refused

    targets: list[tuple[Any, str, str]] = [
        (subprocess.Popen, "__init__", "subprocess.Popen"),
        (KernelManager, "start_kernel", "KernelManager.start_kernel"),
        (AsyncKernelManager, "start_kernel", "AsyncKernelManager.start_kernel"),
        (socket.socket, "listen", "socket.listen"),
        *((os, name, f"os.{name}") for name in OS_STARTERS),
    ]
    saved = [(owner, name, owner.__dict__.get(name, _INHERITED)) for owner, name, _ in targets]
    try:
        for owner, name, what in targets:
            setattr(owner, name, refuse(what, getattr(owner, name)))
        yield
    finally:
        for owner, name, original in saved:
            if original is _INHERITED:  # socket.socket.listen comes from _socket.socket
                delattr(owner, name)
            else:
                setattr(owner, name, original)


_INHERITED = object()


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


# -- `-m` and whole folders -------------------------------------------------------------------------

_TOKEN = re.compile(r"\(|\)|[^\s()]+")


def deselects(markexpr: str, tier: str) -> bool:
    """Whether `-m markexpr` leaves out every test of `tier`, whatever other markers those carry: then
    their folder need not even be imported (tests/browser/ asks JupyterLab about its extensions on import).

    Conservative: an expression this cannot read (marker arguments) selects everything."""
    tokens = _TOKEN.findall(markexpr)
    if not tokens:
        return False
    words: list[str] = []
    names: dict[str, str] = {}
    for token in tokens:
        if token in ("(", ")", "and", "or", "not"):
            words.append(token)
        elif re.fullmatch(r"[\w:+\-.\[\]\\/]+", token):
            words.append(names.setdefault(token, f"v{len(names)}"))
        else:
            return False
    fixed = {names[t]: t == tier for t in TIERS if t in names}
    free = [v for name, v in names.items() if name not in TIERS]
    if len(free) > 10:
        return False
    try:
        code = compile(" ".join(words), "<-m>", "eval")
    except SyntaxError:  # not an expression pytest accepts either; let pytest say so
        return False
    for bits in range(2 ** len(free)):
        values = {**fixed, **{v: bool(bits >> i & 1) for i, v in enumerate(free)}}
        if eval(code, {"__builtins__": {}}, values):  # only and/or/not, parentheses and our names
            return False
    return True
