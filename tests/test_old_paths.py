"""Configs written for the flat package keep working: its documented import paths name the same classes.

Jupyter resolves a class named in a config with traitlets' `import_item`, as here.
"""

from __future__ import annotations

import pytest
from traitlets.utils.importstring import import_item

from reactive_kernel.headless.executor import DependencyOrderPreprocessor, dependency_order_preprocessors
from reactive_kernel.headless.exporters import MarimoExporter, ReactiveExporter
from reactive_kernel.server.contents import ReactiveContentsManager


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("reactive_kernel.contents.ReactiveContentsManager", ReactiveContentsManager),
        ("reactive_kernel.executor.DependencyOrderPreprocessor", DependencyOrderPreprocessor),
        ("reactive_kernel.executor.dependency_order_preprocessors", dependency_order_preprocessors),
        ("reactive_kernel.exporters.ReactiveExporter", ReactiveExporter),
        ("reactive_kernel.exporters.MarimoExporter", MarimoExporter),
    ],
)
def test_the_old_documented_path_names_the_same_object(old, new):
    assert import_item(old) is new
