"""The backward-pass animation as a pure state machine (no Qt).

A :class:`BackwardAnimation` walks the frames of a :class:`GradientRecord` (one forward node's
gradient becomes known per frame) and says, for any position, what each drawn node and edge
shows.  The view only paints :class:`AnimState`; tests drive the machine directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Mapping

from gdviz.autodiff.describe import BackwardFrame, GradientRecord, backward_frames

SEED = "<seed>"


class NodeState(str, Enum):
    """What a node shows during the backward animation (compares equal to its text)."""

    IDLE = ""  # no animation loaded
    PENDING = "pending"  # a forward node whose gradient is not known yet
    KNOWN = "known"  # its gradient became known in an earlier frame
    CURRENT = "current"  # its gradient became known in this frame
    UNREACHED = "unreached"  # the finished animation never got here


@dataclass
class AnimState:
    """Everything the animation changes on screen at one position."""

    nodes: dict[str, NodeState] = field(default_factory=dict)
    seeds: set[str] = field(default_factory=set)
    paths: dict[str, int] = field(default_factory=dict)  # contributions summed into the gradient
    finals: set[str] = field(default_factory=set)  # xs whose gradient is final
    stopped: set[str] = field(default_factory=set)  # stopped by the animation
    glow: dict[tuple[str, str], int] = field(default_factory=dict)  # 2 this frame, 1 before
    cut: set[tuple[str, str]] = field(default_factory=set)
    unconnected: dict[str, str] = field(default_factory=dict)  # x -> why it got no gradient


class BackwardAnimation:
    """Frames of ``record`` restricted to drawn nodes, and the state at any position.

    Parameters
    ----------
    record : GradientRecord
    drawn : set of str
        Node names the view draws; frames for other nodes (or with no contribution) are skipped.
    forward : set of str
        Drawn forward nodes: they show "∇ ?" (pending) until their frame.
    edges : iterable of (str, str)
        The drawn edges ``(src, dst)``.
    """

    def __init__(self, record: GradientRecord, drawn: set[str], forward: set[str], edges):
        self.record = record
        self.frames: tuple[BackwardFrame, ...] = tuple(
            f for f in backward_frames(record) if f.node in drawn and f.sources)
        self._frame_nodes = {f.node for f in self.frames}
        self._drawn, self._forward = set(drawn), set(forward)
        self._edges = set(edges)
        self.position = 0

    def __len__(self) -> int:
        return len(self.frames)

    def step(self) -> bool:
        """Next frame; False (and no change) after the last one."""
        if self.position >= len(self.frames):
            return False
        self.position += 1
        return True

    def back(self) -> None:
        self.position = max(0, self.position - 1)

    def reset(self) -> None:
        self.position = 0

    def gradient_nodes(self, frame: BackwardFrame) -> set[str]:
        """The gradient-graph nodes that computed ``frame``'s gradient (drawn or not)."""
        rec = self.record
        out = {g for n, _c, g in rec.contributions if n == frame.node}
        g = rec.grad_of(frame.node)
        if g is not None:
            out.add(g)
        return out - self._frame_nodes

    def state(self) -> AnimState:
        """What every node and edge shows after ``position`` frames."""
        s = AnimState()
        for n in self._forward:
            s.nodes[n] = NodeState.PENDING
        for k, f in enumerate(self.frames[: self.position]):
            now = k == self.position - 1
            mark = NodeState.CURRENT if now else NodeState.KNOWN
            s.nodes[f.node] = mark
            for g in self.gradient_nodes(f) & self._drawn:
                s.nodes[g] = mark
            if SEED in f.sources:
                s.seeds.add(f.node)
            s.paths[f.node] = len(set(f.sources))
            if f.is_x:
                s.finals.add(f.node)
            for consumer in f.sources:
                if (f.node, consumer) in self._edges:
                    s.glow[(f.node, consumer)] = 2 if now else 1
            if f.stopped:
                s.stopped.add(f.node)
                s.cut |= {e for e in self._edges if e[1] == f.node}
        if self.position == len(self.frames):
            for n, st in s.nodes.items():
                if st is NodeState.PENDING:
                    s.nodes[n] = NodeState.UNREACHED
            s.unconnected = {x: why for x, why in self.record.unconnected if x in self._drawn}
        return s

    def caption(self, folded_in: Mapping[str, str] | None = None) -> str:
        """Plain-text explanation of the current frame.

        ``folded_in`` maps node names to the folded group that hides them: the caption then
        says what happened inside the group.
        """
        rec, n = self.record, len(self.frames)
        if self.position == 0:
            return (f"Backward pass of {rec.scope}({', '.join(rec.ys)} → {', '.join(rec.xs)}): {n} steps. "
                    "→/Space: next step, ←: back, Home: restart, Esc: leave.")
        f = self.frames[self.position - 1]
        parts = [f"Step {self.position}/{n}: gradient of {f.node} known."]
        real = [c for c in dict.fromkeys(f.sources) if c != SEED]
        if SEED in f.sources:
            parts.append(f"{f.node} is a y: its grad_ys seed enters here.")
        if len(set(f.sources)) > 1:
            parts.append(f"Sum of {len(set(f.sources))} contributions (" + ", ".join(
                ["seed"] * (SEED in f.sources) + [f"from {c}" for c in real]) + ").")
        elif real:
            parts.append(f"It came back from {real[0]}.")
        home = (folded_in or {}).get(f.node)
        if home is not None:
            parts.append(f"{f.node} is inside the folded {home} group, which lights up for it.")
        earlier = self.frames[: self.position - 1]
        mine = rec.grad_of(f.node)
        same = next((e.node for e in earlier if mine is not None and rec.grad_of(e.node) == mine), None)
        if same is not None:  # Add, Sub, Identity: the gradient passes through, nothing is computed
            parts.append(f"Same value as the gradient of {same}: it passes through {real[0] if real else same} "
                         "unchanged.")
        seen = set().union(*(self.gradient_nodes(e) for e in earlier))
        hidden: dict[str, list[str]] = {}
        if SEED not in f.sources and same is None:  # a y's gradient is its seed, said above
            for g in sorted(self.gradient_nodes(f) - seen):
                group = (folded_in or {}).get(g)
                if group is not None:
                    hidden.setdefault(group, []).append(_short(g))
        for group, inner in hidden.items():
            parts.append(f"Inside the folded {group} group: {', '.join(inner)} computed it "
                         "(double-click the group to follow node by node).")
        if f.stopped:
            parts.append(f"Stopped ({dict(rec.stopped).get(f.node, 'stop')}): nothing flows on to its inputs.")
        if f.is_x:
            parts.append(f"{f.node} is one of the xs: this is its final gradient.")
        if self.position == n:
            missing = [f"{x} ({why})" for x, why in rec.unconnected]
            parts.append("Done." + (" No gradient for: " + ", ".join(missing) + "." if missing else ""))
        return " ".join(parts)


def _short(name: str) -> str:
    """``gradients/Square_grad/Mul_1`` → ``Square_grad/Mul_1``: the op's gradient and the node."""
    parts = name.split("/")
    return "/".join(parts[-2:]) if len(parts) >= 2 else name
