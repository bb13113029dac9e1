"""`DependencyOrderPreprocessor`'s kernel client: each execute_request names the cell it runs.

The ids reach the kernel through the configurable classes of nbclient (`kernel_manager_class`) and
jupyter_client (the kernel manager's client class); a configured class of either is kept. On a real
kernel, each cell prints the `metadata.cellId` of its own request; the silent preamble's has none. Its
channels wait for messages in slices (`SlicedWaitChannel`), so a missed wake-up cannot hang a run.
"""

from __future__ import annotations

import asyncio
from queue import Empty

import pytest
import zmq
import zmq.asyncio
from jupyter_client import AsyncKernelClient, AsyncKernelManager
from jupyter_client.session import Session
from nbformat.v4 import new_code_cell, new_notebook
from traitlets.config import Config

from reactive_kernel.headless import executor
from reactive_kernel.headless.executor import (
    CellKernelClient,
    CellKernelManager,
    DependencyOrderPreprocessor,
    SlicedWaitChannel,
)
from tests import aio

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


def test_the_client_waits_without_end_in_slices_on_shell_and_iopub():
    client = CellKernelClient()
    assert client.shell_channel_class is SlicedWaitChannel
    assert client.iopub_channel_class is SlicedWaitChannel


@pytest.mark.unit  # an in-process zmq pair: no process, no TCP socket
def test_an_endless_wait_returns_a_message_that_arrives_after_several_slices(monkeypatch):
    monkeypatch.setattr(executor, "WAIT_SLICE", 0.05)
    session = Session(key=b"")
    context = zmq.asyncio.Context()
    receiver, sender = context.socket(zmq.PAIR), context.socket(zmq.PAIR)
    receiver.bind("inproc://sliced-wait")
    sender.connect("inproc://sliced-wait")
    channel = SlicedWaitChannel(receiver, session)

    async def scenario() -> dict:
        async def send_later() -> None:
            await asyncio.sleep(0.3)  # six slices
            session.send(sender, "status", {"execution_state": "idle"})

        sending = asyncio.ensure_future(send_later())
        msg = await channel.get_msg(timeout=None)
        await sending
        with pytest.raises(Empty):  # a wait with a timeout still ends
            await channel.get_msg(timeout=0.01)
        return msg

    try:
        msg = aio.run(scenario())  # not asyncio.run: see tests/aio.py
    finally:
        receiver.close(linger=0)
        sender.close(linger=0)
        context.term()
    assert msg["content"] == {"execution_state": "idle"}
