"""What reactive_kernel relies on in its hosts beyond their hooks: one test per assumption.

Where a host has a supported extension point the package uses it (jupyter_server's configurable kernel
websocket connection class, nbclient's configurable kernel manager class and jupyter_client's
configurable client class). Where none exists, one module owns the patch and says why; these tests pin
what each relies on, so an upgrade of jupyter_server, jupyter_client, ipykernel, nbclient, nbconvert or
ipywidgets that changes it fails here, naming it, instead of as odd behaviour somewhere else. The last
section pins private names that modules override or read without patching anything.
"""

from __future__ import annotations

import ast
import inspect
import json
import subprocess
import sys
import textwrap
from types import SimpleNamespace

import nbformat
import pytest
from jupyter_client import KernelClient
from jupyter_client.manager import start_new_kernel
from jupyter_client.session import Session
from jupyter_server.serverapp import ServerApp
from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from jupyter_server.services.kernels.websocket import KernelWebsocketHandler
from nbclient import NotebookClient
from nbconvert.preprocessors import ExecutePreprocessor
from tornado.websocket import WebSocketHandler

from reactive_kernel.headless.executor import CellKernelClient, DependencyOrderPreprocessor
from reactive_kernel.server.kernel_websocket import NoDelayWebsocketConnection

# ---- server/kernel_websocket.py and server/extension.py: the kernel websocket connection -----------------


def test_the_connection_class_we_extend_still_connects_through_connect():
    # NoDelayWebsocketConnection overrides connect(), which KernelWebsocketHandler.open() calls once the
    # websocket is open, and tunes the socket through the handler it was given.
    assert "connect" in vars(ZMQChannelsWebsocketConnection)
    assert list(inspect.signature(ZMQChannelsWebsocketConnection.connect).parameters) == ["self"]
    assert "websocket_handler" in ZMQChannelsWebsocketConnection.class_traits()
    assert issubclass(KernelWebsocketHandler, WebSocketHandler)
    assert "set_nodelay" in vars(WebSocketHandler)


def test_the_connection_class_is_a_setting_read_for_each_websocket():
    # The extension installs its class at load, after the web app was built: it takes effect because the
    # handler reads the class from the web app's settings each time a websocket opens.
    trait = ServerApp.class_traits()["kernel_websocket_connection_class"]
    assert trait.metadata.get("config") is True
    assert issubclass(NoDelayWebsocketConnection, trait.klass)
    handler = SimpleNamespace(settings={"kernel_websocket_connection_class": NoDelayWebsocketConnection})
    assert (
        KernelWebsocketHandler.kernel_websocket_connection_class.fget(handler) is NoDelayWebsocketConnection
    )


# ---- server/extension.py: the contents manager, replaced at load ---------------------------------------

CONTENTS_PROBE = """
import gc, json, sys, weakref
from jupyter_server.serverapp import ServerApp
from reactive_kernel.server import extension

app = ServerApp()
app.initialize(["--allow-root", "--ServerApp.root_dir=" + sys.argv[1]], find_extensions=False,
               new_httpserver=False)
built = weakref.ref(app.contents_manager)
extension._load_jupyter_server_extension(app)
gc.collect()
old = built()
print(json.dumps({
    "extensions": sorted(app.extension_manager.extensions),
    "old_held_by": None if old is None else sorted({type(r).__name__ for r in gc.get_referrers(old)}),
    "served_by": [type(m).__name__ for m in (app.contents_manager, app.session_manager.contents_manager,
                                             app.web_app.settings["contents_manager"])],
}))
"""


def test_the_contents_manager_jupyter_server_built_is_held_only_where_the_extension_replaces_it(tmp_path):
    # jupyter_server alone (no other extension), then our extension's load: once it has replaced the
    # manager in the app, its session manager and the web app's settings, nothing still holds the one
    # jupyter_server built. A new holder in jupyter_server keeps it alive and fails this.
    probe = subprocess.run(
        [sys.executable, "-c", CONTENTS_PROBE, str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert probe.returncode == 0, probe.stderr
    found = json.loads(probe.stdout.strip().splitlines()[-1])
    assert found["extensions"] == []
    assert found["old_held_by"] is None, found
    assert found["served_by"] == ["ReactiveAsyncLargeFileManager"] * 3


# ---- server/extension.py: Voilà's server extension, configured through the server's configuration ----

VOILA_PROBE = """
import json, sys
from jupyter_server.serverapp import ServerApp
from voila import server_extension as voila_extension
from reactive_kernel.server import extension

app = ServerApp()
app.initialize(["--allow-root", "--ServerApp.root_dir=" + sys.argv[1]], find_extensions=False,
               new_httpserver=False)
app.extension_manager.extensions.update({"voila.server_extension": None, "reactive_kernel": None})
order = list(app.extension_manager.sorted_extensions)
extension._load_jupyter_server_extension(app)
voila_extension._load_jupyter_server_extension(app)
from voila.tornado.handler import TornadoVoilaHandler

def rules(router):
    for rule in getattr(router, "rules", []):
        yield rule
        yield from rules(rule.target)

render = next(r.target_kwargs for r in rules(app.web_app.default_router) if r.target is TornadoVoilaHandler)
manager = app.kernel_manager.kernel_manager_factory(parent=app.kernel_manager)
client = manager.client_class
print(json.dumps({
    "order": order,
    "handler_config_is_the_servers": render["config"] is app.config,
    "on_cell_execute": getattr(render["config"].VoilaExecutor.on_cell_execute, "__name__", None),
    "mapping": render["voila_configuration"].extension_language_mapping,
    "client": client if isinstance(client, str) else client.__name__,
}))
"""


def test_voilas_server_extension_takes_our_configuration_from_the_server(tmp_path):
    # What `extension._configure_voila` relies on: jupyter_server loads extensions in alphabetical order
    # (ours before Voilà's), Voilà's render handler runs its executor with the server's configuration
    # object itself, its `VoilaConfiguration` reads the server's configuration, and the server's kernel
    # managers take their client class from it.
    pytest.importorskip("voila", reason="voila is not installed (pip install '.[app]')")
    probe = subprocess.run(
        [sys.executable, "-c", VOILA_PROBE, str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert probe.returncode == 0, probe.stderr
    found = json.loads(probe.stdout.strip().splitlines()[-1])
    assert found["order"] == ["reactive_kernel", "voila.server_extension"]  # the name voila.json enables
    assert found["handler_config_is_the_servers"] is True
    assert found["on_cell_execute"] == "cell_starts"
    assert found["mapping"].get(".py") == "python"
    assert found["client"].endswith("CellNamingClient")


# ---- features/output_tap.py: the kernel session's send, wrapped while a cell is recorded ---------------


def test_session_send_takes_and_returns_what_the_output_tap_reads():
    # The wrapper passes (stream, msg_or_type, content, parent, ...) through and reads the message that
    # send returns, both for a message type and content (display publisher) and a built message (streams,
    # displayhook).
    assert list(inspect.signature(Session.send).parameters)[:5] == [
        "self", "stream", "msg_or_type", "content", "parent"
    ]  # fmt: skip
    session = Session(key=b"")
    parent = session.msg("execute_request", {"code": ""})
    sent = session.send(None, "stream", {"name": "stdout", "text": "x"}, parent)
    assert sent["header"]["msg_type"] == "stream"
    assert sent["parent_header"]["msg_id"] == parent["header"]["msg_id"]
    assert sent["content"] == {"name": "stdout", "text": "x"}
    built = session.msg("execute_result", {"data": {}, "metadata": {}, "execution_count": 1}, parent=parent)
    assert session.send(None, built) is built


RECORDED_CELL = """\
import sys
from IPython.display import clear_output, display
print("to stdout")
print("to stderr", file=sys.stderr)
handle = display({"text/plain": "shown"}, raw=True, display_id=True)
handle.update({"text/plain": "updated"}, raw=True)
clear_output(wait=True)
"result"
"""


def _texts(kind: str, content: dict) -> tuple[str, str]:
    if kind == "stream":
        return kind, f"{content['name']}: {content['text']}"
    if kind == "clear_output":
        return kind, f"wait={content['wait']}"
    return kind, content["data"]["text/plain"]


def test_ipykernel_publishes_every_output_through_the_kernels_session_send():
    # On plain ipykernel (python3): a recording opened in one cell, for the request of the next, sees each
    # kind of output that cell publishes, in order; streams are sent from ipykernel's IOPub thread.
    km, kc = start_new_kernel(kernel_name="python3")
    try:
        request = kc.session.msg("execute_request", _content(RECORDED_CELL))
        target = request["header"]["msg_id"]
        start = (
            "from reactive_kernel.features import output_tap\n"
            f"_tap = output_tap.recording(get_ipython().kernel.session, {target!r})\n"
            "_recorded = _tap.__enter__()\n"
        )
        assert kc.execute_interactive(start, timeout=60)["content"]["status"] == "ok"
        kc.shell_channel.send(request)
        assert _reply(kc, target)["content"]["status"] == "ok"
        report = "_tap.__exit__(None, None, None)\nimport json\nprint(json.dumps(_recorded))\n"
        printed: list[str] = []
        kc.execute_interactive(report, timeout=60, output_hook=lambda m: _collect(m, printed))
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    outputs = [_texts(kind, content) for kind, content in json.loads("".join(printed))]
    assert outputs == [
        ("stream", "stdout: to stdout\n"),
        ("stream", "stderr: to stderr\n"),
        ("display_data", "shown"),
        ("update_display_data", "updated"),
        ("clear_output", "wait=True"),
        ("execute_result", "'result'"),
    ]


def _content(code: str) -> dict:
    return {
        "code": code,
        "silent": False,
        "store_history": True,
        "user_expressions": {},
        "allow_stdin": False,
    }


def _reply(kc: KernelClient, msg_id: str) -> dict:
    while True:
        reply = kc.get_shell_msg(timeout=60)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply


def _collect(msg: dict, printed: list[str]) -> None:
    if msg["header"]["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
        printed.append(msg["content"]["text"])


# ---- headless/executor.py: nbclient and nbconvert -------------------------------------------------------


def test_the_kernel_client_execute_we_extend_has_the_parameters_we_mirror():
    def parameters(function: object) -> list[tuple[str, object]]:
        return [(p.name, p.default) for p in inspect.signature(function).parameters.values()]

    assert parameters(CellKernelClient.execute) == parameters(KernelClient.execute)


def test_the_async_client_takes_its_shell_and_iopub_channel_classes_from_traits():
    # SlicedWaitChannel replaces them through these traits; nbclient waits through get_msg(timeout=None).
    from jupyter_client import AsyncKernelClient
    from jupyter_client.channels import AsyncZMQSocketChannel
    from traitlets import Type

    traits = AsyncKernelClient.class_traits()
    for name in ("shell_channel_class", "iopub_channel_class"):
        assert isinstance(traits[name], Type) and traits[name].default_value is AsyncZMQSocketChannel
    assert list(inspect.signature(AsyncZMQSocketChannel.get_msg).parameters) == ["self", "timeout"]
    assert "get_msg(timeout=None)" in inspect.getsource(NotebookClient._async_poll_output_msg)


@pytest.mark.unit  # reads nbconvert's source, starts no kernel (the tier's guess is kernel)
def test_the_executors_preprocess_mirrors_execute_preprocessors_steps():
    # DependencyOrderPreprocessor.preprocess takes ExecutePreprocessor.preprocess's steps with its own
    # order in the loop; when nbconvert changes those steps, ours must be looked at again.
    tree = ast.parse(textwrap.dedent(inspect.getsource(ExecutePreprocessor.preprocess)))
    calls = {ast.unparse(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    assert calls - {"enumerate"} == {
        "NotebookClient.__init__", "self.reset_execution_trackers", "self._check_assign_resources",
        "self.setup_kernel", "self.wait_for_reply", "self.kc.kernel_info", "self.preprocess_cell",
        "self.set_widgets_metadata",
    }  # fmt: skip


@pytest.mark.unit  # builds a client, starts no kernel (the tier's guess is kernel)
def test_notebook_client_init_resets_a_client_for_a_new_run():
    # ... and it resets the run's state by re-running NotebookClient.__init__(self, nb, km), as nbconvert's.
    runner = DependencyOrderPreprocessor()
    runner.kc = object()
    nb = nbformat.v4.new_notebook()
    NotebookClient.__init__(runner, nb, None)
    assert (runner.nb, runner.km, runner.kc, runner.owns_km) == (nb, None, None, True)


# ---- private names other modules override or read (no patch, but no supported hook either) -------------


def test_the_contents_save_points_reactive_contents_overrides():
    # server/contents.py replaces jupyter_server's file and notebook writes to save atomically off the loop.
    from jupyter_server.services.contents.fileio import AsyncFileManagerMixin

    from reactive_kernel.server.contents import ReactiveContents, ReactiveContentsManager

    assert issubclass(ReactiveContentsManager, AsyncFileManagerMixin)
    for name in ("_save_file", "_save_notebook"):
        ours, theirs = getattr(ReactiveContents, name), getattr(AsyncFileManagerMixin, name)
        assert inspect.signature(ours).parameters.keys() == inspect.signature(theirs).parameters.keys()


def test_the_shells_traceback_publisher_the_kernel_calls():
    # kernel/ipkernel.py shows a refusal (cycle, multiple definition) as an error output through it.
    from ipykernel.zmqshell import ZMQInteractiveShell

    assert list(inspect.signature(ZMQInteractiveShell._showtraceback).parameters) == [
        "self", "etype", "evalue", "stb"
    ]  # fmt: skip


def test_a_widget_holds_its_property_lock_while_observers_of_a_browser_update_run():
    # features/widgets.py tells a change from the browser (re-run readers) from one made by code.
    import ipywidgets

    from reactive_kernel.features.widgets import from_browser

    slider = ipywidgets.IntSlider()
    seen: list[bool] = []
    slider.observe(lambda change: seen.append(from_browser(slider)), "value")
    slider.set_state({"value": 3})  # what ipywidgets does with a browser's update
    slider.value = 4
    dropdown = ipywidgets.Dropdown(options=["a", "b"])
    dropdown.observe(lambda change: seen.append(from_browser(dropdown)), "value")
    dropdown.set_state({"index": 1})  # a selection widget's browser sends its index; `value` follows
    assert seen == [True, False, True]


def test_ipykernel_dispatches_comm_messages_through_its_shell_handlers_table_and_awaits_them():
    # kernel/ipkernel.py replaces shell_handlers["comm_msg"] with a coroutine that runs ipykernel's
    # handler and then the cascade a widget change queued (kernel-run cascades, no extension).
    from ipykernel.ipkernel import IPythonKernel
    from ipykernel.kernelbase import Kernel

    init = inspect.getsource(IPythonKernel.__init__)
    assert "self.shell_handlers[msg_type] = getattr(self.comm_manager, msg_type)" in init
    dispatch = inspect.getsource(Kernel.dispatch_shell)
    assert "self.shell_handlers.get(msg_type" in dispatch and "inspect.isawaitable(result)" in dispatch


def test_an_output_widget_takes_outputs_set_by_the_kernel_as_synced_state():
    # kernel/cell_places.py shows a cell's outputs in an ipywidgets.Output by setting `outputs`.
    import ipywidgets

    output = ipywidgets.Output()
    assert output.trait_metadata("outputs", "sync") is True
    output.outputs = ({"output_type": "stream", "name": "stdout", "text": "x"},)
    assert output.get_state()["outputs"][0]["text"] == "x"
    assert "application/vnd.jupyter.widget-view+json" in output._repr_mimebundle_()


# ---- features/marimo_runtime.py: marimo's runtime internals (the `marimo` extra bounds the version) ------


def test_mo_stop_raises_a_base_exception_that_carries_its_output():
    # The kernel's custom exception handler ends the cell on it and shows `.output`.
    import marimo
    from marimo._runtime.control_flow import MarimoStopError

    assert marimo.MarimoStopError is MarimoStopError and not issubclass(MarimoStopError, Exception)
    with pytest.raises(MarimoStopError) as stopped:
        marimo.stop(True, "shown")
    assert stopped.value.output == "shown"


def test_the_script_context_we_subclass_and_install():
    # _install_context installs marimo's script-mode context, then a subclass of it built from its fields.
    import dataclasses

    from marimo._ast.app import App, InternalApp
    from marimo._runtime.context import script_context, types

    context_class = script_context.ScriptRuntimeContext
    assert dataclasses.is_dataclass(context_class) and issubclass(context_class, types.RuntimeContext)
    for name in ("globals", "cli_args", "graph", "execution_context", "app"):
        assert isinstance(inspect.getattr_static(context_class, name), property), name
    assert list(inspect.signature(script_context.initialize_script_context).parameters) == [
        "app", "stream", "filename"
    ]  # fmt: skip
    for name in ("get_context", "initialize_context", "teardown_context"):
        assert callable(getattr(types, name)), name
    assert [f.name for f in dataclasses.fields(types.ExecutionContext)][:2] == [
        "cell_id",
        "setting_element_value",
    ]
    app = InternalApp(App())
    assert hasattr(app, "set_execution_context") and app.graph.cells == {}


def test_a_state_setter_tells_the_context():
    # KernelRuntimeContext.register_state_update hears each setter call (the kernel re-runs the readers)
    import dataclasses

    import marimo as mo
    from marimo._ast.app import App, InternalApp
    from marimo._messaging.types import NoopStream
    from marimo._runtime.context import script_context, types

    assert "register_state_update" in vars(script_context.ScriptRuntimeContext)
    heard = []

    class Listening(script_context.ScriptRuntimeContext):
        def register_state_update(self, state):
            heard.append(state)

    script_context.initialize_script_context(app=InternalApp(App()), stream=NoopStream(), filename=None)
    base = types.get_context()
    types.teardown_context()
    fields = {f.name: getattr(base, f.name) for f in dataclasses.fields(base)}
    types.initialize_context(runtime_context=Listening(**fields))
    try:
        get, put = mo.state(1)
        put(2)
    finally:
        types.teardown_context()
    assert heard == [get] and get() == 2 and get.allow_self_loops is False


def test_a_cell_registers_in_the_graph_mo_cache_reads():
    # _enter_cell compiles the running cell and registers it, so mo.cache finds it by id.
    from marimo._ast.app import App, InternalApp
    from marimo._ast.compiler import compile_cell

    graph = InternalApp(App()).graph
    graph.register_cell("c1", compile_cell("x = 1", "c1"))
    assert graph.cells["c1"].defs == {"x"}
    graph.delete_cell("c1")
    assert "c1" not in graph.cells


def test_cli_args_parse_as_marimo_parses_a_scripts_arguments():
    from marimo._cli.parse_args import parse_args
    from marimo._runtime.params import CLIArgs

    assert dict(CLIArgs(parse_args(["--threshold", "7", "--flag"]))) == {"threshold": 7, "flag": ""}


def test_mo_output_reaches_the_stream_as_a_cell_op_message():
    # _OutputStream reads marimo's `cell-op` notifications: output.channel, mimetype and data.
    import json

    from marimo._messaging.notification import CellNotification
    from marimo._messaging.serde import serialize_kernel_message
    from marimo._messaging.types import Stream

    assert getattr(Stream.write, "__isabstractmethod__", False)
    from marimo._messaging.cell_output import CellChannel, CellOutput

    notification = CellNotification(
        cell_id="c", output=CellOutput(channel=CellChannel.OUTPUT, mimetype="text/html", data="<b>x</b>")
    )
    message = json.loads(serialize_kernel_message(notification))
    assert message["op"] == "cell-op"
    assert {k: message["output"][k] for k in ("channel", "mimetype", "data")} == {
        "channel": "output", "mimetype": "text/html", "data": "<b>x</b>"
    }  # fmt: skip


def test_the_html_classes_whose_display_the_kernel_formats():
    import marimo as mo
    from marimo._output.hypertext import Html
    from marimo._output.md import _md
    from marimo._plugins.ui._impl.tabs import tabs

    assert mo.Html is Html and isinstance(mo.md("x"), _md) and isinstance(mo.ui.tabs({"a": "b"}), tabs)
    assert mo.md("**x**")._repr_markdown_() == "**x**" and "<strong>x</strong>" in mo.md("**x**").text


def test_ipykernel_names_a_cell_from_its_environment_variable(monkeypatch):
    # MarimoRuntime names each cell (in a `__marimo__` folder) through IPYKERNEL_CELL_NAME, which the
    # kernel's default compiler reads when IPython caches the cell, after pre_run_cell and before the
    # AST transformers run.
    from ipykernel.compiler import XCachingCompiler
    from ipykernel.ipkernel import IPythonKernel
    from IPython.core.interactiveshell import InteractiveShell

    assert IPythonKernel.compiler_class.default_value is XCachingCompiler
    monkeypatch.setenv("IPYKERNEL_CELL_NAME", "/tmp/x/__marimo__/abc.py")
    compiler = XCachingCompiler()
    assert compiler.cache("y = 1\n", 7, raw_code="y = 1\n") == "/tmp/x/__marimo__/abc.py"
    monkeypatch.delenv("IPYKERNEL_CELL_NAME")
    assert "__marimo__" not in compiler.cache("y = 1\n", 8, raw_code="y = 1\n")
    run_cell = inspect.getsource(InteractiveShell.run_cell_async)
    assert (
        run_cell.index("'pre_run_cell'")
        < run_cell.index("compiler.cache(")
        < run_cell.index("self.transform_ast(")
    )


def test_marimo_block_caches_read_a_cells_code_from_the_graph_in_a_marimo_file():
    # The block forms (`with mo.cache(...)`) take the cell's code from the graph when the running
    # code's file name contains `__marimo__`; else from the script file, which a kernel cell has not.
    from marimo._save import save

    source = inspect.getsource(save)
    assert '"__marimo__" not in filename' in source and "graph.cells[cell_id].code" in source
