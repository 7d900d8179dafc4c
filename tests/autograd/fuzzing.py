"""Random programs over dagrad's ops, written once as Python text that runs on dagrad and on
PyTorch alike (``t`` is the library), for the differential fuzzer in test_fuzz.py.

A program is a list of lines ``v3 = (v1 * v2).sum(dim=(0,), keepdim=True)`` over leaves drawn with
shapes from 0-d to 3-d (with size-1 dims, so broadcasting happens), reusing earlier values
(shared subexpressions and reused leaves), constants, integer-array and boolean-mask indexing,
reductions over dim tuples and negative dims, and every unary op the engine declares (new ops
join as they land). Hypothesis draws and shrinks programs, and a failing one prints as the code
itself. In ``safe`` mode each op's input is mapped into the op's declared domain; in ``edge``
mode leaves hold zeros, ties, huge, tiny, negative, NaN and inf values and nothing is mapped.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import strategies as st

from autograd.op import REGISTRY
from autograd.ops.unary import Unary

SHAPES = [(), (1,), (3,), (2, 3), (1, 3), (2, 1), (3, 1, 2), (2, 3, 2)]
# (no -0.0: which of two tied zeros a max or a sort returns is an implementation detail, and the
# sign of a zero shows up only as the sign of an infinity, 1/x or log(x), further on)
EDGE_VALUES = [
    0.0,
    1.0,
    -1.0,
    2.0,
    0.5,
    1e-300,
    -1e-300,
    1e300,
    -1e300,
    np.nan,
    np.inf,
    -np.inf,
]


def unary_ops(value_only: bool = False) -> list[Unary]:
    """Every declared unary op that a Tensor (and, for ``value_only``, a Value) has as a method."""
    import autograd

    found = []
    for op in REGISTRY:
        if not isinstance(op, Unary) or not op.checks:
            continue
        if not hasattr(autograd.Tensor, op.name):
            continue
        if value_only and not (
            hasattr(autograd.Value, op.name) and any(c.value for c in op.checks)
        ):
            continue
        if op.checks[0].order == 0 or all(c.order < 1 for c in op.checks):
            continue  # flat ops (floor, sign): their gradient is 0 everywhere, dull to fuzz
        found.append(op)
    return found


def _squash(op: Unary, a: str) -> str:
    """``a`` mapped into ``op``'s declared domain (from its first check's first input)."""
    arg = op.checks[0].args[0]
    half, mid = (arg.high - arg.low) / 2.0, (arg.high + arg.low) / 2.0
    text = f"{a}.tanh() * {half!r}"
    return f"({text} + {mid!r})" if mid else f"({text})"


@dataclass(repr=False)
class Program:
    leaves: list[tuple[tuple[int, ...], np.ndarray]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    shapes: list[tuple[int, ...]] = field(default_factory=list)  # of every value v0, v1, ...
    scalar: bool = False  # a Value program: Value's ops only

    def code(self) -> str:
        head = ["DT = t.float64  # the programs' float dtype (float32 in the float32 test)"] + [
            f"v{i} = t.tensor({data.tolist()!r}, dtype=DT, requires_grad=True)"
            for i, (_, data) in enumerate(self.leaves)
        ]
        return "\n".join(head + self.lines)

    def __repr__(self) -> str:
        return "\n" + self.code() + "\n"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # what hypothesis prints
        printer.text(repr(self))

    @property
    def out(self) -> str:
        return f"v{len(self.shapes) - 1}"

    def run(self, lib: Any, dtype: Any = None) -> tuple[list[Any], Any]:
        """Execute on ``lib``: the leaves (requiring grad) and the last value."""
        dtype = dtype or lib.float64
        env: dict[str, Any] = {"t": lib, "op": declared_call, "DT": dtype}
        leaves = []
        for i, (_, data) in enumerate(self.leaves):
            env[f"v{i}"] = lib.tensor(data, dtype=dtype, requires_grad=True)
            leaves.append(env[f"v{i}"])
        exec("\n".join(self.lines), env)  # noqa: S102 - our own generated test program
        return leaves, env[self.out]


def _broadcasts(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...] | None:
    try:
        return tuple(np.broadcast_shapes(a, b))
    except ValueError:
        return None


@st.composite
def leaf_data(draw: Any, shape: tuple[int, ...], edge: bool) -> np.ndarray:
    size = int(np.prod(shape))
    if edge:
        values = draw(st.lists(st.sampled_from(EDGE_VALUES), min_size=size, max_size=size))
    else:
        values = draw(
            st.lists(
                st.floats(-2.0, 2.0, allow_nan=False).map(lambda v: round(v, 3)),
                min_size=size,
                max_size=size,
            )
        )
    return np.array(values, dtype=np.float64).reshape(shape)


@st.composite
def programs(
    draw: Any, edge: bool = False, max_steps: int = 6, value_only: bool = False
) -> Program:
    """A random program ending in one value (for ``value_only``: scalar Value programs)."""
    prog = Program(scalar=value_only)
    n_leaves = draw(st.integers(1, 3))
    for _ in range(n_leaves):
        shape = () if value_only else draw(st.sampled_from(SHAPES))
        prog.leaves.append((shape, draw(leaf_data(shape, edge))))
        prog.shapes.append(shape)
    unaries = unary_ops(value_only)
    kinds = ["unary", "binary", "number"]
    if not value_only:
        kinds += ["reduce", "shape", "index", "choose", "declared", "declared"]
        # not at edge values: BLAS may fuse a multiply and an add (inf instead of inf - inf = nan),
        # so PyTorch's kernels and NumPy's differ there (a difference the README lists)
        kinds += [] if edge else ["matmul"]
    for _ in range(draw(st.integers(1, max_steps))):
        kind = draw(st.sampled_from(kinds))
        step = _STEPS[kind](draw, prog, unaries, edge)
        if step is None:
            continue
        line, shape = step
        prog.lines.append(f"v{len(prog.shapes)} = {line}")
        prog.shapes.append(shape)
    if not prog.lines:
        prog.lines.append(f"v{len(prog.shapes)} = v0 * 1.5")
        prog.shapes.append(prog.shapes[0])
    return prog


def _pick(draw: Any, prog: Program) -> int:
    """An earlier value, recent ones more often (long chains), old ones too (reuse)."""
    n = len(prog.shapes)
    recent = draw(st.booleans())
    return n - 1 - draw(st.integers(0, min(2, n - 1))) if recent else draw(st.integers(0, n - 1))


def _unary(
    draw: Any, prog: Program, unaries: list[Unary], edge: bool
) -> tuple[str, tuple[int, ...]] | None:
    i = _pick(draw, prog)
    op = draw(st.sampled_from(unaries))
    a = f"v{i}" if edge else _squash(op, f"v{i}")
    return f"{a}.{op.name}()", prog.shapes[i]


def _binary(
    draw: Any, prog: Program, unaries: list[Unary], edge: bool
) -> tuple[str, tuple[int, ...]] | None:
    i = _pick(draw, prog)
    j = draw(st.integers(0, len(prog.shapes) - 1))
    shape = _broadcasts(prog.shapes[i], prog.shapes[j])
    if shape is None:
        return None
    a, b = f"v{i}", f"v{j}"
    symbols = ["+", "-", "*", "/", "**"] + ([] if prog.scalar else ["maximum", "minimum"])
    symbol = draw(st.sampled_from(symbols))
    if symbol in ("maximum", "minimum"):
        return f"t.{symbol}({a}, {b})", shape
    if not edge and symbol == "/":
        b = f"({b} * {b} + 0.5)"
    if not edge and symbol == "**":
        a, b = f"({a}.abs() + 0.5)", f"{b}.tanh()"
    return f"{a} {symbol} {b}", shape


NUMBER_LINES = [
    "{a} * 2.5",
    "{a} + 0.5",
    "1.5 - {a}",
    "{a} / 3.0",
    "{a} ** 2",
    "{a} ** 3",
    "-{a}",
    "{a} - 0.25",
    "2.0 * {a}",
    "{a} / -0.1",
]
SAFE_NUMBER_LINES = [
    "2.0 / ({a} * {a} + 0.5)",
    "({a}.abs() + 0.5) ** 0.5",
    "2.0 ** {a}.tanh()",
    "({a}.abs() + 0.5) ** -1.5",
]
EDGE_NUMBER_LINES = [
    "2.0 / {a}",
    "{a} ** 0.5",
    "2.0 ** {a}",
    "{a} ** 0.0",
    "0.0 ** {a}",
    "{a} ** -1.5",
]


def _number(
    draw: Any, prog: Program, unaries: list[Unary], edge: bool
) -> tuple[str, tuple[int, ...]] | None:
    i = _pick(draw, prog)
    line = draw(st.sampled_from(NUMBER_LINES + (EDGE_NUMBER_LINES if edge else SAFE_NUMBER_LINES)))
    return line.format(a=f"v{i}"), prog.shapes[i]


def _dims(draw: Any, ndim: int) -> tuple[int, ...]:
    if ndim == 0:
        return (draw(st.sampled_from([0, -1])),)
    chosen = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    return tuple(d - ndim if draw(st.booleans()) else d for d in chosen)


def _reduce(
    draw: Any, prog: Program, unaries: list[Unary], edge: bool
) -> tuple[str, tuple[int, ...]] | None:
    i = _pick(draw, prog)
    shape = prog.shapes[i]
    ndim = len(shape)
    a = f"v{i}"
    how = draw(
        st.sampled_from(
            ["sum", "mean", "amax", "amin", "logsumexp", "max_dim", "softmax", "log_softmax", "all"]
        )
    )
    if how == "all":
        fn = draw(st.sampled_from(["sum", "mean", "max", "min"]))
        return f"{a}.{fn}()", ()
    dims = _dims(draw, ndim)
    norm = {d % max(ndim, 1) for d in dims}
    keep = draw(st.booleans())
    if how in ("softmax", "log_softmax"):
        return f"{a}.{how}(dim={dims[0]})", shape
    if how == "max_dim":
        if ndim and shape[dims[0] % ndim] == 0:
            return None
        reduced = _reduced(shape, {dims[0] % max(ndim, 1)}, keep)
        fn = draw(st.sampled_from(["max", "min"]))
        return f"{a}.{fn}(dim={dims[0]}, keepdim={keep}).values", reduced
    return f"{a}.{how}(dim={dims!r}, keepdim={keep})", _reduced(shape, norm, keep)


def _reduced(shape: tuple[int, ...], dims: set[int], keep: bool) -> tuple[int, ...]:
    if not shape:
        return ()
    return tuple(1 if i in dims else n for i, n in enumerate(shape) if keep or i not in dims)


def _shape(
    draw: Any, prog: Program, unaries: list[Unary], edge: bool
) -> tuple[str, tuple[int, ...]] | None:
    i = _pick(draw, prog)
    shape, a = prog.shapes[i], f"v{i}"
    ndim = len(shape)
    how = draw(
        st.sampled_from(
            ["reshape", "unsqueeze", "squeeze", "transpose", "permute", "expand", "flatten"]
        )
    )
    if how == "reshape":
        return f"{a}.reshape(-1)", (int(np.prod(shape)),)
    if how == "flatten":
        return f"{a}.flatten()", (int(np.prod(shape)),)
    if how == "unsqueeze":
        d = draw(st.integers(-ndim - 1, ndim))
        pos = d % (ndim + 1)
        return f"{a}.unsqueeze({d})", shape[:pos] + (1,) + shape[pos:]
    if how == "squeeze":
        return f"{a}.squeeze()", tuple(n for n in shape if n != 1)
    if ndim < 2:
        return None
    if how == "transpose":
        d0, d1 = draw(st.integers(0, ndim - 1)), draw(st.integers(-ndim, -1))
        perm = list(range(ndim))
        perm[d0], perm[d1 % ndim] = perm[d1 % ndim], perm[d0]
        return f"{a}.transpose({d0}, {d1})", tuple(shape[p] for p in perm)
    if how == "permute":
        perm = draw(st.permutations(range(ndim)))
        return f"{a}.permute{tuple(perm)!r}", tuple(shape[p] for p in perm)
    target = tuple(3 if n == 1 else n for n in shape)
    return f"{a}.expand{target!r}", target


def _index(
    draw: Any, prog: Program, unaries: list[Unary], edge: bool
) -> tuple[str, tuple[int, ...]] | None:
    i = _pick(draw, prog)
    shape, a = prog.shapes[i], f"v{i}"
    if not shape or shape[0] == 0:
        return None
    how = draw(st.sampled_from(["ints", "mask", "slice", "int"]))
    if how == "ints":
        idx = draw(st.lists(st.integers(0, shape[0] - 1), min_size=1, max_size=4))
        return f"{a}[t.tensor({idx!r})]", (len(idx),) + shape[1:]
    if how == "mask":
        flat = draw(
            st.lists(st.booleans(), min_size=int(np.prod(shape)), max_size=int(np.prod(shape)))
        )
        mask = np.array(flat).reshape(shape).tolist()
        return f"{a}[t.tensor({mask!r})]", (sum(flat),)
    if how == "int":
        k = draw(st.integers(-shape[0], shape[0] - 1))
        return f"{a}[{k}]", shape[1:]
    start = draw(st.integers(0, shape[0] - 1))
    return f"{a}[{start}:]", (shape[0] - start,) + shape[1:]


def _choose(
    draw: Any, prog: Program, unaries: list[Unary], edge: bool
) -> tuple[str, tuple[int, ...]] | None:
    i, j = _pick(draw, prog), draw(st.integers(0, len(prog.shapes) - 1))
    shape = _broadcasts(prog.shapes[i], prog.shapes[j])
    if shape is None:
        return None
    a, b = f"v{i}", f"v{j}"
    how = draw(st.sampled_from(["where", "clamp", "cat", "stack"]))
    if how == "where":
        return f"t.where({a} > {b}, {a}, {b})", shape
    if how == "clamp":
        return f"{a}.clamp(-0.5, 0.75)", prog.shapes[i]
    if prog.shapes[i] != prog.shapes[j] or not prog.shapes[i]:
        return None
    if how == "cat":
        return f"t.cat([{a}, {b}], dim=-1)", prog.shapes[i][:-1] + (2 * prog.shapes[i][-1],)
    return f"t.stack([{a}, {b}], dim=0)", (2,) + prog.shapes[i]


def _matmul(
    draw: Any, prog: Program, unaries: list[Unary], edge: bool
) -> tuple[str, tuple[int, ...]] | None:
    pairs = [
        (i, j)
        for i, j in itertools.product(range(len(prog.shapes)), repeat=2)
        if prog.shapes[i]
        and prog.shapes[j]
        and prog.shapes[i][-1] == prog.shapes[j][0]
        and len(prog.shapes[j]) <= 2
    ]
    if not pairs:
        return None
    i, j = draw(st.sampled_from(pairs))
    a, b = prog.shapes[i], prog.shapes[j]
    shape = a[:-1] + b[1:]
    return f"v{i} @ v{j}", shape


# --- every other declared op, through its own checks -----------------------------------------


@dataclass(frozen=True)
class Declared:
    """A check of a registered op whose first input is differentiable: the fuzzer feeds it an
    earlier value reshaped to the check's shape, with the other inputs drawn once as constants."""

    name: str  # "cumsum#1": the op and the check's position
    check: Any
    out_shape: tuple[int, ...]


def declared_checks() -> list[Declared]:
    """Every check (but unary ops', whose step is above) that the fuzzer can run: Tensor checks of
    differentiable ops whose first input is a float, with a float first output."""
    global _DECLARED
    if _DECLARED is not None:
        return _DECLARED
    import autograd
    from tests.autograd.opcases import DAGRAD, as_dagrad, draw

    found = []
    for op in REGISTRY:
        if isinstance(op, Unary):
            continue
        for i, c in enumerate(op.checks):
            if not c.tensor or c.order < 1 or c.reference is not None or not c.args:
                continue
            if c.args[0].kind != "float" or not c.args[0].grad:
                continue
            rng = np.random.default_rng(0)
            try:
                result = c.call(DAGRAD, *as_dagrad([draw(a, rng) for a in c.args], c.args))
            except Exception:  # noqa: BLE001 - a check that needs more than its inputs: skip it
                continue
            out = result[0] if isinstance(result, (tuple, list)) else result
            if isinstance(out, autograd.Tensor) and out.dtype.kind == "f" and out.requires_grad:
                found.append(Declared(f"{op.name}#{i}", c, tuple(out.shape)))
    _DECLARED = found
    return found


_DECLARED: list[Declared] | None = None
_BY_NAME: dict[str, Declared] = {}


def declared_call(name: str, lib: Any, *inputs: Any) -> Any:
    """Run check ``name`` on ``lib`` (the program's text names it, the namespace finds it)."""
    import autograd
    from tests.autograd.opcases import DAGRAD

    if not _BY_NAME:
        _BY_NAME.update({d.name: d for d in declared_checks()})
    result = _BY_NAME[name].check.call(DAGRAD if lib is autograd else lib, *inputs)
    return result[0] if isinstance(result, (tuple, list)) else result


def _literal(arg: Any, rng: np.random.Generator) -> str:
    from tests.autograd.opcases import draw

    data = draw(arg, rng)
    dtype = {"index": "t.int64", "int": "t.int64", "mask": "t.bool"}.get(arg.kind, "DT")
    return f"t.tensor({data.tolist()!r}, dtype={dtype})"  # floats in the program's dtype


# Ops whose NaN/inf placement at edge values deliberately differs from PyTorch's (README,
# "Semantics worth knowing"): they are fuzzed in safe domains only.
EDGE_DIFFERENCES = {
    "@": "BLAS may fuse a multiply and an add: inf where PyTorch's kernel gives inf - inf = nan",
    "einsum": "computed by the same BLAS products as @",
    "conv": "BLAS products summed in another order: at ±1e300 the last bits differ, which sin or "
    "cos of the result magnify into different numbers",
    "conv_transpose": "the same BLAS products as conv",
    "linear": "the same BLAS products as @",
    "cross_entropy": "one fused node: an infinite upstream gradient gives ±inf where PyTorch's two "
    "nodes (log_softmax, nll_loss) give nan",
    "nan_to_num": "its checks make their own infinities",
    "cumprod": "exclusive products from both ends: where zeros meet infinities the NaNs fall "
    "elsewhere than in PyTorch's formula",
    "prod": "the same exclusive products (second derivatives)",
    "norm": "second derivatives at zeros and infinities",
    "max_pool": "second derivatives where a window holds NaN",
    "avg_pool": "second derivatives at NaN inputs (PyTorch's double backward gives NaN, dagrad "
    "the derivative of the linear pooling, e.g. 4 for d2/dx2 of 2 avg(x**2))",
    "resample": "interpolation weights applied in another order: inf - inf at other places",
}


# nan_to_num's default replacements are the largest floats: a product of two overflows, and the
# infinite gradient meets nan_to_num's rule, which selects (0) where PyTorch's multiplies (NaN)
MAKES_INFINITIES = {"nan_to_num#0"}


def _declared(
    draw: Any, prog: Program, unaries: list[Unary], edge: bool
) -> tuple[str, tuple[int, ...]] | None:
    choices = declared_checks()
    if edge:
        choices = [d for d in choices if d.name.split("#")[0] not in EDGE_DIFFERENCES]
    else:  # checks that make infinities of their own belong with the edge values
        choices = [d for d in choices if d.name not in MAKES_INFINITIES]
    if not choices:
        return None
    d = draw(st.sampled_from(choices))
    i = _pick(draw, prog)
    shape = d.check.args[0].shape
    n, have = int(np.prod(shape)), int(np.prod(prog.shapes[i]))
    if n == 0 or have == 0:
        return None
    k = -(-n // have)
    x = f"v{i}.reshape(-1).repeat({k})[:{n}].reshape({shape!r})"
    arg = d.check.args[0]
    if not edge:  # into the op's declared domain; apart from each other where ties matter
        half, mid = (arg.high - arg.low) / 2.0, (arg.high + arg.low) / 2.0
        if arg.distinct:
            step = (arg.high - arg.low) / max(n - 1, 1)
            grid = np.linspace(arg.low, arg.high, n).tolist()  # a literal: torch.linspace and
            # NumPy's can differ in the last bit, and then the two libraries get other inputs
            spread = f"t.tensor({grid!r}, dtype=DT).reshape({shape!r})"
            x = f"({x}.tanh() * {0.3 * step!r} + {spread})"
        else:
            x = f"({x}.tanh() * {half!r} + {mid!r})"
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    rest = [_literal(a, rng) for a in d.check.args[1:]]
    return f"op({d.name!r}, t, {', '.join([x, *rest])})", d.out_shape


_STEPS = {
    "declared": _declared,
    "unary": _unary,
    "binary": _binary,
    "number": _number,
    "reduce": _reduce,
    "shape": _shape,
    "index": _index,
    "choose": _choose,
    "matmul": _matmul,
}
