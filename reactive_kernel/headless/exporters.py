"""nbconvert exporters to `.py` notebooks: `jupyter nbconvert --to reactive` (percent) and `--to marimo`.

Registered under the `nbconvert.exporters` entry point, so they also appear in JupyterLab's "Save and
Export Notebook As" menu, as "Reactive" and "Marimo" (jupyter_server's export route only matches names
made of word characters, hence not "reactive-marimo"). Outputs are not written to `.py` files.
"""

from __future__ import annotations

from typing import Any

from nbconvert.exporters import Exporter
from nbformat import NotebookNode
from traitlets import Enum, default

from reactive_kernel import formats
from reactive_kernel.headless.notebook_io import dumps


class ReactiveExporter(Exporter):
    """A notebook as a `.py` notebook: percent format by default, marimo with `format = "marimo"`."""

    export_from_notebook = "Reactive Python (.py)"
    output_mimetype = "text/x-python"

    format = Enum(
        list(formats.FORMATS),
        default_value="percent",
        help="The .py format to write: 'percent' (jupytext-compatible, # %% cells) or 'marimo'.",
    ).tag(config=True)

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".py"

    def from_notebook_node(
        self, nb: NotebookNode, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[str, dict[str, Any]]:
        nb_copy, resources = super().from_notebook_node(nb, resources, **kw)
        resources["output_extension"] = ".py"
        return dumps(nb_copy, self.format), resources


class MarimoExporter(ReactiveExporter):
    """The same, in marimo's format: `jupyter nbconvert --to marimo`."""

    export_from_notebook = "Reactive marimo (.py)"

    @default("format")
    def _format_default(self) -> str:
        return "marimo"
