"""What the page draws, as JSON-ready data: each node's box (title, op, shape; sized for the
longest text any frame gives it), the edges, the folded boxes, and a layout for each view.

Views: a graph within the node budget has one ("all"). A folded graph has "base" (the nodes
nearest the output, one box per folded region), one view per box with that box unfolded, and
"all"; unfolding two boxes shows "all". Every view is laid out here, in Python (layout.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import style
from ..labels import num
from .layout import layout
from .sites import site
from .structure import Structure
from .text import dtype_of, meta, plain, shape_of

CHAR = 6.7  # width of a character of the page's 11px monospace font
LINE = 14.0
PAD_X, PAD_Y = 8.0, 5.0


@dataclass
class Skeleton:
    """The graph's static part, detached from the nodes (a timeline keeps it, not the graph)."""

    nodes: list[dict[str, Any]]
    edges: list[tuple[int, int, int]]
    groups: list[dict[str, Any]]
    modules: list[str]  # cluster paths; nodes refer to them by index
    levels: list[int]
    kept: int
    group_of: list[int]
    tensor: bool
    kinds: dict[str, str]  # module path -> class name


def skeleton(s: Structure, expressions: list[str] | None = None) -> Skeleton:
    module_index: dict[str, int] = {}
    nodes = []
    for i, node in enumerate(s.nodes):
        op = node.grad_fn
        module = s.modules[i]
        if module is not None and module not in module_index:
            module_index[module] = len(module_index)
        kind = "op" if op is not None else ("leaf" if node.requires_grad else "const")
        if i == 0:
            kind = "out"
        entry: dict[str, Any] = {
            "s": s.syms[i],
            "op": plain(_op_text(node)) if op is not None else "",
            "m": meta(node.data),
            "shape": shape_of(node.data),
            "dtype": dtype_of(node.data),
            "rg": bool(node.requires_grad),
            "kind": kind,
            "mod": module_index[module] if module is not None else -1,
        }
        where = site(node)
        if where:
            entry["site"] = where
        if expressions is not None and expressions[i]:
            entry["x"] = expressions[i]
        nodes.append(entry)
    groups = []
    for group in s.folding.groups:
        title = "folded nodes" if group.module is None else str(group.module)
        kind_name = s.kinds.get(group.module or "")
        if kind_name:
            title += f" ({kind_name})"
        lines = group.describe(
            s.w, {id(n): s.syms[i] for i, n in enumerate(s.nodes) if s.named[i]}, False
        )
        groups.append({"title": title, "lines": lines, "members": list(group.members)})
    return Skeleton(
        nodes=nodes,
        edges=list(s.edges),
        groups=groups,
        modules=list(module_index),
        levels=list(s.levels),
        kept=s.folding.kept,
        group_of=list(s.folding.group_of),
        tensor=s.tensor,
        kinds=dict(s.kinds),
    )


def _op_text(node: Any) -> str:
    op = node.grad_fn
    return str(op.text(node._ctx, num))


def assemble(sk: Skeleton, frames: list[dict[str, Any]], horizontal: bool) -> dict[str, Any]:
    """The page's data: nodes sized for every frame, and each view laid out."""
    for k, node in enumerate(sk.nodes):
        node["nv"] = max(len(f["val"][k]) for f in frames)
        node["ng"] = max((len(f["grad"][k]) for f in frames if f["grad"][k] is not None), default=0)
        if node["rg"]:
            node["ng"] = max(node["ng"], 1)
        texts = [_head(node), node["m"]]
        for f in frames:
            texts += f["val"][k]
            texts += f["grad"][k] or []
        lines = 1 + bool(node["m"]) + node["nv"] + node["ng"]
        node["w"], node["h"] = _box(texts, lines)
    for k, group in enumerate(sk.groups):
        texts = [group["title"], *group["lines"], *(f["group"][k][1] for f in frames)]
        group["w"], group["h"] = _box(texts, 2 + len(group["lines"]))
    views = {}
    if sk.groups:
        views["base"] = _view(sk, None, horizontal)
        for g in range(len(sk.groups)):
            views[f"g{g}"] = _view(sk, g, horizontal)
    views["all"] = _view(sk, -1, horizontal)
    return {
        "nodes": sk.nodes,
        "edges": sk.edges,
        "groups": sk.groups,
        "modules": sk.modules,
        "views": views,
        "horizontal": horizontal,
        "tensor": sk.tensor,
        "frames": frames,
        "legend": _legend(),
    }


def _head(node: dict[str, Any]) -> str:
    return node["s"] + (f"  {node['op']}" if node["op"] else "")


def _box(texts: list[str], lines: int) -> tuple[float, float]:
    width = max((len(t) for t in texts), default=1)
    return round(width * CHAR + 2 * PAD_X, 1), round(lines * LINE + 2 * PAD_Y, 1)


def _view(sk: Skeleton, unfolded: int | None, horizontal: bool) -> dict[str, Any]:
    """The units of one view and their centres: unfolded None (the base view), a group's index
    (that group open), or -1 (everything open)."""
    n = len(sk.nodes)

    def unit(i: int) -> int:
        if i < sk.kept or unfolded == -1:
            return i
        g = sk.group_of[i]
        return i if g == unfolded else -(g + 1)

    units: list[int] = []
    slot: dict[int, int] = {}
    for i in range(n):
        u = unit(i)
        if u not in slot:
            slot[u] = len(units)
            units.append(u)
    rank: list[int] = []
    sizes: list[tuple[float, float]] = []
    for u in units:
        if u >= 0:
            rank.append(sk.levels[u])
            sizes.append((sk.nodes[u]["w"], sk.nodes[u]["h"]))
        else:
            group = sk.groups[-u - 1]
            rank.append(min(sk.levels[i] for i in group["members"]))
            sizes.append((group["w"], group["h"]))
    pairs = {(slot[unit(p)], slot[unit(c)]) for p, c, _ in sk.edges}
    placed = layout(sizes, sorted(pairs), rank, horizontal)
    xy: list[float] = []
    for x, y in zip(placed.x, placed.y):
        xy += [round(x, 1), round(y, 1)]
    bends = {
        f"{units[a]}:{units[b]}": [round(v, 1) for point in points for v in point]
        for (a, b), points in placed.bends.items()
    }
    size = [round(placed.width), round(placed.height)]
    return {"units": units, "xy": xy, "size": size, "bends": bends}


def _legend() -> dict[str, Any]:
    return {
        "fills": list(style.FILLS),
        "labels": [plain(style.bin_label(k)) for k in range(len(style.FILLS))],
        "zero": style.ZERO_FILL,
        "nonfinite": style.NONFINITE_FILL,
        "none": style.NO_GRAD_FILL,
    }
