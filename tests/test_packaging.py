"""The installed package brings its kernel spec and its prebuilt JupyterLab extension, enabled and OK."""

from __future__ import annotations

import ast
import importlib.metadata
import json
import re
import subprocess
import sys
from pathlib import Path

import tomllib

from reactive_kernel import KERNELSPEC
from reactive_kernel.core.ipython_source import prepare

EXTENSION = "reactive-kernel-labextension"
KERNEL = "reactive-python"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def jupyter(*args: str) -> str:
    exe = Path(sys.executable).with_name("jupyter")
    result = subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=120)
    output = ANSI.sub("", result.stdout + result.stderr)
    assert result.returncode == 0, output
    return output


def test_labextension_enabled_and_ok():
    output = jupyter("labextension", "list")
    lines = [line for line in output.splitlines() if EXTENSION in line]
    assert lines, f"{EXTENSION} is not installed:\n{output}"
    assert len(lines) == 1, f"{EXTENSION} is installed more than once:\n{output}"
    words = lines[0].split()
    assert "enabled" in words, output
    assert "OK" in words, output


def test_kernelspec_listed():
    output = jupyter("kernelspec", "list")
    assert any(line.split()[:1] == [KERNEL] for line in output.splitlines()), output


def test_the_kernelspec_constant_matches_the_installed_kernel_json():
    spec = json.loads(
        (Path(__file__).parents[1] / "share/jupyter/kernels/reactive-python/kernel.json").read_text()
    )
    assert KERNELSPEC == {key: spec[key] for key in ("display_name", "language")} | {"name": KERNEL}


# -- the examples extra: `pip install ".[examples]"` brings what the examples and the README use --------

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "reactive_kernel"


def extra(name: str) -> set[str]:
    """The distributions an extra of pyproject.toml brings (its own extras followed, as pip does)."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names: set[str] = set()
    for text in extras["optional-dependencies"][name]:
        requirement = Requirement(text)
        if canonicalize_name(requirement.name) == canonicalize_name(PROJECT):
            for inner in requirement.extras:
                names |= extra(inner)
        else:
            names.add(canonicalize_name(requirement.name))
    return names


def imports(source: str) -> set[str]:
    """Top-level modules a cell imports; a `%%sql` cell needs duckdb."""
    if source.lstrip().startswith("%%sql"):
        return {"duckdb"}
    tree, _ = prepare(source)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def readme_cells() -> list[str]:
    """The README's ```python and ```text blocks (`%%sql` cells are written as text)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [block for lang, block in re.findall(r"```(python|text)\n(.*?)```", text, re.S) if lang == "python"
            or block.startswith("%%sql")]  # fmt: skip


def test_the_examples_extra_brings_every_library_the_examples_and_the_readme_import():
    from packaging.utils import canonicalize_name

    from reactive_kernel.headless.notebook_io import read_notebook

    sources = [*readme_cells()]
    for path in sorted((ROOT / "examples").glob("*")):
        if path.suffix in (".py", ".ipynb"):
            sources += [c.source for c in read_notebook(str(path)).cells if c.cell_type == "code"]
    modules = set().union(*(imports(source) for source in sources)) - set(sys.stdlib_module_names) - {PROJECT}
    assert {"ipywidgets", "matplotlib", "numpy", "duckdb"} <= modules  # the tour's slider and plot, %%sql
    owners = importlib.metadata.packages_distributions()
    needed = {canonicalize_name(owners[module][0]) for module in modules}
    brought = extra("examples")
    assert needed <= brought, (
        f"imported by examples/ or the README but not in the examples extra: {needed - brought}"
    )
    assert {"jupyterlab", "pandas"} <= brought  # the README's %%sql results and its launch command
    assert brought <= extra("test"), "the suite runs the examples with what the examples extra brings"
