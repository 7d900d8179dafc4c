"""``einsum``: sums of products over named dims, with its gradient and second derivatives.

The equation is first made explicit: ``...`` becomes letters of its own (right-aligned across
operands, as broadcasting does) and an implicit output becomes the letters that appear once,
in alphabetical order, after the ``...`` dims (PyTorch's rule). The gradient of an operand is
itself an einsum, of the output's gradient and the other operands, so it is differentiable
again; a letter only that operand had is broadcast back, a letter it repeats (``ii``) puts the
gradient on the diagonal, and a dim of size 1 that was broadcast is summed back.
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np

from ..op import Op, check, real
from ..tensor import Tensor, as_tensor, make
from .common import on_tensors, product_dtype, unbroadcast

_LETTERS = string.ascii_uppercase + string.ascii_lowercase


def _from_sublists(args: tuple[Any, ...]) -> tuple[str, list[Any]]:
    """``einsum(a, [0, 1], b, [1, 2], [0, 2])`` (PyTorch's sublist form) as an equation."""

    def letters(sub: Any) -> str:
        out = []
        for s in sub:
            if s is Ellipsis:
                out.append("...")
            elif isinstance(s, (int, np.integer)) and 0 <= s < 52:
                out.append(_LETTERS[int(s)])
            else:
                raise ValueError(
                    f"einsum(): sublist entries must be integers in [0, 52) or ..., got {s!r}"
                )
        return "".join(out)

    operands, subs = list(args[0::2]), [letters(s) for s in args[1::2]]
    if len(args) % 2:  # an output sublist at the end
        return ",".join(subs[: len(operands) - 1]) + "->" + letters(args[-1]), operands[:-1]
    return ",".join(subs), operands


def _parse(equation: str, shapes: list[tuple[int, ...]]) -> tuple[list[str], str]:
    """The operands' subscripts and the output's, with ``...`` replaced by letters."""
    eq = equation.replace(" ", "")
    if "->" in eq:
        left, out = eq.split("->", 1)
        if "->" in out:
            raise ValueError(f"einsum(): {equation!r} has more than one '->'")
    else:
        left, out = eq, None
    subs = left.split(",")
    if len(subs) != len(shapes):
        raise ValueError(
            f"einsum(): {equation!r} names {len(subs)} operands but {len(shapes)} were given"
        )
    for s in subs + ([out] if out is not None else []):
        bad = set(s.replace("...", "")) - set(_LETTERS)
        if bad or s.count("...") > 1 or "." in s.replace("...", ""):
            raise ValueError(
                f"einsum(): invalid subscripts {s!r} in {equation!r} (letters and one '...')"
            )
    used = set(eq)
    spare = [c for c in _LETTERS if c not in used]
    widths = []
    for s, shape in zip(subs, shapes):
        named = len(s.replace("...", ""))
        width = len(shape) - named if "..." in s else 0
        if width < 0 or ("..." not in s and named != len(shape)):
            raise ValueError(
                f"einsum(): subscripts {s!r} do not fit an operand of shape {tuple(shape)} "
                f"({len(shape)} dims)"
            )
        widths.append(width)
    span = max(widths, default=0)
    dots = "".join(spare[:span])
    subs = [s.replace("...", dots[span - w :]) for s, w in zip(subs, widths)]
    if out is None:
        counts = "".join(subs)
        out = dots + "".join(
            sorted(c for c in set(counts) if counts.count(c) == 1 and c not in dots)
        )
    else:
        out = out.replace("...", dots)
        if len(set(out)) != len(out):
            raise ValueError(f"einsum(): the output subscripts {out!r} repeat a letter")
        missing = set(out) - set("".join(subs))
        if missing:
            raise ValueError(f"einsum(): output letters {sorted(missing)} appear in no operand")
    return subs, out


def _sizes(subs: list[str], shapes: list[tuple[int, ...]], equation: str) -> dict[str, int]:
    """Each letter's size; dims of size 1 broadcast against the others."""
    sizes: dict[str, int] = {}
    for s, shape in zip(subs, shapes):
        for c, n in zip(s, shape):
            old = sizes.get(c, 1)
            if n != 1 and old != 1 and n != old:
                raise ValueError(
                    f"einsum(): letter {c!r} of {equation!r} has sizes {old} and {n}, which "
                    "do not match"
                )
            sizes[c] = max(old, n) if n != 1 or old != 1 else 1
    return sizes


def _contract(spec: str, arrays: list[Any]) -> Any:
    """np.einsum on data, or the einsum op on tensors (nodes)."""
    if isinstance(arrays[0], Tensor) or any(isinstance(a, Tensor) for a in arrays):
        return einsum(spec, *arrays)
    big = sum(np.size(a) for a in arrays) > 4096  # BLAS for large contractions
    return np.einsum(spec, *arrays, optimize=big)


@on_tensors
def _einsum_rule(ctx: Any, g: Tensor, out: Tensor, *xs: Tensor) -> tuple[Any, ...]:
    from .indexing import index_add
    from .shape import broadcast_to

    subs, out_sub, sizes = ctx
    grads: list[Any] = []
    for k, (s, x) in enumerate(zip(subs, xs)):
        if x.dtype.kind != "f":
            grads.append(None)
            continue
        unique = "".join(dict.fromkeys(s))
        others = [j for j in range(len(xs)) if j != k]
        seen = set(out_sub).union(*(subs[j] for j in others))
        kept = "".join(c for c in unique if c in seen)
        spec = ",".join([out_sub] + [subs[j] for j in others]) + "->" + kept
        part = einsum(spec, g, *(xs[j] for j in others))
        # letters summed in this operand alone (or of size 1 everywhere else): the gradient
        # is the same all along them
        part = part.reshape(tuple(part.shape[kept.index(c)] if c in kept else 1 for c in unique))
        whole = tuple(sizes[c] for c in unique)
        if part.shape != whole:
            part = broadcast_to(part, whole)
        full = tuple(sizes[c] for c in s)
        if len(unique) != len(s):  # a repeated letter: the gradient lives on the diagonal
            grid = [np.arange(sizes[c]).reshape([-1 if u == c else 1 for u in unique]) for c in s]
            part = index_add(part, tuple(grid), full, part.dtype)
        grads.append(unbroadcast(part, x.shape, x.dtype))
    return tuple(grads)


EINSUM = Op(
    "einsum",
    _einsum_rule,
    saves="all",
    factors=lambda k, ctx: f"einsum of g and the other operands -> {ctx[0][k]}",
    label=lambda ctx: "einsum(" + ",".join(ctx[0]) + "->" + ctx[1] + ")",
    checks=[
        check(lambda t, a, b: t.einsum("ij,jk->ik", a, b), real(3, 4), real(4, 2)),
        check(lambda t, a, b: t.einsum("bij,bjk", a, b), real(2, 3, 4), real(2, 4, 5)),
        check(lambda t, a: t.einsum("ii", a), real(3, 3)),
        check(lambda t, a: t.einsum("ii->i", a), real(4, 4)),
        check(lambda t, a: t.einsum("ij->", a), real(2, 3)),
        check(lambda t, a: t.einsum("ij->ji", a), real(2, 3)),
        check(lambda t, a, b: t.einsum("i,j->ij", a, b), real(3), real(4)),
        check(
            lambda t, a, b, c: t.einsum("ij,jk,kl->il", a, b, c), real(2, 3), real(3, 4), real(4, 2)
        ),
        check(
            lambda t, a, b: t.einsum("...ij,...jk->...ik", a, b), real(2, 1, 3, 4), real(5, 4, 2)
        ),
        check(lambda t, a, b: t.einsum("ij,ij->ij", a, b), real(1, 3), real(2, 3)),
        check(lambda t, a, b: t.einsum("ij,j->i", a, b), real(2, 3), real(1)),
        check(lambda t, a, b: t.einsum("iij,k->jk", a, b), real(3, 3, 2), real(2)),
        check(lambda t, a, b: t.einsum("bi , bj", [a, b]), real(2, 3), real(2, 4)),
        check(lambda t, a, b: t.einsum(a, [0, 1], b, [1, 2], [0, 2]), real(2, 3), real(3, 4)),
    ],
)


def einsum(equation: Any, *operands: Any) -> Tensor:
    """Sums of products of the operands' elements over the letters of ``equation`` (as
    ``torch.einsum``; operands also as one list, or in the sublist form)."""
    if not isinstance(equation, str):
        equation, ops = _from_sublists((equation,) + operands)
    else:
        ops = (
            list(operands[0])
            if len(operands) == 1 and isinstance(operands[0], (list, tuple))
            else list(operands)
        )
    if not ops:
        raise ValueError("einsum(): no operands given")
    xs = [as_tensor(o, "einsum") for o in ops]
    common = product_dtype("einsum()", *[x.data for x in xs])
    data = [x.data.astype(common, copy=False) for x in xs]
    subs, out = _parse(equation, [x.shape for x in xs])
    sizes = _sizes(subs, [x.shape for x in xs], equation)
    spec = ",".join(subs) + "->" + out
    result = np.asarray(_contract(spec, data), dtype=common)
    return make(result, tuple(xs), EINSUM, (subs, out, sizes))
