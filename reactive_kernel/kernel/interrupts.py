"""Where an interrupt may land: in user code it raises KeyboardInterrupt; anywhere else it waits.

ipykernel raises KeyboardInterrupt wherever SIGINT finds the main thread during a request: in the middle
of the scheduler's bookkeeping, of a state broadcast, or of ipykernel's own prologue and epilogue, where
it escapes the request (no reply) and leaves the kernel's records half-updated. The guard makes SIGINT
raise only while user code can be running (`live`); everywhere else it is noted (`pending`) and the
kernel acts on it at its next safe point, or as soon as the event loop is free.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


class InterruptGuard:
    """The process's SIGINT handler, and the record of an interrupt that must still be acted on."""

    def __init__(self, act_later: Callable[[], None], schedule: Callable[[Callable[[], None]], None]) -> None:
        self.live = False  # user code may be running: raise KeyboardInterrupt now
        self.pending = False  # an interrupt arrived while not live and has not been acted on yet
        self._act_later = act_later  # acts on a pending interrupt once the current handler is done
        self._schedule = schedule  # runs a callback on the kernel's event loop, after the current handler

    def install(self) -> None:
        """Handle SIGINT from now on (only the main thread may install signal handlers)."""
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, self._handle)

    def take(self) -> bool:
        """Whether an interrupt is pending; it is no longer pending once taken."""
        was, self.pending = self.pending, False
        return was

    @contextmanager
    def user_code(self) -> Iterator[None]:
        """Let an interrupt raise KeyboardInterrupt while the block runs."""
        outer, self.live = self.live, True
        try:
            yield
        finally:
            self.live = outer

    @contextmanager
    def shielded(self) -> Iterator[None]:
        """Keep an interrupt out of the block (the kernel's own bookkeeping): it stays pending."""
        outer, self.live = self.live, False
        try:
            yield
        finally:
            self.live = outer

    def _handle(self, signum: int, frame: Any) -> None:
        if self.live:
            raise KeyboardInterrupt
        if not self.pending:
            self.pending = True
            self._schedule(self._act_later)
