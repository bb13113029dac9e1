"""The layers hold: the pure packages load no Jupyter host, and no layer imports one above it.

The map in docs/architecture.md: core -> kernel (with its features) -> lab, and formats -> server /
headless. `core` and `formats` carry most of the logic and the tests because they are pure; this is the
contract that keeps them so. A failure names the offending import: the chain of modules that loaded a
host, or the file and line of an import that points up.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "reactive_kernel"

# What each layer may import from the package (itself included); the top-level modules are entry points.
ALLOWED = {
    "core": {"core"},
    "formats": {"core", "formats"},
    "features": {"core", "features"},
    "kernel": {"core", "features", "kernel"},
    "server": {"core", "formats", "server"},
    "headless": {"core", "formats", "kernel", "headless"},  # kernel: protocol constants, not ipykernel
    "cli": {"core", "formats", "headless", "server", "cli"},  # server: `app` serves through our contents
}
# Hosts the pure layers must never load. IPython itself is allowed: its input transformer reads IPython
# syntax (importing any of IPython loads its shell class, but never its kernel).
HOSTS = (
    "ipykernel",
    "IPython.kernel",
    "jupyter_client",
    "jupyter_server",
    "tornado",
    "zmq",
    "nbclient",
    "nbconvert",
)
# Importing the pure layers, and using them as the kernel's analysis does (IPython syntax included).
PURE_USE = """
import reactive_kernel.core.analysis, reactive_kernel.core.graph, reactive_kernel.core.scheduler
import reactive_kernel.core.order, reactive_kernel.core.fingerprint, reactive_kernel.core.sql
import reactive_kernel.formats
from reactive_kernel.core.analysis import analyze
from reactive_kernel.core.scheduler import CellInput, Scheduler
for source in ("x = 1", "%time y = x", "!ls {x}", "files = !ls", "ls *.py", "%%sql r\\nSELECT 1"):
    analyze(source)
Scheduler(frontend=True, definitions="ordered").sync([CellInput("a", "x = 1"), CellInput("b", "y = x")])
reactive_kernel.formats.writes(reactive_kernel.formats.reads("# %%\\nx = 1\\n"), "marimo")
"""


def _layer(path: Path) -> str | None:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else None


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import of the package in a file, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "reactive_kernel":
                found += [(node.lineno, f"reactive_kernel.{alias.name}") for alias in node.names]
            elif node.module.startswith("reactive_kernel."):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("reactive_kernel.")]
    return found


def test_every_module_lives_in_a_layer_the_map_knows():
    for path in PACKAGE.rglob("*.py"):
        layer = _layer(path)
        assert layer is None or layer in ALLOWED, f"{path}: a folder docs/architecture.md's map does not have"


def test_no_layer_imports_one_above_it():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        layer = _layer(path)
        if layer is None:
            continue
        for line, module in _imports(path):
            target = module.split(".")[1]
            if (PACKAGE / target).is_dir() and target not in ALLOWED[layer]:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {layer} imports {module}")
    assert not wrong, "imports that point up the layers:\n" + "\n".join(wrong)


def _chain(importtime: str, module: str) -> list[str]:
    """The chain of imports that loaded `module`, from `python -X importtime`'s nested report.

    The report prints a module after everything it imported, one indentation level deeper: a module's
    importer is the next line, further down, that is one level shallower.
    """
    rows = []
    for line in importtime.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1]
            rows.append(((len(name) - len(name.lstrip())) // 2, name.strip()))
    for i, (depth, name) in enumerate(rows):
        if name == module:
            chain, level = [name], depth
            for later_depth, later in rows[i + 1 :]:
                if later_depth < level:
                    chain.append(later)
                    level = later_depth
            return chain[::-1]
    return [module]


@pytest.mark.parametrize("code", [PURE_USE], ids=["import-and-use"])
def test_the_pure_layers_load_no_jupyter_host(code):
    probe = code + "\nimport sys\nprint('\\n'.join(sorted(sys.modules)))\n"
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    loaded = set(result.stdout.split())
    offending = [
        m for m in loaded if m in HOSTS or (m.split(".")[0] in HOSTS and m.split(".")[0] not in loaded)
    ]
    chains = {m: " -> ".join(_chain(result.stderr, m)) for m in sorted(offending)}
    assert not chains, "the pure layers loaded Jupyter hosts:\n" + "\n".join(
        f"{m}: {c}" for m, c in chains.items()
    )
