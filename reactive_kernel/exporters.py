"""The nbconvert exporters' import path before the package moved into folders.

The `nbconvert.exporters` entry points (`--to reactive`, `--to marimo`) now name
`reactive_kernel.headless.exporters`; a config that names the classes by their old path keeps working.
"""

from reactive_kernel.headless.exporters import MarimoExporter, ReactiveExporter

__all__ = ["MarimoExporter", "ReactiveExporter"]
