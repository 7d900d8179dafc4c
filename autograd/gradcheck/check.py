"""Finite-difference checks of gradients: ``gradcheck`` and ``gradgradcheck``.

``gradcheck(fn, inputs)`` calls ``fn(*inputs)`` (PyTorch's convention), takes its analytic gradient
with ``autograd.grad`` and compares it, element by element, with central differences
``(f(x + eps) - f(x - eps)) / (2 eps)``. A non-scalar output is reduced to ``sum(w * output)``
with random, seeded weights ``w``, so a backward rule that ignores its upstream gradient cannot
pass by luck. ``fast=True`` checks one random direction instead of every element.

What it does beyond a bare comparison:
- float32/float16 inputs are checked in float64 (with a warning) and handed back exactly as they
  were: the same array object, bit for bit, and ``.grad`` untouched.
- ``fn`` is called twice first: a function that gives another output (or gradient) for the same
  inputs is refused (``NondeterministicError``): finite differences of it mean nothing.
- a point where the one-sided differences disagree (relu at 0, abs at 0, a tie in max) is a kink:
  it is reported as not differentiable (a ``NondifferentiableWarning``), not as a wrong gradient,
  as long as the analytic gradient lies between the two one-sided derivatives. A kink needs
  evidence that it is at the point: the one-sided differences must still disagree with smaller
  steps; a kink a little way off (within eps) is stepped over, and the slope there is checked.
- a failure raises ``GradcheckError`` whose message lists the worst elements first: which input,
  which element, analytic vs numeric, absolute and relative error; then the doctor's verdict
  (blame.py): which op of fn's graph has the wrong rule, where it was made, or where between two
  right ops the gradient is lost. ``error.culprits`` holds the same as data.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..graph import Node, grad
from ..tensor import Tensor
from ..value import Value
from .inputs import Float64Inputs, Slot, as_args, check_callable, check_settings
from .report import Kink, Mismatch, failure_report, intro_lines, kinks_text

__all__ = [
    "GradcheckError",
    "Kink",
    "Mismatch",
    "NondeterministicError",
    "NondifferentiableWarning",
    "gradcheck",
    "gradgradcheck",
]

KINK_STEP_RATIO = 10.0  # the second, wider step used to tell a kink from strong curvature
NARROW_STEPS = 4  # a suspected kink is looked at with steps eps/10 ... eps/10**NARROW_STEPS
# f(x+h) - f(x-h) carries a rounding error of a few ulps of |f|: ROUNDING_ULPS bounds it, and a
# gap between one-sided slopes counts as a jump only when NOISE_MARGIN times larger than that.
ROUNDING_ULPS = 8.0
NOISE_MARGIN = 64.0


class GradcheckError(AssertionError):
    """Analytic and numeric derivatives disagree. ``.mismatches`` holds every failing element
    (worst first); ``.culprits`` the ops the doctor blames (see blame.py: each names the op, the
    inputs and elements its rule gets wrong, and the user's line that made it), ``.diagnosis``
    the doctor's whole finding (None when it did not run); ``str(error)`` is the readable report."""

    def __init__(self, report: str, mismatches: Sequence[Mismatch], diagnosis: Any = None) -> None:
        super().__init__(report)
        self.mismatches = list(mismatches)
        self.diagnosis = diagnosis
        self.culprits = list(diagnosis.culprits) if diagnosis is not None else []


class NondeterministicError(GradcheckError):
    """``fn`` gave different outputs, or different gradients, for the same inputs."""


class NondifferentiableWarning(UserWarning):
    """gradcheck met a point where the function has no derivative (a kink)."""


# --- public API -----------------------------------------------------------------------------


def gradcheck(
    fn: Callable[..., Any],
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    fast: bool = False,
    seed: int = 0,
    blame: bool = True,
) -> bool:
    """Check the gradient of ``fn(*inputs)`` against finite differences.

    ``inputs``: a Value or Tensor, or a list/tuple of them (other objects are passed to ``fn``
    unchanged). Inputs that require grad are checked. ``fn`` may return a Value, a Tensor or a
    tuple of them. An element passes when ``|analytic - numeric| <= atol + rtol * |numeric|``.
    ``fast=True`` compares one random directional derivative instead of every element.
    ``blame=False`` skips the doctor (which checks each op of a failing fn on its own).
    Returns True or raises GradcheckError.
    """
    check_settings(eps, atol, rtol)
    check_callable("gradcheck", fn)
    args = as_args(inputs)
    with Float64Inputs(args) as slots:
        _compare(fn, args, slots, eps=eps, atol=atol, rtol=rtol, fast=fast, seed=seed, blame=blame)
    return True


def gradgradcheck(
    fn: Callable[..., Any],
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    fast: bool = False,
    seed: int = 0,
    blame: bool = True,
) -> bool:
    """Check second derivatives of ``fn(*inputs)``: the gradients of ``sum(w * fn(*inputs))``
    (built with ``create_graph=True``) are checked with ``gradcheck``'s method. Run
    ``gradcheck`` as well: this checks the derivatives of the gradients, not the gradients."""
    check_settings(eps, atol, rtol)
    check_callable("gradgradcheck", fn)
    args = as_args(inputs)
    with Float64Inputs(args) as slots:
        checked = [slot.position for slot in slots]
        first_derivatives = first_derivatives_of(fn, args, checked, seed)
        labels = [f"grad of input {i}" for i in checked]
        _compare(
            first_derivatives,
            args,
            slots,
            eps=eps,
            atol=atol,
            rtol=rtol,
            fast=fast,
            seed=seed,
            labels=labels,
            subject="the derivatives of 'grad of input k' = d sum(w * fn(...)) / d input k, "
            f"w random (seed={seed})",
            blame=blame,
        )
    return True


def first_derivatives_of(
    fn: Callable[..., Any], args: tuple[Any, ...], checked: list[int], seed: int
) -> Callable[..., tuple[Node, ...]]:
    """The function gradgradcheck checks: the gradients of ``sum(w * fn(*xs))`` w.r.t. the
    inputs at ``checked`` positions, as nodes of a graph (create_graph=True)."""
    shapes = [_weight_shape(out) for out in _outputs(fn(*args), "fn")]
    weights = _draw_weights(shapes, np.random.default_rng([seed, 2]))

    def first_derivatives(*xs: Any) -> tuple[Node, ...]:
        outs = _outputs(fn(*xs), "fn")
        if len(outs) != len(weights):
            raise ValueError("gradgradcheck(): fn returned a different number of outputs")
        used = [(o, w) for o, w in zip(outs, weights) if o.requires_grad]
        wrt = [xs[i] for i in checked]
        grads: Sequence[Node | None] = [None] * len(wrt)
        if used:
            grads = grad(
                [o for o, _ in used],
                wrt,
                grad_outputs=[w for _, w in used],
                create_graph=True,
                allow_unused=True,
            )
        return tuple(g if g is not None else _zeros_like(x) for g, x in zip(grads, wrt))

    return first_derivatives


# --- outputs ----------------------------------------------------------------------------------


def _outputs(result: Any, who: str) -> list[Node]:
    items = list(result) if isinstance(result, (list, tuple)) else [result]
    if not items:
        raise TypeError(f"gradcheck(): {who} returned an empty tuple; return a Value or Tensor")
    for k, out in enumerate(items):
        if not isinstance(out, (Value, Tensor)):
            raise TypeError(
                f"gradcheck(): {who} returned a {type(out).__name__} as output {k}; it must "
                "return a Value, a Tensor, or a tuple of them"
            )
        if isinstance(out, Tensor) and out.data.dtype.kind != "f":
            raise TypeError(
                f"gradcheck(): output {k} has dtype {out.data.dtype}; only floating outputs "
                "have gradients"
            )
    return items


def _weight_shape(out: Node) -> tuple[int, ...] | None:
    """None for a Value, else the output's shape."""
    return None if isinstance(out, Value) else tuple(out.data.shape)


def _draw_weights(shapes: Sequence[tuple[int, ...] | None], rng: np.random.Generator) -> list[Any]:
    """A scalar output is used as it is (weight 1). Other outputs get weights of magnitude
    0.5..1.5 and random sign: never near 0, so no element escapes the check."""
    weights: list[Any] = []
    for shape in shapes:
        if shape is None:
            weights.append(1.0)
        elif math.prod(shape) == 1:
            weights.append(np.ones(shape))
        else:
            magnitude = rng.uniform(0.5, 1.5, size=shape)
            weights.append(magnitude * rng.choice([-1.0, 1.0], size=shape))
    return weights


def _zeros_like(x: Node) -> Node:
    if isinstance(x, Value):
        return Value(0.0, requires_grad=False)
    return Tensor(np.zeros(x.data.shape, dtype=np.float64))


# --- the comparison ---------------------------------------------------------------------------


def _compare(
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    slots: list[Slot],
    *,
    eps: float,
    atol: float,
    rtol: float,
    fast: bool,
    seed: int,
    labels: list[str] | None = None,
    subject: str = "",
    blame: bool = True,
) -> None:
    rng = np.random.default_rng([seed, 1])
    outs = _outputs(fn(*args), "fn")
    shapes = [_weight_shape(o) for o in outs]
    weights = _draw_weights(shapes, rng)
    if labels is None:
        labels = [f"output {k}" for k in range(len(outs))]
    _warn_low_precision(outs, labels)
    center = _weighted(outs, weights, shapes, labels)
    again = _outputs(fn(*args), "fn")
    _refuse_nondeterminism(outs, again, labels, "output", [])

    def objective() -> np.ndarray:
        return _weighted(_outputs(fn(*args), "fn"), weights, shapes, labels)

    def diagnose() -> Any:
        if not blame:
            return None
        from .blame import diagnose

        return diagnose(fn, args, outs, weights, eps=eps, atol=atol, rtol=rtol, seed=seed)

    try:
        analytic = _analytic(outs, weights, slots, labels)
    except GradcheckError as error:  # a gradient of the wrong shape
        diagnosis = diagnose()
        raise GradcheckError(_with(str(error), diagnosis), [], diagnosis) from None
    _refuse_nondeterminism(
        analytic,
        _analytic(again, weights, slots, labels),
        labels,
        "gradient",
        [slot.position for slot in slots],
    )
    probes: Sequence[_ElementProbe | _DirectionProbe]
    if fast:
        probes = [_DirectionProbe(slots, rng)]
    else:
        probes = [
            _ElementProbe(slot, n, j) for n, slot in enumerate(slots) for j in range(slot.base.size)
        ]

    mismatches: list[Mismatch] = []
    kinks: list[Kink] = []
    for probe in probes:
        steps = _differences(objective, probe.move, probe.reset, center, eps, atol, rtol)
        for k, label in enumerate(labels):
            ana = probe.analytic(analytic[k])
            judged = _judge(steps, k, ana, atol, rtol)
            if judged is None:
                continue
            if isinstance(judged, Kink):
                kinks.append(_label_kink(judged, label, probe.position, probe.index))
                continue
            numeric, tolerance, note = judged
            mismatches.append(
                Mismatch(label, probe.position, probe.index, ana, numeric, tolerance, note)
            )

    if kinks:
        warnings.warn(
            NondifferentiableWarning(kinks_text(kinks, header=True)),
            stacklevel=3,
        )
    if mismatches:
        mismatches.sort(key=lambda m: m.severity, reverse=True)
        total = len(probes) * len(labels)
        header = intro_lines(outs, labels, shapes, seed, eps, atol, rtol, fast, subject)
        report = failure_report(header, mismatches, kinks, total, fast, len(labels) > 1)
        diagnosis = diagnose()
        raise GradcheckError(_with(report, diagnosis), mismatches, diagnosis)


def _with(report: str, diagnosis: Any) -> str:
    return report if diagnosis is None else f"{report}\n{diagnosis.report()}"


def _differs(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Where two runs' values differ by more than rounding (sums taken in another order)."""
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(x) & np.isfinite(y)
        scale = float(np.max(np.abs(np.where(finite, x, 0.0)), initial=0.0))
        close = np.abs(x - y) <= 1e-12 * scale + 1e-300
        same = (x == y) | (np.isnan(x) & np.isnan(y)) | (finite & close)
    return ~same  # type: ignore[no-any-return]


def _refuse_nondeterminism(
    first: Any, second: Any, labels: list[str], what: str, positions: list[int]
) -> None:
    """Raise if two calls of fn with the same inputs disagree beyond rounding (outputs, or the
    gradients computed from them: a nested list per output)."""
    for k, label in enumerate(labels):
        a, b = first[k], second[k]
        pairs = list(zip(a, b)) if what == "gradient" else [(a.data, b.data)]
        for n, (x, y) in enumerate(pairs):
            x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
            differs = _differs(x, y) if x.shape == y.shape else None
            if differs is not None and not differs.any():
                continue
            where = ""
            if differs is not None:
                index = tuple(int(i) for i in np.argwhere(differs)[0])
                where = f" at element {index}: {float(x[index]):.6g}, then {float(y[index]):.6g}"
            part = (
                f"the gradient of {label} w.r.t. input {positions[n]}"
                if what == "gradient"
                else label
            )
            raise NondeterministicError(
                f"gradcheck refused fn: called twice with the same inputs, {part} differs"
                f"{where}. Finite differences of a function that is not "
                "deterministic mean nothing; fix its random numbers (seed them inside fn, or "
                "draw them once outside and pass them in)",
                [],
            )


def _warn_low_precision(outs: list[Node], labels: list[str]) -> None:
    for out, label in zip(outs, labels):
        if isinstance(out, Tensor) and out.data.dtype.itemsize < 8:
            warnings.warn(
                f"gradcheck: {label} is {out.data.dtype} although the inputs are checked in "
                "float64 (fn lowers the precision); finite differences may be too coarse",
                UserWarning,
                stacklevel=4,
            )


def _weighted(
    outs: list[Node], weights: list[Any], shapes: list[Any], labels: list[str]
) -> np.ndarray:
    """``sum(w * output)`` for each output, in float64."""
    if len(outs) != len(weights):
        raise ValueError(
            f"gradcheck(): fn returned {len(outs)} outputs, but {len(weights)} the first time"
        )
    sums = np.empty(len(outs))
    for k, (out, w, shape) in enumerate(zip(outs, weights, shapes)):
        if _weight_shape(out) != shape:
            raise ValueError(
                f"gradcheck(): {labels[k]} changed from shape {shape} to {_weight_shape(out)} "
                "when an input moved slightly; fn must return the same shapes"
            )
        sums[k] = np.sum(w * np.asarray(out.data, dtype=np.float64))
    return sums


def _analytic(
    outs: list[Node], weights: list[Any], slots: list[Slot], labels: list[str]
) -> list[list[np.ndarray]]:
    """d sum(w * output_k) / d input, for each output k and each checked input."""
    wrt = [slot.node for slot in slots]
    table: list[list[np.ndarray]] = []
    for out, w, label in zip(outs, weights, labels):
        grads: Sequence[Node | None] = [None] * len(wrt)
        if out.requires_grad:
            # the outputs may share a graph: keep it for the next output's pass
            grads = grad([out], wrt, grad_outputs=[w], retain_graph=True, allow_unused=True)
        row = []
        for g, slot in zip(grads, slots):
            if g is None:
                row.append(np.zeros(slot.shape))
                continue
            array = np.asarray(g.data, dtype=np.float64)
            if array.shape != slot.shape:
                raise GradcheckError(
                    f"gradcheck failed: the gradient of {label} w.r.t. input {slot.position} has "
                    f"shape {array.shape}, but the input has shape {slot.shape}",
                    [],
                )
            row.append(array)
        table.append(row)
    return table


class _ElementProbe:
    """Moves one element of one checked input."""

    def __init__(self, slot: Slot, n: int, flat_index: int) -> None:
        self.slot, self.n, self.flat_index = slot, n, flat_index
        self.position = slot.position
        self.index: tuple[int, ...] | None = tuple(
            int(i) for i in np.unravel_index(flat_index, slot.shape)
        )

    def move(self, step: float) -> None:
        self.slot.move_element(self.flat_index, step)

    def reset(self) -> None:
        self.slot.reset_element(self.flat_index)

    def analytic(self, grads: list[np.ndarray]) -> float:
        return float(grads[self.n].flat[self.flat_index])


class _DirectionProbe:
    """Moves every checked input at once along a random unit direction (fast mode)."""

    index: tuple[int, ...] | None = None

    def __init__(self, slots: list[Slot], rng: np.random.Generator) -> None:
        self.slots = slots
        self.position = slots[0].position
        directions = [rng.standard_normal(slot.shape) for slot in slots]
        norm = math.sqrt(sum(float(np.sum(d * d)) for d in directions)) or 1.0
        self.directions = [d / norm for d in directions]

    def move(self, step: float) -> None:
        for slot, d in zip(self.slots, self.directions):
            slot.move_along(d, step)

    def reset(self) -> None:
        for slot in self.slots:
            slot.reset()

    def analytic(self, grads: list[np.ndarray]) -> float:
        return float(sum(np.sum(g * d) for g, d in zip(grads, self.directions)))


@dataclass
class _Steps:
    """Objective values (one per output) around the point, at steps ±eps and, at a suspected
    kink, ±KINK_STEP_RATIO*eps (``wide_*``) and smaller steps (``narrow``: (h, plus, minus))."""

    eps: float
    center: np.ndarray
    plus: np.ndarray
    minus: np.ndarray
    wide_plus: np.ndarray | None = None
    wide_minus: np.ndarray | None = None
    narrow: list[tuple[float, np.ndarray, np.ndarray]] = field(default_factory=list)


def _differences(
    objective: Callable[[], np.ndarray],
    move: Callable[[float], None],
    reset: Callable[[], None],
    center: np.ndarray,
    eps: float,
    atol: float,
    rtol: float,
) -> _Steps:
    # numpy's warnings about fn near the point would repeat for every element; a non-finite
    # difference is reported in the table instead
    with np.errstate(all="ignore"):
        try:
            move(eps)
            plus = objective()
            move(-eps)
            minus = objective()
            steps = _Steps(eps, center, plus, minus)
            jumps = _is_jump(center, plus, minus, eps, atol, rtol)
            if np.any(jumps):
                # the one-sided differences disagree: a wider step tells a kink (the gap stays)
                # from strong curvature (the gap grows with the step), and smaller steps tell a
                # kink at the point (the gap stays) from one a little way off (the gap closes)
                wide = KINK_STEP_RATIO * eps
                move(wide)
                steps.wide_plus = objective()
                move(-wide)
                steps.wide_minus = objective()
                h = eps
                for _ in range(NARROW_STEPS):
                    h /= KINK_STEP_RATIO
                    move(h)
                    narrow_plus = objective()
                    move(-h)
                    narrow_minus = objective()
                    steps.narrow.append((h, narrow_plus, narrow_minus))
                    jumps = jumps & _is_jump(center, narrow_plus, narrow_minus, h, atol, rtol)
                    if not np.any(jumps):
                        break
        finally:
            reset()
    return steps


def _one_sided(
    center: np.ndarray, plus: np.ndarray, minus: np.ndarray, h: float
) -> tuple[np.ndarray, np.ndarray]:
    return (center - minus) / h, (plus - center) / h


def _noise(center: np.ndarray, plus: np.ndarray, minus: np.ndarray, h: float) -> np.ndarray:
    """The rounding noise of a difference quotient with step h (large values: noisy)."""
    size = np.abs(center) + np.abs(plus) + np.abs(minus)
    return ROUNDING_ULPS * np.finfo(np.float64).eps * size / h  # type: ignore[no-any-return]


def _is_jump(
    center: np.ndarray, plus: np.ndarray, minus: np.ndarray, h: float, atol: float, rtol: float
) -> np.ndarray:
    """Where the one-sided differences disagree by more than the tolerance and by far more
    than the rounding noise of the function values."""
    with np.errstate(invalid="ignore"):
        left, right = _one_sided(center, plus, minus, h)
        gap = np.abs(right - left)
        tolerance = atol + rtol * np.maximum(np.abs(left), np.abs(right))
        return gap > np.maximum(tolerance, NOISE_MARGIN * _noise(center, plus, minus, h))  # type: ignore[no-any-return]


def _judge(
    steps: _Steps, k: int, analytic: float, atol: float, rtol: float
) -> Kink | None | tuple[float, float, str]:
    """None if derivative ``k`` passes, a Kink if the point is not differentiable there (and the
    analytic value is a valid one-sided choice), else (numeric, tolerance, note) of a failure."""
    numeric = float((steps.plus[k] - steps.minus[k]) / (2.0 * steps.eps))
    tolerance = atol + rtol * abs(numeric)
    if not math.isfinite(numeric):
        return numeric, tolerance, "fn is not finite within eps of this point"
    note = ""
    if (
        steps.wide_plus is not None
        and _is_jump(steps.center, steps.plus, steps.minus, steps.eps, atol, rtol)[k]
    ):
        found = _kink_or_slope(steps, k, analytic, atol, rtol)
        if isinstance(found, (Kink, tuple)):
            return found
        if found is not None:  # smooth at a smaller step: the slope there is the derivative
            h, numeric = found.step, found.slope
            tolerance = atol + rtol * abs(numeric)
            note = f"a kink lies within eps of this point; the slope here taken with step {h:.0e}"
    if math.isfinite(analytic) and abs(analytic - numeric) <= tolerance:
        return None
    if not note and analytic == 0.0:
        note = "no gradient reached this element"
    return numeric, tolerance, note


@dataclass(frozen=True)
class _Slope:
    """The derivative taken with a step small enough to see the function smooth at the point."""

    step: float
    slope: float


def _kink_or_slope(
    steps: _Steps, k: int, analytic: float, atol: float, rtol: float
) -> Kink | tuple[float, float, str] | _Slope | None:
    """At a jump of the one-sided differences: a Kink (or a failure outside its one-sided
    derivatives) if the evidence says the point is a kink; (h, slope) if a smaller step h
    shows the function smooth at the point; None if neither (strong curvature)."""
    assert steps.wide_plus is not None and steps.wide_minus is not None
    left, right = (
        float(v[k]) for v in _one_sided(steps.center, steps.plus, steps.minus, steps.eps)
    )
    wide = KINK_STEP_RATIO * steps.eps
    wide_left, wide_right = (
        float(v[k]) for v in _one_sided(steps.center, steps.wide_plus, steps.wide_minus, wide)
    )
    if abs(wide_right - wide_left) >= 0.5 * KINK_STEP_RATIO * abs(right - left):
        return None  # the gap grows with the step: curvature, not a kink
    for h, plus, minus in steps.narrow:
        tolerance = atol + rtol * abs(float((plus[k] - minus[k]) / (2.0 * h)))
        if NOISE_MARGIN * float(_noise(steps.center, plus, minus, h)[k]) > tolerance:
            break  # this step is too small to tell anything: keep the evidence so far
        if not _is_jump(steps.center, plus, minus, h, atol, rtol)[k]:
            return _Slope(h, float((plus[k] - minus[k]) / (2.0 * h)))
    low, high = min(left, right), max(left, right)
    slack = atol + rtol * max(abs(low), abs(high))
    if low - slack <= analytic <= high + slack:
        return Kink("", 0, None, left, right, analytic)
    numeric = float((steps.plus[k] - steps.minus[k]) / (2.0 * steps.eps))
    return (
        numeric,
        atol + rtol * abs(numeric),
        f"kink: outside the one-sided derivatives [{low:.6g}, {high:.6g}]",
    )


def _label_kink(kink: Kink, label: str, position: int, index: tuple[int, ...] | None) -> Kink:
    return Kink(label, position, index, kink.left, kink.right, kink.analytic)
