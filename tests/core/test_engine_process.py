"""The engine in a process of its own (no Qt): the pipe protocol, the Update codec, the child's
life and death."""

from __future__ import annotations

import pickle
import time
from functools import partial

import numpy as np
import pytest

import multiprocessing as mp
import queue
import threading

from gdviz.training.engine_loop import EngineLoop, Flags
from gdviz.training.engine_process import SAME, PipeCommands, UpdateCodec, context, new_channels, serve
from gdviz.training.pacing import PACING
from gdviz.training.plane_fit import new_plane_fit
from gdviz.training.runner import Runner
from gdviz.training.types import TrainConfig


def an_update(runner: Runner, n: int = 5):
    runner.run(n)
    return runner.update(True)


@pytest.fixture
def runner():
    r = Runner(new_plane_fit(TrainConfig(), 100, 0.0, 0))
    r.trace = True
    return r


def test_frozen_values_cross_pickle_read_only(runner):
    u = UpdateCodec().decode(pickle.loads(pickle.dumps(UpdateCodec().encode(an_update(runner)))))
    assert u.snapshot.values and all(not v.flags.writeable for v in u.snapshot.values.values())
    assert not u.losses.flags.writeable and not u.path.flags.writeable
    assert not u.snapshot.W.flags.writeable
    assert all(not v.flags.writeable for v in u.state.variables.values())
    with pytest.raises(TypeError):
        u.snapshot.values["W"] = np.zeros(2)          # still a read-only mapping


def test_codec_sends_unchanged_objects_once_and_hands_on_the_same_object(runner):
    enc, dec = UpdateCodec(), UpdateCodec()
    first = dec.decode(pickle.loads(pickle.dumps(enc.encode(an_update(runner)))))
    wire = enc.encode(an_update(runner))
    assert wire.spec is SAME and wire.data is SAME        # unchanged: not sent again
    second = dec.decode(pickle.loads(pickle.dumps(wire)))
    assert second.spec is first.spec and second.data is first.data
    assert second.snapshot.step == first.snapshot.step + 5
    np.testing.assert_allclose(second.losses[-1], second.snapshot.loss)


def test_codec_passes_a_changed_object(runner):
    enc, dec = UpdateCodec(), UpdateCodec()
    first = dec.decode(pickle.loads(pickle.dumps(enc.encode(an_update(runner)))))
    runner.session.configure(TrainConfig(mode="manual", optimizer="adam", lr=0.05))
    wire = enc.encode(an_update(runner))
    assert wire.spec is not SAME and wire.config is not SAME
    second = dec.decode(pickle.loads(pickle.dumps(wire)))
    assert second.spec is not first.spec and second.config.optimizer == "adam"


class Engine:
    """A real engine process, driven through its pipes as the GUI worker drives it."""

    def __init__(self, speed=None):
        self.flags, cmd_r, res_w, self.commands, self.results = new_channels()
        factory = partial(new_plane_fit, TrainConfig(), 100, 0.0, 0)
        self.process = context().Process(target=serve, daemon=True,
                                         args=(factory, None, speed, PACING, self.flags, cmd_r, res_w))
        self.process.start()
        res_w.close()
        cmd_r.close()
        self.codec = UpdateCodec()
        self.last = None        # the newest Update received

    def settle(self, token: int):
        """Every message up to the answer to ``ping(token)`` (a barrier): ``(kinds, last Update)``."""
        self.commands.put(("ping", token))
        kinds, last = [], None
        while True:
            got, args = self._recv(20.0)
            if got == "ponged" and args == (token,):
                return kinds, last
            kinds.append(got)
            if got == "yielded":
                last = args[0]

    def _recv(self, timeout: float):
        assert self.results.poll(timeout), "the engine said nothing"
        got, args = self.results.recv()
        if got == "yielded":
            args = (self.codec.decode(args[0]),)
            self.last = args[0]
            self.flags.gui_idle.set()
        return got, args

    def next(self, kind: str, timeout: float = 20.0):
        """Messages until one of ``kind`` (its args); Updates are acknowledged as the GUI does."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            got, args = self._recv(max(0.0, end - time.monotonic()))
            if got == kind:
                return args
        raise AssertionError(f"no {kind!r} within {timeout} s")


def test_engine_process_trains_pauses_steps_and_stops():
    e = Engine()
    try:
        e.next("started")
        (first,) = e.next("yielded")
        assert first.restart and first.snapshot.step == 0
        e.commands.put(("autostop", False))
        e.flags.playing.set()
        e.commands.put(("wake",))
        e.next("resumed")
        (u,) = e.next("yielded")
        assert u.playing and u.snapshot.step > 0 and len(u.losses) == u.snapshot.step - u.first_step + 1
        e.flags.playing.clear()
        e.commands.put(("wake",))
        e.next("paused")
        e.settle(1)
        paused_at = e.last
        e.commands.put(("step",))
        kinds, stepped = e.settle(2)
        assert kinds == ["yielded"] and stepped.snapshot.step == paused_at.snapshot.step + 1
        assert stepped.first_step == stepped.snapshot.step and len(stepped.losses) == 1   # only the new point
        assert stepped.spec is paused_at.spec              # one graph object on this side too
        e.commands.put(("configure", TrainConfig(lr=1000.0)))   # out of range: refused, nothing changes
        assert "learning rate" in e.next("rejected")[0]
        e.flags.stop.set()
        e.commands.put(("wake",))
        e.next("finished")
        e.process.join(60)                 # generous: it only matters if the child does not leave
        assert e.process.exitcode == 0
    finally:
        if e.process.is_alive():
            e.process.kill()


def test_engine_process_ends_when_the_gui_side_goes_away():
    e = Engine()
    try:
        e.next("yielded")
        e.commands.close()                 # the GUI process died: its end of the pipe closed
        e.process.join(60)
        assert e.process.exitcode == 0     # the child noticed and left by itself
    finally:
        if e.process.is_alive():
            e.process.kill()


def test_engine_process_ends_when_the_gui_side_goes_away_while_playing():
    # The orphan of issue 20: a window that died while playing left a child spinning for ever.
    e = Engine()
    try:
        e.next("yielded")
        e.commands.put(("autostop", False))
        e.flags.playing.set()
        e.commands.put(("wake",))
        e.next("resumed")
        e.next("yielded")
        e.commands.close()
        e.process.join(60)
        assert e.process.exitcode == 0
    finally:
        if e.process.is_alive():
            e.process.kill()


# -- the loop driven synchronously, in this process: no child, no timing ------------------------
def closed_pipe_commands(stop=None):
    r, w = mp.Pipe(duplex=False)
    w.close()
    return PipeCommands(r, stop if stop is not None else threading.Event())


def test_a_closed_pipe_reads_as_one_wake_then_empty_for_good():
    cmds = closed_pipe_commands()
    assert cmds.get_nowait() == ("wake",) and cmds._stop.is_set()
    for _ in range(3):                      # it used to answer "wake" for ever: a spinning drain
        with pytest.raises(queue.Empty):
            cmds.get_nowait()
        with pytest.raises(queue.Empty):
            cmds.get(timeout=0.0)
    assert cmds.get() == ("wake",)          # a blocking read returns (stop is set: the loop leaves)


@pytest.mark.parametrize("playing", [False, True])
def test_the_loop_ends_on_a_closed_command_pipe(playing):
    flags = Flags(threading.Event(), threading.Event(), threading.Event())
    if playing:
        flags.playing.set()
    sent = []
    commands = closed_pipe_commands(flags.stop)         # wired to the loop's stop, as serve() does
    EngineLoop(partial(new_plane_fit, TrainConfig(), 100, 0.0, 0), None, flags, commands,
               lambda kind, *args: sent.append(kind)).run()   # returns (it spun for ever before)
    assert sent[0] == "started" and sent[-1] == "finished"


def test_a_play_set_before_the_first_pass_is_acknowledged():
    flags = Flags(threading.Event(), threading.Event(), threading.Event())
    flags.playing.set()                      # Play pressed before the loop's first pass
    sent = []

    def send(kind, *args):
        sent.append(kind)
        if kind == "resumed":
            flags.stop.set()

    class NoCommands:
        def get(self, block=True, timeout=None):
            raise queue.Empty

        def get_nowait(self):
            raise queue.Empty

    EngineLoop(partial(new_plane_fit, TrainConfig(), 100, 0.0, 0), None, flags, NoCommands(), send).run()
    assert "resumed" in sent and "paused" not in sent


def test_a_command_bigger_than_the_pipe_never_blocks_the_sender():
    """Nobody reads the pipe: a send of 8 MB would block for ever; put() must return."""
    ctx = context()
    r, w = ctx.Pipe(duplex=False)
    from gdviz.training.engine_process import PipeSender

    sender = PipeSender(w)
    sender.put(("open", "x" * (8 << 20), None))      # far beyond any pipe buffer
    sender.put(("ping", 1))                          # returned: the GUI thread is free
    got = r.recv()                                   # the reader drains: everything arrives, in order
    assert got[0] == "open" and len(got[1]) == 8 << 20
    assert r.recv() == ("ping", 1)
    sender.close()
    with pytest.raises(EOFError):
        r.recv()                                     # close() closed the pipe after the queue


def test_a_sender_to_a_dead_engine_swallows_commands():
    from gdviz.training.engine_process import PipeSender

    r, w = context().Pipe(duplex=False)
    r.close()
    sender = PipeSender(w)
    sender.put(("wake",))
    sender.put(("ping", 2))
    sender.close()                                   # nothing raises, nothing hangs


def test_flags_are_lock_free_shared_bytes():
    """multiprocessing.Event holds a semaphore inside set/clear/is_set: a child killed there
    left it taken and the GUI's next call deadlocked.  The flags now hold no lock at all."""
    from gdviz.training.engine_process import SharedFlag

    flags, *_ = new_channels()
    for f in (flags.playing, flags.stop, flags.gui_idle):
        assert isinstance(f, SharedFlag) and not hasattr(f._v, "get_lock")
    assert flags.gui_idle.is_set() and not flags.playing.is_set()
    flags.playing.set()
    assert flags.playing.is_set()
    flags.playing.clear()
    assert not flags.playing.is_set()
def test_one_step_command_does_n_steps_and_is_answered_by_one_update():
    """A recording of every k-th step sends one command per frame (it sent k: 3·10⁶ queued commands,
    ~14 MB/s of growth, for ``--record --steps 10⁹``); a count < 1 is refused with a message."""
    flags = Flags(threading.Event(), threading.Event(), threading.Event())
    commands = queue.Queue()
    for cmd in (("step", 25), ("step", 0)):
        commands.put(cmd)
    sent = []

    def send(kind, *args):
        sent.append((kind, args))
        if kind == "rejected":
            flags.stop.set()
            commands.put(("wake",))

    EngineLoop(partial(new_plane_fit, TrainConfig(), 100, 0.0, 0), None, flags, commands, send).run()
    steps = [a[0].snapshot.step for k, a in sent if k == "yielded"]
    assert 25 in steps and all(s in (0, 25) for s in steps)
    errors = [a[0] for k, a in sent if k == "rejected"]
    assert len(errors) == 1 and "count >= 1" in errors[0]
