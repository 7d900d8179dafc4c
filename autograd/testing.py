"""Hypothesis strategies for property-testing gradients, yours and the engine's.

Needs hypothesis (``pip install dagrad[test]``); it is imported only when a strategy is built,
so ``import autograd`` never needs it.

- ``expressions()``: random scalar expression graphs over every Value op, with shared
  subexpressions, whose every op is evaluated away from its kinks, poles and domain edges.
  A drawn ``Expression`` prints as a program a person can read, and shrinks to a short one.
- ``tensors()``, ``arrays()``, ``broadcastable_shapes()``, ``reduction_axes()``: Tensor inputs with
  bounded, finite elements (optionally away from zero, positive, or far apart from each other).
- ``gradient_test(fn, *strategies)``: a ready property test that runs ``gradcheck`` (and, with
  ``order=2``, ``gradgradcheck``) on drawn inputs.
- ``find_gradient_bug(ops)``: searches programs that mix your ops (custom ``Function``
  subclasses or functions of Tensors) with the built-in ones for one whose gradient is wrong,
  and returns the smallest it finds (``.code``, ``.inputs``, ``.culprits``) or None:
  ``assert find_gradient_bug([MySoftplus]) is None`` in a test suite.

Recipe, in a test file::

    from autograd.testing import gradient_test, tensors

    def softplus(x):
        return (1 + x.exp()).log()

    test_softplus = gradient_test(softplus, tensors(shape=(3, 4)), order=2)

or, to choose the inputs yourself::

    from hypothesis import given
    from autograd.gradcheck import gradcheck

    @given(tensors(shape=(3, 4)), tensors(shape=(4,), positive=True, min_magnitude=0.5))
    def test_scaled_softplus(x, scale):
        assert gradcheck(lambda x, s: softplus(x) / s, [x, scale])
"""

from __future__ import annotations

import linecache
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .tensor import Tensor
from .value import Value

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy


def _strategies() -> Any:
    """hypothesis.strategies, or an ImportError that says how to get it."""
    try:
        from hypothesis import strategies
    except ImportError as err:
        raise ImportError(
            "autograd.testing needs hypothesis: pip install 'dagrad[test]' (or hypothesis)"
        ) from err
    return strategies


# --- the ops an expression is built from --------------------------------------------------------

POLE_MARGIN = 0.1  # |denominator|, log's argument, a fractional power's base stay above this
KINK_MARGIN = 0.05  # relu and abs see |x| at least this far from their kink at 0
EXP_LIMIT = 4.0  # exp's argument stays below this, so values stay moderate
VALUE_LIMIT = 100.0  # every intermediate value stays within ±VALUE_LIMIT
CONSTANTS = (2.0, -0.5, 3.0)
EXPONENTS = (2.0, 3.0, -1.0, 0.5, -2.0, 1.5)
BASES = (2.0, 0.5)


@dataclass(frozen=True)
class _Op:
    """An expression op: how it applies to nodes (Value or Tensor) and to floats, how it prints,
    which constants it takes, and where it is smooth."""

    arity: int  # 1 or 2; ops with a constant are unary in the nodes
    apply: Callable[[Any, Any, Any], Any]  # (a, b, c): nodes a and b (b unused if unary)
    number: Callable[[float, float, float], float]
    text: str  # "{a}", "{b}", "{c}" are filled in
    constants: tuple[float, ...] = (0.0,)
    smooth: Callable[[float, float, float], bool] = lambda a, b, c: True


def _fractional(c: float) -> bool:
    return c != int(c)


def _power_smooth(a: float, c: float) -> bool:
    if _fractional(c) and a < POLE_MARGIN:
        return False
    return not (c < 0 and abs(a) < POLE_MARGIN)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


OPS: dict[str, _Op] = {
    "add": _Op(2, lambda a, b, c: a + b, lambda a, b, c: a + b, "{a} + {b}"),
    "sub": _Op(2, lambda a, b, c: a - b, lambda a, b, c: a - b, "{a} - {b}"),
    "mul": _Op(2, lambda a, b, c: a * b, lambda a, b, c: a * b, "{a} * {b}"),
    "div": _Op(
        2,
        lambda a, b, c: a / b,
        lambda a, b, c: a / b,
        "{a} / {b}",
        smooth=lambda a, b, c: abs(b) >= POLE_MARGIN,
    ),
    "pow": _Op(
        2,
        lambda a, b, c: a**b,
        lambda a, b, c: a**b,
        "{a} ** {b}",
        smooth=lambda a, b, c: a >= POLE_MARGIN and abs(b) <= 3.0,
    ),
    "add_const": _Op(1, lambda a, b, c: a + c, lambda a, b, c: a + c, "{a} + {c}", CONSTANTS),
    "sub_const": _Op(1, lambda a, b, c: a - c, lambda a, b, c: a - c, "{a} - {c}", CONSTANTS),
    "rsub_const": _Op(1, lambda a, b, c: c - a, lambda a, b, c: c - a, "{c} - {a}", CONSTANTS),
    "mul_const": _Op(1, lambda a, b, c: a * c, lambda a, b, c: a * c, "{a} * {c}", CONSTANTS),
    "div_const": _Op(1, lambda a, b, c: a / c, lambda a, b, c: a / c, "{a} / {c}", CONSTANTS),
    "rdiv_const": _Op(
        1,
        lambda a, b, c: c / a,
        lambda a, b, c: c / a,
        "{c} / {a}",
        CONSTANTS,
        lambda a, b, c: abs(a) >= POLE_MARGIN,
    ),
    "pow_const": _Op(
        1,
        lambda a, b, c: a**c,
        lambda a, b, c: a**c,
        "{a} ** {c}",
        EXPONENTS,
        lambda a, b, c: _power_smooth(a, c),
    ),
    "rpow_const": _Op(
        1,
        lambda a, b, c: c**a,
        lambda a, b, c: c**a,
        "{c} ** {a}",
        BASES,
        lambda a, b, c: abs(a) <= 6.0,
    ),
    "neg": _Op(1, lambda a, b, c: -a, lambda a, b, c: -a, "-{a}"),
    "exp": _Op(
        1,
        lambda a, b, c: a.exp(),
        lambda a, b, c: math.exp(a),
        "exp({a})",
        smooth=lambda a, b, c: a <= EXP_LIMIT,
    ),
    "log": _Op(
        1,
        lambda a, b, c: a.log(),
        lambda a, b, c: math.log(a),
        "log({a})",
        smooth=lambda a, b, c: a >= POLE_MARGIN,
    ),
    "tanh": _Op(1, lambda a, b, c: a.tanh(), lambda a, b, c: math.tanh(a), "tanh({a})"),
    "sigmoid": _Op(1, lambda a, b, c: a.sigmoid(), lambda a, b, c: _sigmoid(a), "sigmoid({a})"),
    "relu": _Op(
        1,
        lambda a, b, c: a.relu(),
        lambda a, b, c: max(a, 0.0),
        "relu({a})",
        smooth=lambda a, b, c: abs(a) >= KINK_MARGIN,
    ),
    "abs": _Op(
        1,
        lambda a, b, c: abs(a),
        lambda a, b, c: abs(a),
        "abs({a})",
        smooth=lambda a, b, c: abs(a) >= KINK_MARGIN,
    ),
}
VALUE_OPS: tuple[str, ...] = tuple(OPS)  # every op of Value, each with its own backward rule


@dataclass(frozen=True)
class Step:
    """One op of an expression: ``op`` applied to earlier nodes ``args`` (inputs come first,
    then the steps in order) and a constant ``const`` for the ops that take one."""

    op: str
    args: tuple[int, int]
    const: float = 0.0


@dataclass(frozen=True)
class Expression:
    """A scalar expression graph: a program of steps over ``num_inputs`` inputs, plus the points
    (input values) it was drawn for. Every op is smooth at every point. Call it on Values, or on
    Tensors to evaluate it elementwise."""

    num_inputs: int
    steps: tuple[Step, ...]
    points: tuple[tuple[float, ...], ...]

    def __call__(self, *inputs: Any) -> Any:
        if len(inputs) != self.num_inputs:
            raise TypeError(f"this expression takes {self.num_inputs} inputs, got {len(inputs)}")
        nodes = list(inputs)
        for step in self.steps:
            a, b = step.args
            nodes.append(OPS[step.op].apply(nodes[a], nodes[b], step.const))
        return nodes[-1]

    def __len__(self) -> int:
        return len(self.steps)

    def values(self, point: int = 0) -> list[Value]:
        """The inputs at one point, as leaf Values that require grad."""
        return [Value(x) for x in self.points[point]]

    def tensors(self, dtype: Any = np.float64) -> list[Tensor]:
        """The inputs at all points, one Tensor of shape (points,) per input."""
        columns = np.array(self.points, dtype=dtype).reshape(len(self.points), self.num_inputs)
        return [Tensor(columns[:, i].copy(), requires_grad=True) for i in range(self.num_inputs)]

    def evaluate(self, point: int = 0) -> float:
        """The expression's value at one point, computed with the math module (no graph)."""
        return _numbers(self.steps, list(self.points[point]))[-1]

    @property
    def text(self) -> str:
        """The program: a step used more than once gets a name (t1, t2, ...), others inline."""
        uses = [0] * (self.num_inputs + len(self.steps))
        for step in self.steps:
            for arg in step.args[: OPS[step.op].arity]:
                uses[arg] += 1
        texts = [f"x{i}" for i in range(self.num_inputs)]
        atomic = [True] * self.num_inputs  # needs no parentheses inside another op
        lets: list[str] = []
        for n, step in enumerate(self.steps):
            a, b = (texts[i] if atomic[i] else f"({texts[i]})" for i in step.args)
            c = repr(step.const) if step.const >= 0 else f"({step.const!r})"
            body = OPS[step.op].text.format(a=a, b=b, c=c)
            node = self.num_inputs + n
            if uses[node] > 1:
                name = f"t{len(lets) + 1}"
                lets.append(f"{name} = {body}")
                texts.append(name)
                atomic.append(True)
            else:
                texts.append(body)
                template = OPS[step.op].text
                atomic.append(template[0].isalpha())  # a call like "tanh({a})"
        return "; ".join([*lets, f"out = {texts[-1]}"])

    def __repr__(self) -> str:
        if len(self.points) == 1:
            at = ", ".join(f"x{i}={x!r}" for i, x in enumerate(self.points[0]))
        else:
            at = ", ".join(f"x{i}={[p[i] for p in self.points]!r}" for i in range(self.num_inputs))
        return f"Expression({self.text}  at {at})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Hypothesis prints a failing example with this: the program, not the dataclass."""
        printer.text(repr(self))


def _numbers(steps: Sequence[Step], inputs: list[float]) -> list[float]:
    nodes = list(inputs)
    for step in steps:
        a, b = step.args
        nodes.append(OPS[step.op].number(nodes[a], nodes[b], step.const))
    return nodes


def _add_up_loose_ends(num_inputs: int, steps: list[Step]) -> None:
    """Make every step count: add each step that no later step uses into the output."""
    used = {arg for step in steps for arg in step.args[: OPS[step.op].arity]}
    last = num_inputs + len(steps) - 1
    for node in range(num_inputs, last):
        if node not in used:
            steps.append(Step("add", (num_inputs + len(steps) - 1, node)))


def expressions(
    *,
    min_inputs: int = 1,
    max_inputs: int = 3,
    max_steps: int = 6,
    ops: Sequence[str] = VALUE_OPS,
    points: int = 1,
    at: Sequence[Sequence[float]] | None = None,
    bound: float = 3.0,
) -> SearchStrategy[Expression]:
    """Random scalar expressions over ``ops``, each at ``points`` input points drawn from
    [-bound, bound] (or at the given points ``at``: a sequence of points, one float per input).

    Each step picks its operands among all earlier nodes, so subexpressions are shared and their
    gradients accumulate; it picks only ops that are smooth, with room to spare, at every point.
    """
    st = _strategies()
    from hypothesis import assume

    unknown = [op for op in ops if op not in OPS]
    if unknown:
        raise ValueError(f"expressions(): unknown ops {unknown}; choose from {list(OPS)}")
    if at is not None:
        fixed = tuple(tuple(float(x) for x in p) for p in at)
        if not fixed or len({len(p) for p in fixed}) != 1 or not fixed[0]:
            raise ValueError("expressions(): `at` needs points with the same number (>0) of inputs")
    # rounded, so that a drawn point reads well (shrinking still goes towards 0 and integers)
    coordinate = st.floats(-bound, bound, allow_nan=False).map(lambda x: round(x, 4))

    @st.composite
    def draw_expression(draw: Any) -> Expression:
        if at is None:
            n = draw(st.integers(min_inputs, max_inputs))
            pts = tuple(tuple(draw(coordinate) for _ in range(n)) for _ in range(points))
        else:
            pts = fixed
            n = len(pts[0])
        columns = [[p[i] for p in pts] for i in range(n)]  # node -> its value at each point
        steps: list[Step] = []
        for _ in range(draw(st.integers(1, max_steps))):
            count = len(columns)
            # operands lean to the newest node: a failure shrinks to a short chain in which a
            # node is used twice (t1 + t1), the smallest graph that accumulates a gradient
            a = count - 1 - draw(st.integers(0, count - 1))
            b = count - 1 - draw(st.integers(0, count - 1))
            usable: dict[str, list[float]] = {}
            for name in ops:
                op = OPS[name]
                cs = [c for c in op.constants if _smooth_everywhere(op, columns[a], columns[b], c)]
                if cs:
                    usable[name] = cs
            if not usable:
                continue
            name = draw(st.sampled_from(list(usable)))
            c = draw(st.sampled_from(usable[name]))
            op = OPS[name]
            steps.append(Step(name, (a, b if op.arity == 2 else a), c))
            columns.append([op.number(x, y, c) for x, y in zip(columns[a], columns[b])])
        assume(steps)
        _add_up_loose_ends(n, steps)
        return Expression(n, tuple(steps), pts)

    return draw_expression()


def _smooth_everywhere(op: _Op, xs: list[float], ys: list[float], c: float) -> bool:
    for x, y in zip(xs, ys):
        if not op.smooth(x, y, c):
            return False
        try:
            result = op.number(x, y, c)
        except (ValueError, OverflowError, ZeroDivisionError):
            return False
        if isinstance(result, complex) or not abs(result) <= VALUE_LIMIT:
            return False
    return True


# --- tensors ----------------------------------------------------------------------------------

DISTINCT_GRID = 64  # distinct elements are multiples of 1/64: ties and near-ties cannot happen


def _elements(
    bound: float, min_magnitude: float, positive: bool, distinct: bool
) -> SearchStrategy[float]:
    st = _strategies()

    if not 0 <= min_magnitude < bound:
        raise ValueError(f"need 0 <= min_magnitude < bound, got {min_magnitude} and {bound}")
    if distinct:
        low = math.ceil(min_magnitude * DISTINCT_GRID)
        high = math.floor(bound * DISTINCT_GRID)
        magnitude = st.integers(low, high).map(lambda k: k / DISTINCT_GRID)
    else:
        magnitude = st.floats(min_magnitude, bound, allow_subnormal=False)
    if positive:
        return magnitude.filter(lambda m: m > 0) if min_magnitude == 0 else magnitude
    if min_magnitude == 0 and not distinct:
        return st.floats(-bound, bound, allow_nan=False, allow_subnormal=False)
    return st.tuples(st.booleans(), magnitude).map(lambda t: -t[1] if t[0] else t[1])


def arrays(
    shape: tuple[int, ...],
    *,
    dtype: Any = np.float64,
    bound: float = 3.0,
    min_magnitude: float = 0.0,
    positive: bool = False,
    distinct: bool = False,
) -> SearchStrategy[np.ndarray]:
    """Arrays of ``shape`` with finite elements in [-bound, bound]; ``min_magnitude`` keeps them
    away from 0 (relu, abs, division), ``positive`` makes them > 0 (log, sqrt), ``distinct``
    keeps any two at least 1/64 apart (no ties for max/min)."""
    _strategies()
    from hypothesis.extra import numpy as hnp

    elements = _elements(bound, min_magnitude, positive, distinct)
    return hnp.arrays(np.dtype(dtype), shape, elements=elements, unique=distinct)


def tensors(
    shape: tuple[int, ...] | SearchStrategy[tuple[int, ...]] | None = None,
    *,
    requires_grad: bool = True,
    dtype: Any = np.float64,
    bound: float = 3.0,
    min_magnitude: float = 0.0,
    positive: bool = False,
    distinct: bool = False,
) -> SearchStrategy[Tensor]:
    """Tensors (float64 and requiring grad by default) with elements as in ``arrays()``.
    ``shape``: a shape, a strategy of shapes, or None for any shape of up to 3 dims of size
    up to 4."""
    st = _strategies()
    from hypothesis.extra import numpy as hnp

    if shape is None:
        shapes: SearchStrategy[tuple[int, ...]] = hnp.array_shapes(min_dims=0, max_dims=3)
    elif isinstance(shape, tuple):
        shapes = st.just(shape)
    else:
        shapes = shape

    def build(s: tuple[int, ...]) -> SearchStrategy[Tensor]:
        data = arrays(
            s,
            dtype=dtype,
            bound=bound,
            min_magnitude=min_magnitude,
            positive=positive,
            distinct=distinct,
        )
        return data.map(lambda a: Tensor(a, requires_grad=requires_grad))

    return shapes.flatmap(build)


def broadcastable_shapes(
    num_shapes: int = 2,
    *,
    min_dims: int = 0,
    max_dims: int = 3,
    min_side: int = 1,
    max_side: int = 4,
) -> SearchStrategy[tuple[tuple[int, ...], ...]]:
    """``num_shapes`` shapes that broadcast together (size-1 axes, missing leading axes)."""
    _strategies()
    from hypothesis.extra import numpy as hnp

    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes,
        min_dims=min_dims,
        max_dims=max_dims,
        min_side=min_side,
        max_side=max_side,
    ).map(lambda result: tuple(result.input_shapes))


def reduction_axes(ndim: int, *, allow_none: bool = True) -> SearchStrategy[Any]:
    """A valid ``axis`` argument for a tensor of ``ndim`` dims: None (all), one axis, or a
    tuple of distinct axes, negative ones included."""
    st = _strategies()

    options: list[SearchStrategy[Any]] = [st.none()] if allow_none or ndim == 0 else []
    if ndim > 0:
        axis = st.integers(-ndim, ndim - 1)
        options.append(axis)
        options.append(
            st.lists(axis, min_size=1, max_size=ndim, unique_by=lambda a: a % ndim).map(tuple)
        )
    return st.one_of(options)


# --- a property test for the user's own function ---------------------------------------------


def gradient_test(
    fn: Callable[..., Any], *input_strategies: SearchStrategy[Any], order: int = 1, **options: Any
) -> Callable[[], None]:
    """A hypothesis test: draw inputs from ``input_strategies`` and run ``gradcheck`` (and, for
    ``order=2``, ``gradgradcheck``) on ``fn``. ``options`` go to both (eps, atol, rtol, fast).
    Assign it to a ``test_...`` name in a test module and pytest runs it."""
    st = _strategies()
    from hypothesis import given

    from .gradcheck import gradcheck, gradgradcheck

    if order not in (1, 2):
        raise ValueError(f"gradient_test(): order must be 1 or 2, got {order!r}")
    if not input_strategies:
        raise ValueError("gradient_test(): give one strategy per input of fn")

    @given(st.tuples(*input_strategies))
    def check(inputs: tuple[Any, ...]) -> None:
        gradcheck(fn, inputs, **options)
        if order == 2:
            gradgradcheck(fn, inputs, **options)

    check.__name__ = f"test_gradients_of_{getattr(fn, '__name__', 'fn')}"
    check.__qualname__ = check.__name__
    return check


# --- searching programs for a gradient bug ----------------------------------------------------

# how each expression op reads as a line of Tensor code
_PROGRAM_TEXT = {
    "add": "{a} + {b}",
    "sub": "{a} - {b}",
    "mul": "{a} * {b}",
    "div": "{a} / {b}",
    "pow": "{a} ** {b}",
    "add_const": "{a} + {c}",
    "sub_const": "{a} - {c}",
    "rsub_const": "{c} - {a}",
    "mul_const": "{a} * {c}",
    "div_const": "{a} / {c}",
    "rdiv_const": "{c} / {a}",
    "pow_const": "{a} ** {c}",
    "rpow_const": "{c} ** {a}",
    "neg": "-{a}",
    "exp": "{a}.exp()",
    "log": "{a}.log()",
    "tanh": "{a}.tanh()",
    "sigmoid": "{a}.sigmoid()",
    "relu": "{a}.relu()",
    "abs": "{a}.abs()",
    "sum": "{a}.sum()",
    "mean": "{a}.mean()",
}
PROGRAM_OPS: tuple[str, ...] = tuple(_PROGRAM_TEXT)  # the built-in ops programs are made of


@dataclass(frozen=True)
class _UserOp:
    """One of the user's ops: a Function subclass (called through ``apply``) or a function of
    Tensors; ``arity`` Tensor arguments."""

    name: str
    owner: Any  # the class or function, as the program's code names it
    arity: int
    text: str  # "{0}", "{1}"... stand for the arguments

    def call(self, *args: Any) -> Any:
        if isinstance(self.owner, type):
            return self.owner.apply(*args)  # type: ignore[attr-defined]
        return self.owner(*args)


def _user_op(op: Any) -> _UserOp:
    import inspect

    from .function import Function

    if isinstance(op, type) and issubclass(op, Function):
        params = list(inspect.signature(op.forward).parameters.values())[1:]  # after ctx
        label = f"{op.__name__}.apply"
    elif callable(op):
        params = list(inspect.signature(op).parameters.values())
        label = getattr(op, "__name__", "fn")
    else:
        raise TypeError(
            f"find_gradient_bug(): ops must be Function subclasses or functions of Tensors, got "
            f"{op!r:.60}"
        )
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    arity = sum(1 for p in params if p.kind in positional and p.default is p.empty)
    if arity < 1:
        raise ValueError(f"find_gradient_bug(): {label} takes no Tensor argument to fill in")
    if label == "<lambda>":
        raise ValueError(
            "find_gradient_bug(): give the function a name (def), so programs can show it"
        )
    args = ", ".join(f"{{{k}}}" for k in range(arity))
    return _UserOp(label.removesuffix(".apply"), op, arity, f"{label}({args})")


@dataclass(frozen=True)
class ProgramStep:
    """One line of a program: ``op`` applied to earlier nodes ``args`` (inputs first, then each
    step's outputs in order), with a constant for the ops that take one; ``outputs`` nodes."""

    op: str
    args: tuple[int, ...]
    const: float = 0.0
    outputs: int = 1


@dataclass(frozen=True)
class Program:
    """A random program of Tensor ops: call it on Tensors; ``code`` prints it as Python."""

    inputs: tuple[np.ndarray, ...]
    steps: tuple[ProgramStep, ...]
    user: tuple[_UserOp, ...]

    def __call__(self, *xs: Any) -> Any:
        """Run the program's code itself (compiled once), so that a culprit's line is the
        program's line: ``<program>:3: t2 = MySoftplus.apply(t1)``."""
        return self.function()(*xs)

    def function(self) -> Callable[..., Any]:
        """The program as a Python function of its inputs; while it runs, tracebacks and the
        doctor read its lines (file ``<program>``) from ``.code``."""
        code = self.code
        lines = code.splitlines()
        linecache.cache[_PROGRAM_FILE] = (len(code), None, [f"{ln}\n" for ln in lines], "")
        fn = _COMPILED.get(code)
        if fn is None:
            n = len(self.inputs)
            head = f"def program({', '.join(f'x{i}' for i in range(n))}):"
            body = [f"    {line}" for line in lines[n:]]
            # the steps keep the line numbers they have in .code (the inputs' lines before them)
            source = "\n".join([head, *["    pass"] * (n - 1), *body, "    return out", ""])
            namespace: dict[str, Any] = {u.name: u.owner for u in self.user}
            exec(compile(source, _PROGRAM_FILE, "exec"), namespace)  # noqa: S102 - our code
            if len(_COMPILED) >= 512:  # a long search compiles many programs: keep a few
                _COMPILED.clear()
            fn = _COMPILED[code] = namespace["program"]
        return fn

    def tensors(self) -> list[Tensor]:
        """The program's inputs, as fresh float64 Tensors that require grad."""
        return [Tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in self.inputs]

    @property
    def code(self) -> str:
        users = {u.name: u for u in self.user}
        lines = [f"x{i} = {_tensor_code(a)}" for i, a in enumerate(self.inputs)]
        names = [f"x{i}" for i in range(len(self.inputs))]
        for n, step in enumerate(self.steps):
            args = [names[i] for i in step.args]
            if step.op in users:
                body = users[step.op].text.format(*args)
            else:
                c = repr(step.const)
                b = args[1] if len(args) > 1 else args[0]
                body = _PROGRAM_TEXT[step.op].format(a=args[0], b=b, c=c)
            last = n == len(self.steps) - 1
            made = (
                ["out"]
                if last and step.outputs == 1
                else [f"t{len(names) - len(self.inputs) + k + 1}" for k in range(step.outputs)]
            )
            names.extend(made)
            lines.append(f"{', '.join(made)} = {body}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Program(\n{self.code}\n)"


_COMPILED: dict[str, Callable[..., Any]] = {}  # program code -> its compiled function
_PROGRAM_FILE = "<program>"


def _tensor_code(a: np.ndarray) -> str:
    return f"tensor({np.asarray(a).tolist()!r}, dtype=float64, requires_grad=True)"


def _apply_builtin(name: str, args: list[Any], c: float) -> Any:
    if name == "sum":
        return args[0].sum()
    if name == "mean":
        return args[0].mean()
    a = args[0]
    b = args[1] if len(args) > 1 else a
    return OPS[name].apply(a, b, c)


def _builtin_usable(name: str, values: list[np.ndarray], c: float) -> bool:
    """The op is smooth, with room to spare, at every element it would see."""
    if name in ("sum", "mean"):
        return True
    op = OPS[name]
    a = values[0]
    b = values[1] if len(values) > 1 else a
    try:
        a, b = np.broadcast_arrays(a, b)
    except ValueError:
        return False
    return _smooth_everywhere(op, a.ravel().tolist(), b.ravel().tolist(), c)


@dataclass
class GradientBug:
    """The smallest failing program found: ``code`` (the program as Python), ``inputs`` (its
    inputs as Tensors), ``culprits`` (what gradcheck's doctor blames), ``error`` (gradcheck's
    error, or the exception the program raised); ``program`` runs it."""

    program: Program
    error: BaseException
    culprits: list[Any]

    @property
    def code(self) -> str:
        return self.program.code

    @property
    def inputs(self) -> list[Tensor]:
        return self.program.tensors()

    def __str__(self) -> str:
        return f"{self.code}\n{type(self.error).__name__}: {self.error}"


def programs(
    ops: Sequence[Any] = (),
    *,
    builtins: Sequence[str] = PROGRAM_OPS,
    inputs: SearchStrategy[np.ndarray] | None = None,
    shape: tuple[int, ...] = (3,),
    max_inputs: int = 2,
    max_steps: int = 5,
) -> SearchStrategy[Program]:
    """Random programs of Tensor ops: your ``ops`` (Function subclasses or functions of
    Tensors; each program uses at least one when given) among the ``builtins``, each step on
    earlier nodes (shared subexpressions), every built-in op where it is smooth, every value
    finite and moderate. ``inputs``: a strategy for each input array (default: shape ``shape``,
    elements in [-2, 2] with two decimals). A drawn Program runs on Tensors, and its ``code``
    reads as Python."""
    st = _strategies()
    unknown = [b for b in builtins if b not in _PROGRAM_TEXT]
    if unknown:
        raise ValueError(f"programs(): unknown builtins {unknown}; choose from {list(PROGRAM_OPS)}")
    if inputs is None:
        element = st.floats(-2.0, 2.0, allow_nan=False).map(lambda x: round(x, 2))
        size = math.prod(shape)
        inputs = st.lists(element, min_size=size, max_size=size).map(
            lambda xs: np.array(xs, dtype=np.float64).reshape(shape)
        )
    user = tuple(_user_op(op) for op in ops)
    if not user and not builtins:
        raise ValueError("programs(): no ops to build programs from")
    return _programs(user, builtins, inputs, max_inputs, max_steps)


def _programs(
    user: tuple[_UserOp, ...],
    builtins: Sequence[str],
    inputs: Any,
    max_inputs: int,
    max_steps: int,
) -> Any:
    st = _strategies()
    from hypothesis import assume

    from .modes import no_grad

    arity = {u.name: u.arity for u in user}
    users = {u.name: u for u in user}
    yours = st.sampled_from([u.name for u in user]) if user else None
    theirs = st.sampled_from(list(builtins)) if builtins else None

    @st.composite
    def draw_program(draw: Any) -> Program:
        arrays = tuple(
            np.asarray(draw(inputs), dtype=np.float64)
            for _ in range(draw(st.integers(1, max_inputs)))
        )
        values: list[np.ndarray] = list(arrays)
        steps: list[ProgramStep] = []
        for _ in range(draw(st.integers(1, max_steps))):
            # half the steps are yours; shrinking leans to yours (False comes first)
            builtin = yours is None or (theirs is not None and draw(st.booleans()))
            name = draw(theirs if builtin else yours)
            count = len(values)
            n_args = arity.get(name, OPS[name].arity if name in OPS else 1)
            args = tuple(count - 1 - draw(st.integers(0, count - 1)) for _ in range(n_args))
            c = draw(st.sampled_from(OPS[name].constants)) if name in OPS else 0.0
            operands = [values[i] for i in args]
            if name in users:
                found = _run_user_op(users[name], operands)
                if found is None:
                    continue
                values.extend(found)
                steps.append(ProgramStep(name, args, 0.0, len(found)))
                continue
            if not _builtin_usable(name, operands, c):
                continue
            with no_grad():
                result = _apply_builtin(name, [Tensor(v) for v in operands], c)
            values.append(np.asarray(result.data, dtype=np.float64))
            steps.append(ProgramStep(name, args, c))
        assume(steps and (not users or any(step.op in users for step in steps)))
        _combine_loose_ends(len(arrays), steps, values)
        return Program(arrays, tuple(steps), user)

    return draw_program()


def _run_user_op(op: _UserOp, operands: list[np.ndarray]) -> list[np.ndarray] | None:
    """The op's outputs on these operands, or None where it does not apply (it raises, gives
    something other than finite float Tensors, or values beyond VALUE_LIMIT)."""
    import warnings

    from .modes import no_grad

    try:
        with no_grad(), warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            result = op.call(*[Tensor(v) for v in operands])
    except Exception:  # noqa: BLE001 - an op that does not take these operands is skipped
        return None
    outs = result if isinstance(result, tuple) else (result,)
    found = []
    for out in outs:
        if not isinstance(out, Tensor) or out.data.dtype.kind != "f":
            return None
        data = np.asarray(out.data, dtype=np.float64)
        if not np.all(np.abs(data) <= VALUE_LIMIT):  # also refuses nan
            return None
        found.append(data)
    return found


def _combine_loose_ends(n_inputs: int, steps: list[ProgramStep], values: list[np.ndarray]) -> None:
    """Make every node count: add each node no later step uses into the output (summed first
    where the shapes do not broadcast)."""
    used = {i for step in steps for i in step.args}
    for node in range(n_inputs, len(values) - 1):
        if node in used:
            continue
        out = len(values) - 1
        try:
            np.broadcast_shapes(values[out].shape, values[node].shape)
        except ValueError:
            steps.append(ProgramStep("sum", (node,)))
            values.append(np.asarray(values[node].sum()))
            node = len(values) - 1
        steps.append(ProgramStep("add", (out, node)))
        values.append(values[out] + values[node])


def find_gradient_bug(
    ops: Sequence[Any],
    *,
    builtins: Sequence[str] = PROGRAM_OPS,
    inputs: SearchStrategy[np.ndarray] | None = None,
    shape: tuple[int, ...] = (3,),
    max_inputs: int = 2,
    max_steps: int = 5,
    order: int = 1,
    max_examples: int = 200,
    seed: int = 0,
    **check_options: Any,
) -> GradientBug | None:
    """Search programs built from ``ops`` (your Function subclasses, or functions of Tensors)
    among the built-in ``builtins`` for one whose gradient is wrong: gradcheck (and, with
    ``order=2``, gradgradcheck) fails or raises. Returns None, or the smallest failing program
    hypothesis can shrink to, as a ``GradientBug`` (``.code``, ``.inputs``, ``.culprits``).

    ``inputs``: a strategy for each input array (default: shape ``shape``, elements in [-2, 2]
    with two decimals); ``max_examples`` programs are tried; ``seed`` fixes the search, so a
    result is reproducible. ``check_options`` (eps, atol, rtol) go to gradcheck. Built-in ops
    are used only where they are smooth; your ops wherever they give finite values.
    """
    _strategies()
    import random
    import warnings

    from hypothesis import HealthCheck, Phase, Verbosity, find, settings
    from hypothesis.errors import NoSuchExample, Unsatisfiable

    from .gradcheck import gradcheck, gradgradcheck

    if not ops:
        raise ValueError("find_gradient_bug(): give at least one op of yours to test")
    if order not in (1, 2):
        raise ValueError(f"find_gradient_bug(): order must be 1 or 2, got {order!r}")
    strategy = programs(
        ops,
        builtins=builtins,
        inputs=inputs,
        shape=shape,
        max_inputs=max_inputs,
        max_steps=max_steps,
    )

    def check(program: Program, blame: bool) -> BaseException | None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # kinks, float32 notes: not bugs
            try:
                gradcheck(program, program.tensors(), blame=blame, **check_options)
                if order == 2:
                    gradgradcheck(program, program.tensors(), blame=blame, **check_options)
            except Exception as err:  # noqa: BLE001 - a program that raises has a bug too
                return err
        return None

    # every setting that shapes the search is fixed here, whatever profile the caller loaded,
    # so the same seed gives the same program everywhere
    search = settings(
        max_examples=max_examples,
        database=None,
        deadline=None,
        derandomize=False,
        phases=(Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
    )
    try:
        smallest = find(
            strategy,
            lambda program: check(program, blame=False) is not None,
            settings=search,
            random=random.Random(seed),
        )
    except (NoSuchExample, Unsatisfiable):
        return None
    error = check(smallest, blame=True)
    if error is None:  # cannot happen for a deterministic program; say so rather than hide it
        raise RuntimeError(
            f"find_gradient_bug(): the failing program passed when rerun:\n{smallest.code}"
        )
    return GradientBug(smallest, error, list(getattr(error, "culprits", [])))
