"""The places where the kernel shows a cell's outputs when it runs cascades itself (kernel/cell_places.py)."""

from __future__ import annotations

import pytest
from jupyter_client.session import Session

from reactive_kernel.features import output_tap
from reactive_kernel.kernel.cell_places import CellOutputs, bundle, choose, display_id, output

STREAM = output("stream", {"name": "stdout", "text": "hi\n"})
ERROR = output(
    "error", {"ename": "ValueError", "evalue": "bad", "traceback": ["\x1b[0;31mValueError\x1b[0m: bad"]}
)
PNG = output("display_data", {"data": {"image/png": "iVBOR", "text/plain": "<Figure>"}, "metadata": {"x": 1}})
HTML = output("execute_result", {"data": {"text/html": "<b>1</b>", "text/plain": "1"}, "execution_count": 3})
WIDGET = output("display_data", {"data": {"application/vnd.jupyter.widget-view+json": {}, "text/plain": "W"}})

BUNDLES = [
    ("nothing: an empty text", [], {"text/plain": ""}, None),
    ("one rich output keeps every representation", [PNG], PNG["data"], {"x": 1}),
    ("one stream is its text", [STREAM], {"text/plain": "hi\n"}, None),
    ("text only stays text", [STREAM, STREAM], {"text/plain": "hi\nhi\n"}, None),
    (
        "a progress bar shows its last state",
        [output("stream", {"name": "stderr", "text": "\r 10%\r 50%\r100%\ndone\r"})],
        {"text/plain": "100%\ndone\n"},
        None,
    ),
    (
        "an error among text is HTML too, without its colour codes",
        [STREAM, ERROR],
        {
            "text/plain": "hi\n\x1b[0;31mValueError\x1b[0m: bad\n",
            "text/html": '<pre>hi\n</pre><pre style="color: var(--vscode-errorForeground, #c00)">'
            "ValueError: bad</pre>",
        },
        None,
    ),
    (
        "rich outputs merge as HTML: their own HTML, images inline",
        [HTML, STREAM, PNG],
        {
            "text/plain": "1\nhi\n<Figure>\n",
            "text/html": "<div><b>1</b></div><pre>hi\n</pre>"
            '<div><img src="data:image/png;base64,iVBOR"></div>',
        },
        None,
    ),
    (
        "a widget among others shows its text",
        [STREAM, WIDGET],
        {"text/plain": "hi\nW\n", "text/html": "<pre>hi\n</pre><pre>W</pre>"},
        None,
    ),
]


@pytest.mark.parametrize(("why", "outputs", "data", "metadata"), BUNDLES, ids=[b[0] for b in BUNDLES])
def test_a_runs_outputs_make_one_display(why, outputs, data, metadata):
    assert bundle(outputs) == (data, metadata or {})


CHOICES = [
    ("auto, plain kernel", "auto", {}, "display"),
    ("auto, kernel of a Voila page request", "auto", {"SERVER_SOFTWARE": "voila/0.5.8"}, "widget"),
    ("auto, preheated Voila kernel", "auto", {"VOILA_PREHEAT": "True"}, "widget"),
    ("auto, another CGI server", "auto", {"SERVER_SOFTWARE": "Apache"}, "display"),
    ("display wins over Voila", "display", {"VOILA_PREHEAT": "True"}, "display"),
    ("widget anywhere", "widget", {}, "widget"),
    ("off", "off", {"VOILA_PREHEAT": "True"}, None),
]


@pytest.mark.parametrize(("why", "setting", "environ", "kind"), CHOICES, ids=[c[0] for c in CHOICES])
def test_the_kind_of_place_follows_the_setting_and_the_host(why, setting, environ, kind):
    assert choose(setting, environ) == kind


def test_a_place_is_named_by_its_cell():
    assert (
        display_id("vscode-notebook-cell:/n.ipynb#W1") == "reactive_kernel:vscode-notebook-cell:/n.ipynb#W1"
    )


def test_a_run_shows_everything_so_far_after_each_output_merging_streams_and_applying_its_own_updates():
    shown: list[list[dict]] = []
    outputs = CellOutputs(shown.append)
    assert outputs.take("stream", {"name": "stdout", "text": "a"})
    outputs.take("stream", {"name": "stdout", "text": "b"})
    outputs.take(
        "display_data", {"data": {"text/plain": "1"}, "metadata": {}, "transient": {"display_id": "p"}}
    )
    outputs.take(
        "update_display_data", {"data": {"text/plain": "2"}, "metadata": {}, "transient": {"display_id": "p"}}
    )
    assert shown[-1] == [
        {"output_type": "stream", "name": "stdout", "text": "ab"},
        {"output_type": "display_data", "data": {"text/plain": "2"}, "metadata": {}},
    ]
    elsewhere = {"data": {}, "metadata": {}, "transient": {"display_id": "other"}}
    assert not outputs.take("update_display_data", elsewhere), "an update of another display goes out as is"
    outputs.take("clear_output", {"wait": False})
    assert shown[-1] == []


class _Socket:
    """Where a real Session sends: keeps the type of each message sent."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.sent: list[str] = []

    def send_multipart(self, frames: list, copy: bool = True) -> None:
        _idents, msg = self.session.feed_identities(frames)
        self.sent.append(self.session.deserialize(msg)["header"]["msg_type"])


def test_a_diversion_takes_the_requests_outputs_and_a_recording_inside_it_still_sees_them():
    session = Session()
    socket = _Socket(session)
    parent = session.msg("execute_request", {})
    taken: list[str] = []
    with output_tap.diverting(
        session, parent["header"]["msg_id"], lambda kind, _: not taken.append(kind)
    ) as send:
        with output_tap.recording(session, parent["header"]["msg_id"]) as recorded:
            session.send(socket, "stream", {"name": "stdout", "text": "x"}, parent)
        session.send(socket, "status", {"execution_state": "busy"}, parent)
        session.send(socket, "stream", {"name": "stdout", "text": "y"}, session.msg("comm_msg", {}))
        send(socket, "display_data", {"data": {}, "metadata": {}}, parent)
        # `with out:` in the cell: an Output widget takes the request's outputs, in the frontend
        capture = {"method": "update", "state": {"msg_id": parent["header"]["msg_id"]}, "buffer_paths": []}
        session.send(socket, "comm_msg", {"comm_id": "out", "data": capture}, parent)
        session.send(socket, "stream", {"name": "stdout", "text": "to the widget"}, parent)
        release = {"method": "update", "state": {"msg_id": ""}, "buffer_paths": []}
        session.send(socket, "comm_msg", {"comm_id": "out", "data": release}, parent)
        session.send(socket, "stream", {"name": "stdout", "text": "to the place"}, parent)
    assert taken == ["stream", "stream"] and [kind for kind, _ in recorded] == ["stream"]
    assert socket.sent == ["status", "stream", "display_data", "comm_msg", "stream", "comm_msg"]
    assert "send" not in vars(session), "the session's own send is back"
