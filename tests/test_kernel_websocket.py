"""Kernel websockets of a real `jupyter server` with the extension send without delay (TCP_NODELAY).

The option is read from the server's own end of the connection: the test opens a kernel websocket,
waits until the server has connected it to the kernel (the kernel's `connections` count), then takes a
copy of the server process's socket for that connection (Linux `pidfd_getfd`) and reads TCP_NODELAY
from it. A server told to use jupyter_server's own connection class keeps it, and shows the option off:
the probe sees the difference.
"""

from __future__ import annotations

import base64
import ctypes
import os
import socket
import sys
import time
import uuid

import pytest

from tests.contents_server import Server

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads the server's socket with pidfd_getfd")

SYS_PIDFD_GETFD = 438  # the same number on every Linux architecture (asm-generic table)
JUPYTER_SERVER_CONNECTION = (
    "jupyter_server.services.kernels.connection.channels.ZMQChannelsWebsocketConnection"
)


@pytest.mark.parametrize(
    ("args", "no_delay"),
    [
        ([], True),  # the extension's connection class, for every kernel (here ipykernel's)
        ([f"--ServerApp.kernel_websocket_connection_class={JUPYTER_SERVER_CONNECTION}"], False),  # kept
    ],
    ids=["extension", "configured-class-kept"],
)
def test_kernel_websockets_send_without_delay(tmp_path, args, no_delay):
    root = tmp_path / "root"
    root.mkdir()
    server = Server(root, *args)
    try:
        kernel_id = server.api("POST", "/api/kernels", {"name": "python3"})["id"]
        with _open_websocket(server.port, kernel_id) as client:
            _wait_until_connected(server, kernel_id)
            assert _server_no_delay(server.process.pid, client) is no_delay
        server.api("DELETE", f"/api/kernels/{kernel_id}")
    finally:
        server.stop()


def _open_websocket(port: int, kernel_id: str) -> socket.socket:
    """A kernel websocket, opened by hand (RFC 6455 handshake) so the test holds its socket."""
    client = socket.create_connection(("127.0.0.1", port), timeout=60)
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET /api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    client.sendall(request.encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = client.recv(4096)
        assert chunk, f"the server closed the connection: {head!r}"
        head += chunk
    assert head.startswith(b"HTTP/1.1 101"), head
    return client


def _wait_until_connected(server: Server, kernel_id: str) -> None:
    """The websocket's connection object has run `connect()`: the kernel counts the connection."""
    deadline = time.monotonic() + 60
    while server.api("GET", f"/api/kernels/{kernel_id}")["connections"] < 1:
        assert time.monotonic() < deadline, "the websocket never connected to the kernel"
        time.sleep(0.2)


def _server_no_delay(pid: int, client: socket.socket) -> bool:
    """TCP_NODELAY on the server process's end of `client`'s connection."""
    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = os.pidfd_open(pid)
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if not os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"):
                    continue
            except FileNotFoundError:  # closed meanwhile
                continue
            copy = libc.syscall(SYS_PIDFD_GETFD, pidfd, int(fd), 0)
            if copy < 0:
                errno = ctypes.get_errno()
                if errno == 9:  # EBADF: closed meanwhile
                    continue
                raise OSError(errno, f"pidfd_getfd of the server's fd {fd}: {os.strerror(errno)}")
            with socket.socket(fileno=copy) as end:  # closes our copy only
                if end.family != socket.AF_INET or end.type != socket.SOCK_STREAM:
                    continue
                try:
                    peer = end.getpeername()
                except OSError:  # a listening socket
                    continue
                if peer == client.getsockname():
                    return bool(end.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
    finally:
        os.close(pidfd)
    raise AssertionError("no socket of the server process is the other end of the websocket")
