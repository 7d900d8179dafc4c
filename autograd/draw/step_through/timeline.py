"""Timeline: record a graph at chosen training steps and scrub across them on one page, to watch
weights and gradients change (a ReLU dying, a sigmoid saturating).

``record(loss)`` computes that step's values and gradients at once (with the engine's backward,
leaving ``.grad`` alone; call it before ``backward()`` or after ``backward(retain_graph=True)``)
and keeps their text only, never the graph: what an optimizer changes later does not change a
recorded step. A training loop that does not call ``record`` pays nothing.
"""

from __future__ import annotations

from typing import Any

from ..collapse import check_limits
from . import frame as frames
from .gradients import compute
from .page import Page
from .scene import Skeleton, assemble, skeleton
from .stepper import DEFAULT_MAX_NODES
from .structure import as_root, build


class Timeline(Page):
    """Snapshots of a graph across training, on one page.

    >>> timeline = Timeline(params=model)
    >>> for step in range(100):
    ...     loss = loss_fn(model(x), y)
    ...     if step % 10 == 0:
    ...         timeline.record(loss, label=f"step {step}")
    ...     optimizer.zero_grad(); loss.backward(); optimizer.step()
    >>> timeline.save("training.html")
    """

    def __init__(
        self,
        params: Any = None,
        *,
        max_nodes: int = DEFAULT_MAX_NODES,
        max_elements: int = 6,
        horizontal: bool | None = None,
        title: str = "Training timeline: values and gradients at the recorded steps",
    ) -> None:
        check_limits("Timeline()", max_nodes, max_elements)
        self.params = params
        self.max_nodes = max_nodes
        self.max_elements = max_elements
        self.horizontal = horizontal
        self.title = title
        self._skeletons: list[tuple[tuple[Any, ...], Skeleton]] = []
        self._records: list[tuple[int, dict[str, Any]]] = []  # (skeleton index, frame)

    def record(self, loss: Any, label: str | None = None, params: Any = None) -> None:
        """Snapshot ``loss``'s graph now: every node's value and gradient. ``label``: what the
        page calls this step (default: "record n"); ``params`` overrides the timeline's."""
        root = as_root(loss, "Timeline.record()")
        s = build(
            root, self.params if params is None else params, self.max_nodes, "Timeline.record()"
        )
        g = compute(s)
        label = f"record {len(self._records) + 1}" if label is None else str(label)
        snapshot = frames.frame(s, g, self.max_elements, label)
        signature = s.signature()
        known = [k for k, (seen, _) in enumerate(self._skeletons) if seen == signature]
        if known:
            index = known[0]
        else:
            index = len(self._skeletons)
            self._skeletons.append((signature, skeleton(s)))
        self._records.append((index, snapshot))

    def __len__(self) -> int:
        return len(self._records)

    def __repr__(self) -> str:
        return f"<Timeline: {len(self._records)} recorded steps; .save(path) writes the page>"

    def _data(self) -> dict[str, Any]:
        if not self._records:
            raise ValueError("Timeline: nothing recorded yet; call timeline.record(loss) first")
        # one page shows one graph: the records of the most recent graph shape (a training loop
        # keeps one shape; a different last batch size would make another)
        k = self._records[-1][0]
        shown = [f for i, f in self._records if i == k]
        sk = self._skeletons[k][1]
        horizontal = not sk.tensor if self.horizontal is None else bool(self.horizontal)
        data = assemble(_copy(sk), shown, horizontal)
        data.update(
            mode="timeline",
            groupOf=sk.group_of,
            clusters=callable(getattr(self.params, "named_modules", None)),
            kinds=sk.kinds,
            note=_note(len(shown), len(self._records)),
        )
        return data


def _copy(sk: Skeleton) -> Skeleton:
    """assemble() writes sizes into the node entries: keep the recorded ones clean."""
    return Skeleton(
        nodes=[dict(n) for n in sk.nodes],
        edges=sk.edges,
        groups=[dict(g) for g in sk.groups],
        modules=sk.modules,
        levels=sk.levels,
        kept=sk.kept,
        group_of=sk.group_of,
        tensor=sk.tensor,
        kinds=sk.kinds,
    )


def _note(shown: int, recorded: int) -> str:
    if shown == recorded:
        return ""
    return (
        f"{recorded - shown} of the {recorded} recorded steps had a graph of another shape "
        "(another batch size?) and are not shown."
    )
