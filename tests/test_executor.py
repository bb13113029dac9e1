"""`DependencyOrderPreprocessor`'s kernel client: each execute_request names the cell it runs.

The ids reach the kernel through the configurable classes of nbclient (`kernel_manager_class`) and
jupyter_client (the kernel manager's client class); a configured class of either is kept. On a real
kernel, each cell prints the `metadata.cellId` of its own request; the silent preamble's has none.
"""

from __future__ import annotations

import pytest
from jupyter_client import AsyncKernelClient, AsyncKernelManager
from nbformat.v4 import new_code_cell, new_notebook
from traitlets.config import Config

from reactive_kernel.headless.executor import CellKernelClient, CellKernelManager, DependencyOrderPreprocessor

PRINT_CELL_ID = "print(get_ipython().kernel.get_parent('shell')['metadata'].get('cellId'))"


@pytest.mark.unit  # builds kernel managers and clients, starts none (the tier's guess is kernel)
@pytest.mark.parametrize(
    ("config", "manager"),
    [
        ({}, CellKernelManager),
        (
            {"NotebookClient": {"kernel_manager_class": "jupyter_client.AsyncKernelManager"}},
            AsyncKernelManager,
        ),
        (
            {"ExecutePreprocessor": {"kernel_manager_class": "jupyter_client.AsyncKernelManager"}},
            AsyncKernelManager,
        ),
    ],
    ids=["default", "configured-for-nbclient", "configured-for-nbconvert"],
)
def test_the_kernel_manager_class_is_ours_unless_configured(config, manager):
    assert DependencyOrderPreprocessor(config=Config(config)).kernel_manager_class is manager


@pytest.mark.unit  # builds kernel managers and clients, starts none (the tier's guess is kernel)
@pytest.mark.parametrize(
    ("config", "client"),
    [
        ({}, CellKernelClient),
        (
            {"KernelManager": {"client_class": "jupyter_client.asynchronous.AsyncKernelClient"}},
            AsyncKernelClient,
        ),
    ],
    ids=["default", "configured"],
)
def test_the_kernel_managers_client_class_is_ours_unless_configured(config, client):
    assert CellKernelManager(config=Config(config)).client_factory is client


def test_each_execute_request_names_its_cell_and_silent_code_none():
    nb = new_notebook(
        cells=[
            new_code_cell(PRINT_CELL_ID, id="first-cell"),
            new_code_cell("print(preamble_cell_id)", id="second-cell"),
        ]
    )
    preamble = "preamble_cell_id = get_ipython().kernel.get_parent('shell')['metadata'].get('cellId')"
    runner = DependencyOrderPreprocessor(kernel_name="reactive-python", preamble=preamble)
    runner.preprocess(nb, {})
    assert [cell.outputs[0]["text"] for cell in nb.cells] == ["first-cell\n", "None\n"]
