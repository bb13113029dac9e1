"""End-to-end tests of the nbconvert integration, through real `jupyter nbconvert` subprocesses.

Covers the two exporters registered under `nbconvert.exporters` (`--to reactive`, percent or marimo
`.py`; `--to marimo`) and `DependencyOrderPreprocessor` driving `jupyter nbconvert --execute` with the
README's config file and one-liner: dependency order on the reactive kernel, notebook order on others,
the `order` trait, and notebooks refused before anything runs. Every subprocess gets an empty
`JUPYTER_CONFIG_DIR`, so a user's own nbconvert config cannot leak in.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbconvert.exporters import get_export_names, get_exporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from reactive_kernel import KERNELSPEC
from reactive_kernel.headless.exporters import MarimoExporter, ReactiveExporter
from reactive_kernel.headless.notebook_io import dumps, read_notebook

JUPYTER_NBCONVERT = Path(sys.executable).with_name("jupyter-nbconvert")
README = Path(__file__).parents[1] / "README.md"


def nbconvert(*args: str, cwd: Path, config_dir: Path) -> subprocess.CompletedProcess:
    """`jupyter nbconvert ARGS` in `cwd`, with `config_dir` as the user's Jupyter config directory."""
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config_dir)}
    return subprocess.run(
        [str(JUPYTER_NBCONVERT), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=180
    )


# What the README ("### With `jupyter nbconvert`") tells users to write; test_readme_... keeps them in sync.
README_CONFIG = """\
from reactive_kernel.headless.executor import dependency_order_preprocessors

c.Exporter.default_preprocessors = dependency_order_preprocessors()
"""
README_ONE_LINER = (
    "jupyter nbconvert --to html "
    "--Exporter.preprocessors=reactive_kernel.headless.executor.DependencyOrderPreprocessor analysis.ipynb"
)

REACTIVE = dict(KERNELSPEC)
PYTHON3 = {"name": "python3", "display_name": "Python 3", "language": "python"}
# Runs only parents first: in notebook order, cell 1 raises NameError.
OUT_OF_ORDER = ["print(y)", "y = x + 1", "x = 1"]
# Runs only top to bottom: dependency order refuses it, since two cells define x.
REDEFINED = ["x = 1", "print(x)", "x = 2", "print(x)"]
# (stdout text, execution_count) of each code cell after a run.
RAN_IN_DEPENDENCY_ORDER = [("2\n", 3), ("", 2), ("", 1)]
RAN_IN_NOTEBOOK_ORDER = [("", 1), ("1\n", 2), ("", 3), ("2\n", 4)]


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """An empty Jupyter config directory."""
    path = tmp_path / "jupyter-config"
    path.mkdir()
    return path


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """The README's config snippet, as a file for `--config`."""
    path = tmp_path / "reactive_nbconvert_config.py"
    path.write_text(README_CONFIG, encoding="utf-8")
    return path


def write_notebook(path: Path, sources: list[str], kernelspec: dict[str, str], **metadata: object) -> Path:
    nb = new_notebook(cells=[new_code_cell(source) for source in sources], metadata=metadata)
    nb.metadata.kernelspec = kernelspec
    nbformat.write(nb, path)
    return path


def export_notebook(directory: Path) -> Path:
    """A notebook with markdown, a cell that would create a file, and stored outputs; never run."""
    nb = new_notebook(
        cells=[
            new_markdown_cell("# Analysis\n\nSome *prose*."),
            new_code_cell("print(y)", outputs=[new_output("stream", name="stdout", text="STORED_OUTPUT\n")]),
            new_code_cell("y = x + 1"),
            new_code_cell("x = 1\nopen('side_effect.txt', 'w').close()"),
        ]
    )
    nb.metadata.kernelspec = REACTIVE
    path = directory / "analysis.ipynb"
    nbformat.write(nb, path)
    return path


def cell_list(nb) -> list[tuple[str, str]]:
    return [(cell.cell_type, cell.source) for cell in nb.cells]


def code_results(path: Path) -> list[tuple[str, int | None]]:
    """(stdout text, execution_count) of each code cell of an executed notebook, in notebook order."""
    nb = nbformat.read(path, as_version=4)
    results = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert all(out.output_type == "stream" for out in cell.outputs), cell.outputs
        results.append(("".join(out.text for out in cell.outputs), cell.execution_count))
    return results


# ---- registration ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "cls", "fmt"), [("reactive", ReactiveExporter, "percent"), ("marimo", MarimoExporter, "marimo")]
)
def test_exporters_are_registered_with_nbconvert(name, cls, fmt):
    assert name in get_export_names()
    assert get_exporter(name) is cls
    exporter = cls()
    assert exporter.file_extension == ".py"
    assert exporter.format == fmt


def test_readme_shows_the_config_and_one_liner_tested_here():
    readme = README.read_text(encoding="utf-8")
    assert f"```python\n{README_CONFIG}```" in readme
    assert f"`{README_ONE_LINER}`" in readme


# ---- exporting to .py, nothing executed ---------------------------------------------------------------


def test_to_reactive_writes_percent_py_next_to_the_notebook(tmp_path, config_dir):
    source = export_notebook(tmp_path)
    target = tmp_path / "analysis.py"
    target.write_text("stale\n", encoding="utf-8")  # replaced, as --to script does

    result = nbconvert("--to", "reactive", source.name, cwd=tmp_path, config_dir=config_dir)

    assert result.returncode == 0, result.stderr
    nb = nbformat.read(source, as_version=4)
    text = target.read_text(encoding="utf-8")
    assert text == dumps(nb, "percent")
    assert "# %% [markdown]" in text
    assert text.count("# %%\n") == 3
    assert cell_list(read_notebook(str(target))) == cell_list(nb)
    assert read_notebook(str(target)).metadata.kernelspec == REACTIVE
    assert "STORED_OUTPUT" not in text  # outputs are not written to .py files
    assert not (tmp_path / "side_effect.txt").exists()  # nothing executed


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["--to", "reactive", "--ReactiveExporter.format=marimo"], id="reactive-format-marimo"),
        pytest.param(["--to", "marimo"], id="to-marimo"),
    ],
)
def test_marimo_format(tmp_path, config_dir, args):
    source = export_notebook(tmp_path)

    result = nbconvert(*args, source.name, cwd=tmp_path, config_dir=config_dir)

    assert result.returncode == 0, result.stderr
    nb = nbformat.read(source, as_version=4)
    text = (tmp_path / "analysis.py").read_text(encoding="utf-8")
    assert text == dumps(nb, "marimo")
    ast.parse(text)
    assert "import marimo\n" in text
    assert "app = marimo.App(" in text
    assert text.count("@app.cell") >= 3
    assert "# %%" not in text
    assert "STORED_OUTPUT" not in text
    code = [cell.source for cell in read_notebook(str(tmp_path / "analysis.py")).cells]
    assert code[-3:] == [cell.source for cell in nb.cells if cell.cell_type == "code"]
    assert 'mo.md(r"""\n    # Analysis' in text  # the markdown, as mo.md, which reads back as markdown
    back = read_notebook(str(tmp_path / "analysis.py")).cells
    assert any(c.cell_type == "markdown" and c.source.startswith("# Analysis") for c in back)
    assert not (tmp_path / "side_effect.txt").exists()


def test_to_reactive_stdout(tmp_path, config_dir):
    source = export_notebook(tmp_path)

    result = nbconvert("--to", "reactive", "--stdout", source.name, cwd=tmp_path, config_dir=config_dir)

    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip("\n") == dumps(nbformat.read(source, as_version=4), "percent").rstrip("\n")
    assert not (tmp_path / "analysis.py").exists()
    assert not (tmp_path / "side_effect.txt").exists()


@pytest.mark.parametrize(
    ("args", "named"),
    [
        pytest.param(
            ["--to", "reactive", "--ReactiveExporter.format=bogus"],
            ["'format'", "ReactiveExporter", "'bogus'", "percent", "marimo"],
            id="exporter-format",
        ),
        pytest.param(
            ["--to", "notebook", "--execute", "--DependencyOrderPreprocessor.order=bogus"],
            ["'order'", "DependencyOrderPreprocessor", "'bogus'", "dependency"],
            id="preprocessor-order",
        ),
    ],
)
def test_invalid_option_value_fails_naming_the_option(tmp_path, config_dir, config_file, args, named):
    source = export_notebook(tmp_path)

    result = nbconvert(*args, "--config", str(config_file), source.name, cwd=tmp_path, config_dir=config_dir)

    assert result.returncode != 0
    for word in named:
        assert word in result.stderr, result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        ["analysis.ipynb", config_dir.name, config_file.name]
    )


# ---- --execute: dependency order ----------------------------------------------------------------------

EXECUTE_CASES = [
    # (kernelspec, cells, with the README's config file, extra arguments, expected results or error)
    pytest.param(REACTIVE, OUT_OF_ORDER, False, [], "NameError", id="baseline-no-config-fails"),
    pytest.param(REACTIVE, OUT_OF_ORDER, True, [], RAN_IN_DEPENDENCY_ORDER, id="config-reactive"),
    pytest.param(PYTHON3, OUT_OF_ORDER, True, [], "NameError", id="config-python3-notebook-order"),
    pytest.param(PYTHON3, REDEFINED, True, [], RAN_IN_NOTEBOOK_ORDER, id="config-python3-redefined"),
    pytest.param(
        PYTHON3,
        OUT_OF_ORDER,
        True,
        ["--DependencyOrderPreprocessor.order=dependency"],
        RAN_IN_DEPENDENCY_ORDER,
        id="config-python3-order-dependency",
    ),
    pytest.param(
        PYTHON3,
        OUT_OF_ORDER,
        True,
        [f"--ExecutePreprocessor.kernel_name={KERNELSPEC['name']}"],
        RAN_IN_DEPENDENCY_ORDER,
        id="config-python3-on-reactive-kernel",
    ),
]


@pytest.mark.parametrize(("kernelspec", "sources", "with_config", "extra", "expected"), EXECUTE_CASES)
def test_execute_to_notebook(
    tmp_path, config_dir, config_file, kernelspec, sources, with_config, extra, expected
):
    source = write_notebook(tmp_path / "nb.ipynb", sources, kernelspec)
    config = ["--config", str(config_file)] if with_config else []

    result = nbconvert(
        "--to", "notebook", "--execute", *config, *extra, "--output", "out", source.name,
        cwd=tmp_path, config_dir=config_dir,
    )  # fmt: skip

    output = tmp_path / "out.ipynb"
    if isinstance(expected, str):
        assert result.returncode != 0, result.stderr
        assert expected in result.stderr, result.stderr
        assert not output.exists()
        return
    assert result.returncode == 0, result.stderr
    assert code_results(output) == expected
    executed = nbformat.read(output, as_version=4)
    assert [cell.source for cell in executed.cells] == sources  # outputs land in notebook order
    assert executed.metadata.kernelspec == kernelspec


def test_redefinitions_run_in_an_ordered_notebook(tmp_path, config_dir, config_file):
    cells = ["x = 1", "print(x)", "x = x + 1", "print(x)"]
    source = write_notebook(tmp_path / "nb.ipynb", cells, REACTIVE)
    result = nbconvert(
        "--to", "notebook", "--execute", "--config", str(config_file), "--output", "out", source.name,
        cwd=tmp_path, config_dir=config_dir,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    executed = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert [c.outputs[0].text for c in executed.cells if c.outputs] == ["1\n", "2\n"]


def test_multiple_definitions_are_refused_before_running(tmp_path, config_dir, config_file):
    cells = ["x = 1\nopen('ran.txt', 'w').close()", "print(x)", "x = 2"]
    source = write_notebook(tmp_path / "nb.ipynb", cells, REACTIVE, reactive={"definitions": "unique"})

    result = nbconvert(
        "--to", "notebook", "--execute", "--config", str(config_file), "--output", "out", source.name,
        cwd=tmp_path, config_dir=config_dir,
    )  # fmt: skip

    assert result.returncode != 0
    assert "cell #1 (x): x is also defined by cell #3 (x)" in result.stderr, result.stderr
    assert "cell #3 (x): x is also defined by cell #1 (x)" in result.stderr, result.stderr
    assert "nothing was run" in result.stderr
    assert not (tmp_path / "out.ipynb").exists()
    assert not (tmp_path / "ran.txt").exists()


@pytest.mark.parametrize("setup", ["user-config-file", "readme-one-liner"])
def test_execute_to_html_in_dependency_order(tmp_path, config_dir, setup):
    source = write_notebook(tmp_path / "analysis.ipynb", OUT_OF_ORDER, REACTIVE)
    if setup == "user-config-file":  # the README's snippet in ~/.jupyter/jupyter_nbconvert_config.py
        (config_dir / "jupyter_nbconvert_config.py").write_text(README_CONFIG, encoding="utf-8")
        args = ["--execute", "--to", "html", source.name]
    else:
        args = README_ONE_LINER.split()[2:]

    result = nbconvert(*args, cwd=tmp_path, config_dir=config_dir)

    assert result.returncode == 0, result.stderr
    html = (tmp_path / "analysis.html").read_text(encoding="utf-8")
    assert "<pre>2\n</pre>" in html
    assert "NameError" not in html
