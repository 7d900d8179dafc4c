"""A layered (Sugiyama-style) layout in Python, so the step-through page needs no Graphviz.

Units (nodes, or boxes of folded nodes) are given a rank each: inputs at the start of the main
axis, the output at its end. Within a rank they are ordered by barycentric sweeps (a unit goes
where its neighbours are, on average), keeping the order with the fewest crossings; then each
rank is placed along the cross axis by least squares towards its neighbours' centres under the
minimum spacing (pool-adjacent-violators, exact and linear per rank). Everything is iterative
and about linear in the graph's size per sweep: 2,000 units take a fraction of a second.

An edge that skips a few ranks gets a point of its own in each rank it crosses (Sugiyama's
dummy nodes), so it is ordered and placed like a node and bends around the boxes in its way.
Longer edges (a shared constant used at every step of a 1,000-step chain would need half a
million points) are drawn as plain curves, and ordering sees their far end directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

SWEEPS = 4  # pairs of down/up ordering sweeps
PLACEMENT_ROUNDS = 6  # pairs of down/up coordinate sweeps
CROSS_GAP = 18.0  # between neighbours of a rank
MAIN_GAP = {True: 84.0, False: 46.0}  # between ranks: room for edge labels (horizontal or not)
MARGIN = 24.0
MAX_SKIP = 6  # an edge across more ranks than this gets no bend points
BEND_WIDTH = 10.0  # the room a bend point takes in its rank


@dataclass
class Placed:
    x: list[float]  # centres
    y: list[float]
    width: float  # of the whole drawing, margins included
    height: float
    bends: dict[tuple[int, int], list[tuple[float, float]]]  # edge -> points it passes through


def layout(
    sizes: Sequence[tuple[float, float]],
    edges: Sequence[tuple[int, int]],
    rank: Sequence[int],
    horizontal: bool,
) -> Placed:
    """Centres for units of the given ``(width, height)``; ``edges`` run from an input to its
    consumer; ``rank``: larger ranks are nearer the inputs (a unit's longest path to the output,
    say). ``horizontal``: inputs on the left and the output on the right, else top to bottom."""
    n = len(sizes)
    if n == 0:
        return Placed([], [], 2 * MARGIN, 2 * MARGIN, {})
    # compress the ranks in use to 0..R-1, rank 0 holding the inputs
    used = sorted(set(rank), reverse=True)
    index = {r: k for k, r in enumerate(used)}
    layer_of = [index[r] for r in rank]
    main = [(w if horizontal else h) for w, h in sizes]
    cross = [(h if horizontal else w) for w, h in sizes]
    chains: dict[tuple[int, int], list[int]] = {}  # a long edge -> its bend points (dummy units)
    links: set[tuple[int, int]] = set()
    budget = max(200, n)
    for a, b in sorted(set(edges)):
        la, lb = layer_of[a], layer_of[b]
        if a == b or la == lb:
            continue
        lo, hi = (a, b) if la < lb else (b, a)
        span = abs(lb - la)
        if 1 < span <= MAX_SKIP and budget >= span - 1:
            budget -= span - 1
            chain = []
            for layer in range(layer_of[lo] + 1, layer_of[hi]):
                chain.append(len(layer_of))
                layer_of.append(layer)
                main.append(0.0)
                cross.append(BEND_WIDTH)
            chains[(a, b)] = chain if lo == a else chain[::-1]
            path = [lo, *chain, hi]
            links.update(zip(path, path[1:]))
        else:
            links.add((lo, hi))
    total = len(layer_of)
    layers: list[list[int]] = [[] for _ in used]
    for u in range(total):
        layers[layer_of[u]].append(u)
    ins: list[list[int]] = [[] for _ in range(total)]  # neighbours in earlier layers
    outs: list[list[int]] = [[] for _ in range(total)]  # neighbours in later layers
    for lo, hi in links:
        outs[lo].append(hi)
        ins[hi].append(lo)
    _order(layers, ins, outs)
    centre = _place(layers, ins, outs, cross)
    # main axis: each layer as thick as its thickest unit
    position = [0.0] * total
    at = MARGIN
    for units in layers:
        thick = max(main[u] for u in units)
        for u in units:
            position[u] = at + thick / 2
        at += thick + MAIN_GAP[horizontal]
    extent = at - MAIN_GAP[horizontal] + MARGIN
    low = min(centre[u] - cross[u] / 2 for u in range(total))
    high = max(centre[u] + cross[u] / 2 for u in range(total))
    shifted = [c - low + MARGIN for c in centre]
    breadth = high - low + 2 * MARGIN
    xs, ys = (position, shifted) if horizontal else (shifted, position)
    bends = {edge: [(xs[d], ys[d]) for d in chain] for edge, chain in chains.items()}
    if horizontal:
        return Placed(position[:n], shifted[:n], extent, breadth, bends)
    return Placed(shifted[:n], position[:n], breadth, extent, bends)


def _order(layers: list[list[int]], ins: list[list[int]], outs: list[list[int]]) -> None:
    """Barycentric sweeps, in place; keeps the best order seen (fewest crossings)."""
    pos = [0.0] * sum(len(layer) for layer in layers)
    layer_of = {u: k for k, layer in enumerate(layers) for u in layer}
    between: dict[tuple[int, int], list[tuple[int, int]]] = {}  # edges by the layers they join
    for a, targets in enumerate(outs):
        for t in targets:
            between.setdefault((layer_of[a], layer_of[t]), []).append((a, t))
    groups = [edges for edges in between.values() if len(edges) > 1]

    def number(layer: list[int]) -> None:
        scale = 1.0 / len(layer)
        for k, u in enumerate(layer):
            pos[u] = (k + 0.5) * scale

    for layer in layers:
        number(layer)
    best = [list(layer) for layer in layers]
    best_crossings = _crossings(groups, pos)
    for _ in range(SWEEPS):
        if best_crossings == 0:
            break
        for neighbours, sequence in ((ins, layers), (outs, layers[::-1])):
            for layer in sequence:
                keyed = []
                for k, u in enumerate(layer):
                    near = neighbours[u]
                    key = sum(pos[v] for v in near) / len(near) if near else pos[u]
                    keyed.append((key, k, u))
                keyed.sort()
                layer[:] = [u for _, _, u in keyed]
                number(layer)
            crossings = _crossings(groups, pos)
            if crossings < best_crossings:
                best_crossings = crossings
                best = [list(layer) for layer in layers]
    for layer, kept in zip(layers, best):
        layer[:] = kept


def _crossings(groups: list[list[tuple[int, int]]], pos: list[float]) -> int:
    """Crossings among edges that join the same pair of layers (inversions, counted by a
    Fenwick tree: E log E)."""
    total = 0
    for edges in groups:
        pairs = sorted((pos[a], pos[t]) for a, t in edges)
        ends = sorted({far for _, far in pairs})
        rank = {far: k + 1 for k, far in enumerate(ends)}
        size = len(ends)
        tree = [0] * (size + 1)
        for seen, (_, far) in enumerate(pairs):
            # earlier edges (nearer start) whose far end lies strictly beyond this one's
            r = rank[far]
            below, i = 0, r
            while i > 0:
                below += tree[i]
                i -= i & -i
            total += seen - below
            i = r
            while i <= size:
                tree[i] += 1
                i += i & -i
    return total


def _place(
    layers: list[list[int]], ins: list[list[int]], outs: list[list[int]], cross: list[float]
) -> list[float]:
    """Cross-axis centres: every rank packed, then pulled towards its neighbours' centres."""
    centre = [0.0] * len(cross)
    for layer in layers:
        at = 0.0
        for u in layer:
            centre[u] = at + cross[u] / 2
            at += cross[u] + CROSS_GAP
        shift = (at - CROSS_GAP) / 2
        for u in layer:
            centre[u] -= shift
    for _ in range(PLACEMENT_ROUNDS):
        for down in (True, False):
            for layer in layers if down else layers[::-1]:
                want = []
                for u in layer:
                    near = ins[u] if down else outs[u]
                    if not near:
                        near = outs[u] if down else ins[u]
                    want.append(sum(centre[v] for v in near) / len(near) if near else centre[u])
                for u, c in zip(layer, _closest_spaced(want, [cross[u] for u in layer])):
                    centre[u] = c
    return centre


def _closest_spaced(want: list[float], sizes: list[float]) -> list[float]:
    """Positions x_0 < x_1 < ... as close as possible to ``want`` (least squares) with
    x_{i+1} - x_i >= (size_i + size_{i+1}) / 2 + CROSS_GAP: substituting y_i = x_i - offset_i
    turns this into isotonic regression, solved by pooling adjacent violators."""
    offsets = [0.0] * len(want)
    for i in range(1, len(want)):
        offsets[i] = offsets[i - 1] + (sizes[i - 1] + sizes[i]) / 2 + CROSS_GAP
    blocks: list[list[float]] = []  # [mean, weight, count]
    for w, o in zip(want, offsets):
        blocks.append([w - o, 1.0, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean, weight, count = blocks.pop()
            prev = blocks[-1]
            total = prev[1] + weight
            prev[0] = (prev[0] * prev[1] + mean * weight) / total
            prev[1] = total
            prev[2] += count
    out = []
    for mean, _, count in blocks:
        out.extend([mean] * int(count))
    return [y + o for y, o in zip(out, offsets)]
