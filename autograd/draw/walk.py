"""One pass over a graph for draw_graph: every node once, breadth-first from the outputs.

Breadth-first order puts the nodes nearest the output first, which is what a collapsed drawing
keeps; ``depth`` is each node's distance (in ops) from the nearest output. Nodes are referred to
by their position in ``nodes`` from here on, so the drawing never relies on ``id()`` of an object
that could be freed and reused while it works.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from ..graph import Node


@dataclass
class Walk:
    nodes: list[Node]
    depth: list[int]
    parents: list[tuple[int, ...]]  # positions of each node's inputs, in the op's argument order
    n_roots: int  # the first n_roots nodes are the outputs

    def topological(self) -> list[int]:
        """Positions with every node after all of its inputs (Kahn's algorithm, iterative)."""
        consumers = [0] * len(self.nodes)
        for ps in self.parents:
            for p in ps:
                consumers[p] += 1
        ready = [i for i in range(len(self.nodes)) if consumers[i] == 0]
        order: list[int] = []
        while ready:
            i = ready.pop()
            order.append(i)
            for p in self.parents[i]:
                consumers[p] -= 1
                if consumers[p] == 0:
                    ready.append(p)
        order.reverse()
        return order


def walk(roots: Sequence[Node]) -> Walk:
    """Visit every node reachable from ``roots`` once, without recursion, in linear time."""
    position: dict[int, int] = {}
    nodes: list[Node] = []
    depth: list[int] = []
    for r in roots:
        if id(r) not in position:
            position[id(r)] = len(nodes)
            nodes.append(r)
            depth.append(0)
    n_roots = len(nodes)
    parents: list[tuple[int, ...]] = []
    queue = deque(range(n_roots))
    while queue:
        i = queue.popleft()
        below = depth[i] + 1
        found = []
        for p in nodes[i]._parents:
            j = position.get(id(p))
            if j is None:
                j = position[id(p)] = len(nodes)
                nodes.append(p)
                depth.append(below)
                queue.append(j)
            found.append(j)
        # BFS visits nodes in position order, so parents[i] is appended at index i
        parents.append(tuple(found))
    return Walk(nodes, depth, parents, n_roots)
