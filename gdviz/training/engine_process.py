"""The engine in a process of its own, so training and the GUI never share an interpreter lock.

In one process the engine (pure Python between tiny numpy calls) holds the GIL almost all the
time and the GUI thread waits for it before each of its Python calls: on a 2-core machine the
window drew ~44 frames/s and training ran at ~0.55 of its headless speed (docs/performance.md).
In a child process each gets a core.

- :func:`context` is the multiprocessing context: *forkserver* (a server started by fork+exec,
  so it is clean even though the GUI already runs Qt's threads, with the engine preloaded: a
  child starts in milliseconds and inherits none of Qt's threads), or *spawn* where there is
  no forkserver.
- :class:`Child` starts an engine process and relays its messages (both GUI workers use it).
- :func:`serve` is the child's main: an :class:`EngineLoop` reading commands from a pipe and
  sending ``(kind, args)`` messages back through another.
- :class:`UpdateCodec` keeps each Update small and each object's identity: the graph description
  and the data set cross the pipe only when they change, and the receiver hands the *same*
  object on (the views rebuild only on a new object), with every array read-only again.

The child stops when the stop flag is set, or when the GUI's end of the command pipe closes (the
GUI process is gone), so it never outlives the window.
"""

from __future__ import annotations

import copyreg
import multiprocessing as mp
import queue
import signal
import threading
from dataclasses import fields, is_dataclass, replace
from types import MappingProxyType
from typing import Any, Callable

import numpy as np

from gdviz.training.engine_loop import EngineLoop, Flags
from gdviz.training.messages import Update
from gdviz.training.pacing import Pacing

__all__ = ["context", "serve", "Child", "PipeCommands", "PipeSender", "SharedFlag", "UpdateCodec", "SAME"]


def _mapping_proxy(d: dict) -> MappingProxyType:
    return MappingProxyType(d)


# Frozen values keep their mappings as read-only proxies, which pickle cannot store: send the
# dict, rebuild the proxy (registered in both processes, since both import this module).
copyreg.pickle(MappingProxyType, lambda m: (_mapping_proxy, (dict(m),)))

_context = None


def context():
    """The multiprocessing context for engine processes (created once)."""
    global _context
    if _context is None:
        if "forkserver" in mp.get_all_start_methods():
            _context = mp.get_context("forkserver")
            # the server imports the engine once; each child starts with it loaded
            _context.set_forkserver_preload(["gdviz.training.engine_process", "gdviz.training.plane_fit"])
        else:
            _context = mp.get_context("spawn")
    return _context


class PipeCommands:
    """The read end of the command pipe as the queue :class:`EngineLoop` expects.

    A closed pipe (the GUI process ended) sets the stop flag and reads as one ``wake`` command;
    after that the queue is empty for good (a closed pipe always polls readable, so answering
    ``wake`` again would keep a draining loop spinning for ever).
    """

    def __init__(self, conn, stop):
        self._conn, self._stop = conn, stop
        self._closed = False

    def get(self, block: bool = True, timeout: float | None = None) -> tuple:
        if self._closed:                    # stop was set when the pipe closed
            if block and timeout is None:
                return ("wake",)
            raise queue.Empty
        try:
            if block and timeout is None:
                return self._conn.recv()
            if self._conn.poll(timeout if block else 0):
                return self._conn.recv()
        except (EOFError, OSError):
            self._closed = True
            self._stop.set()
            return ("wake",)
        raise queue.Empty

    def get_nowait(self) -> tuple:
        return self.get(block=False)


class PipeSender:
    """The GUI's end of the command pipe.  :meth:`put` never blocks: commands go into a queue
    that a sender thread writes to the pipe, so a command bigger than the pipe's buffer, or an
    engine that has stopped reading, cannot freeze the GUI thread.  A dead engine swallows
    commands (the relay reports its end)."""

    _CLOSE = object()

    def __init__(self, conn):
        self._conn = conn
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False

    def put(self, cmd: tuple) -> None:
        with self._lock:
            if self._closed:
                return
            if self._thread is None:
                self._thread = threading.Thread(target=self._pump, name="gdviz-commands", daemon=True)
                self._thread.start()
            self._queue.put(cmd)

    def _pump(self) -> None:
        dead = False
        while True:
            cmd = self._queue.get()
            if cmd is self._CLOSE:
                break
            if dead:
                continue
            try:
                self._conn.send(cmd)
            except (OSError, ValueError):   # closed: the engine process has ended
                dead = True
        self._conn.close()

    def close(self) -> None:
        """Send what is queued, then close the pipe (from the sender thread; never blocks)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._thread is None:
                self._conn.close()
            else:
                self._queue.put(self._CLOSE)


class SharedFlag:
    """A flag in shared memory with ``threading.Event``'s ``set``/``clear``/``is_set``: one byte
    written and read without a lock, so a child killed at any moment can never leave it held
    (``multiprocessing.Event`` takes a semaphore: a child dying inside it deadlocks the GUI).
    The loop only polls flags and wakes on the command pipe, so no ``wait`` is needed."""

    def __init__(self, ctx=None):
        self._v = (ctx or context()).RawValue("b", 0)

    def set(self) -> None:
        self._v.value = 1

    def clear(self) -> None:
        self._v.value = 0

    def is_set(self) -> bool:
        return bool(self._v.value)


class _Same:
    """Marks a field equal (the same object) to the one in the previous Update."""

    def __repr__(self) -> str:
        return "SAME"


SAME = _Same()
_SHARED = ("spec", "record", "data", "config", "snapshot")   # fields often unchanged between Updates


def _freeze(value: Any, depth: int = 0) -> None:
    """Mark every array reachable through dataclass fields, mappings and tuples read-only
    (unpickled arrays are writable)."""
    if depth > 4:
        return
    if isinstance(value, np.ndarray):
        value.setflags(write=False)
    elif is_dataclass(value) and not isinstance(value, type):
        for f in fields(value):
            _freeze(getattr(value, f.name), depth + 1)
    elif isinstance(value, (dict, MappingProxyType)):
        for v in value.values():
            _freeze(v, depth + 1)
    elif isinstance(value, (tuple, list)):
        for v in value:
            _freeze(v, depth + 1)


class UpdateCodec:
    """``encode`` in the engine, ``decode`` in the GUI: unchanged shared fields travel as
    :data:`SAME` and come out as the object the receiver already holds."""

    def __init__(self):
        self._last: dict[str, Any] = {}

    def encode(self, u: Update) -> Update:
        same = {}
        for name in _SHARED:
            value = getattr(u, name)
            if name in self._last and self._last[name] is value:
                same[name] = SAME
            else:
                self._last[name] = value
        return replace(u, **same) if same else u

    def decode(self, u: Update) -> Update:
        kept = {}
        for name in _SHARED:
            value = getattr(u, name)
            if isinstance(value, _Same):
                kept[name] = self._last[name]
            else:
                _freeze(value)
                self._last[name] = value
        for name in ("losses", "path", "state"):
            _freeze(getattr(u, name))
        return replace(u, **kept) if kept else u


def serve(session_factory: Callable[[], Any], data_factory, speed: float | None, pacing: Pacing,
          flags: Flags, commands, results) -> None:
    """The engine process's main: run the loop, send every message as ``(kind, args)``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl+C is the GUI's; it stops us through the pipe
    codec = UpdateCodec()

    def send(kind: str, *args) -> None:
        if kind == "yielded":
            args = (codec.encode(args[0]),)
        try:
            results.send((kind, args))
        except (OSError, ValueError):       # the GUI is gone: stop
            flags.stop.set()

    # No GIL to share with the GUI here: no sleep after each chunk.
    loop = EngineLoop(session_factory, data_factory, flags, PipeCommands(commands, flags.stop), send, speed,
                      replace(pacing, yield_s=0.0))
    try:
        loop.run()
    finally:
        results.close()


class Child:
    """One engine process seen from the GUI side: start it, relay its messages, end it.

    Both engines (the plane fit's ``serve``, the race's ``serve_race``) are started and relayed
    by this one piece; the Qt workers only decide what each message and each ending means.
    """

    def __init__(self):
        self.process = None
        self.finished = False       # the child said ``finished`` (a clean end)

    def relay(self, target, name: str, args: tuple, child_ends: tuple, results, deliver) -> None:
        """Start ``target(*args)`` in a child, close this process's copies of ``child_ends`` (so
        the pipes report EOF when the child ends), and hand every message to
        ``deliver(kind, args)`` until the child says ``finished`` or its pipe closes.  Raises
        if the child cannot start (``process`` stays None)."""
        process = context().Process(target=target, name=name, daemon=True, args=args)
        process.start()
        self.process = process
        for end in child_ends:
            end.close()
        while True:
            try:
                kind, margs = results.recv()
            except (EOFError, OSError):
                return
            if kind == "finished":
                self.finished = True
                return
            deliver(kind, margs)

    def end(self, timeout_s: float = 5.0) -> int | None:
        """Wait for the child to exit; its exit code (None if it never started or still runs)."""
        if self.process is None:
            return None
        self.process.join(timeout_s)
        return self.process.exitcode

    def kill(self) -> None:
        """End a child that did not stop when asked."""
        if self.process is not None and self.process.is_alive():
            self.process.kill()


def new_channels(ctx=None) -> tuple[Flags, Any, Any, PipeSender, Any]:
    """``(flags, command reader, results writer, command sender, results reader)`` for one engine."""
    ctx = ctx or context()
    flags = Flags(SharedFlag(ctx), SharedFlag(ctx), SharedFlag(ctx))
    flags.gui_idle.set()
    cmd_r, cmd_w = ctx.Pipe(duplex=False)
    res_r, res_w = ctx.Pipe(duplex=False)
    return flags, cmd_r, res_w, PipeSender(cmd_w), res_r

