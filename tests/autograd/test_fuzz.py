"""The differential fuzzer: random programs (fuzzing.py) run on dagrad and on PyTorch, compared on
values, ``backward()``, ``grad()`` and second derivatives (``create_graph=True``), in float64 (and
float32 with float32 tolerances), in safe domains and at edge values (NaN and inf included: they
must appear in the same places). Value programs are compared with PyTorch's 0-d tensors.

CI runs a fixed, derandomized budget; ``HYPOTHESIS_PROFILE=thorough`` runs tens of thousands of
programs (``FUZZ_EXAMPLES`` overrides the count). A failure prints the program as code.
"""

from __future__ import annotations

import os
import re
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings

import autograd as ag
from tests.autograd.fuzzing import Program, programs

torch = pytest.importorskip("torch")

_THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"


def _budget(ci: int, thorough: int) -> Any:
    count = int(os.environ.get("FUZZ_EXAMPLES", thorough if _THOROUGH else ci))
    return settings(
        max_examples=count,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=not _THOROUGH,
    )


def _numbers(x: Any) -> np.ndarray:
    if x is None:
        return None  # type: ignore[return-value]
    if isinstance(x, ag.Tensor):
        return np.asarray(x.data, dtype=np.float64)
    if isinstance(x, ag.Value):
        return np.asarray(x.data, dtype=np.float64)
    if isinstance(x, torch.Tensor):
        if x._is_zerotensor():
            return np.zeros(tuple(x.shape))
        return x.detach().numpy().astype(np.float64)
    return np.asarray(x, dtype=np.float64)


# Edge programs compute with ±1e300: sums of such terms that cancel leave a residue of a few ulps
# of 1e300 that depends on the order of the additions, so differences below this are not compared.
EDGE_NOISE = 64 * np.finfo(np.float64).eps * 1e300


def agree(ours: Any, theirs: Any, what: str, rtol: float = 1e-6, noise: float = 0.0) -> None:
    """Same shape, NaN and inf in the same places, finite numbers close (relative to the
    tensor's own scale, so a difference in the last bits of a large sum is not a mismatch)."""
    a, b = _numbers(ours), _numbers(theirs)
    if a is None or b is None:  # an unused input: None on one side, zeros on the other
        other = b if a is None else a
        assert other is None or not np.any(other), f"{what}: {a} vs PyTorch {b}"
        return
    assert a.shape == b.shape, f"{what}: shape {a.shape} vs PyTorch {b.shape}"
    assert np.array_equal(np.isnan(a), np.isnan(b)), f"{what}: NaN at other places\n{a}\n{b}"
    inf_a, inf_b = np.isinf(a), np.isinf(b)
    assert np.array_equal(inf_a, inf_b) and np.array_equal(a[inf_a], b[inf_b]), (
        f"{what}: inf\n{a}\n{b}"
    )
    finite = np.isfinite(b)
    scale = max(1.0, float(np.max(np.abs(b[finite]), initial=0.0)))
    atol = max(rtol * scale, noise)
    np.testing.assert_allclose(a[finite], b[finite], rtol=rtol, atol=atol, err_msg=what)


JUMPS = re.compile(
    r"\.(floor|ceil|round|trunc|sign|frac)\(|op\('(remainder|fmod|div\(rounded\))|//|%"
)


def _weights(lib: Any, shape: tuple[int, ...], dtype: Any) -> Any:
    n = int(np.prod(shape))
    return lib.tensor(np.linspace(-1.0, 1.5, n).reshape(shape), dtype=dtype)


def _loss(lib: Any, out: Any, dtype: Any) -> Any:
    return (out * _weights(lib, tuple(out.shape), dtype)).sum()


def _run_both(prog: Program, dtype: str) -> tuple[Any, Any] | None:
    """The program on both libraries, or None when both refuse it (same error class)."""
    try:
        theirs = prog.run(torch, getattr(torch, dtype))
    except (RuntimeError, IndexError, ValueError, TypeError) as err:
        with pytest.raises(Exception):  # noqa: B017 - PyTorch refused: dagrad must refuse too
            prog.run(ag, getattr(ag, dtype))
        assert err
        return None
    ours = prog.run(ag, getattr(ag, dtype))
    return ours, theirs


def compare(prog: Program, dtype: str = "float64", edge: bool = False) -> None:
    rtol = 1e-6 if dtype == "float64" else 1e-3
    noise = EDGE_NOISE if edge else 0.0
    both = _run_both(prog, dtype)
    if both is None:
        return
    (leaves, out), (t_leaves, t_out) = both
    agree(out, t_out, "value", rtol, noise)
    if not t_out.requires_grad or t_out.numel() == 0:
        return
    # backward(): leaves' .grad
    _loss(torch, t_out, getattr(torch, dtype)).backward()
    _loss(ag, out, getattr(ag, dtype)).backward()
    for k, (x, tx) in enumerate(zip(leaves, t_leaves)):
        agree(x.grad, tx.grad, f"backward(): gradient of v{k}", rtol, noise)
    # grad(): the same numbers, .grad untouched
    (leaves, out), (t_leaves, t_out) = _run_both(prog, dtype)  # type: ignore[misc]
    ours = ag.grad(_loss(ag, out, getattr(ag, dtype)), leaves, allow_unused=True)
    theirs = torch.autograd.grad(
        _loss(torch, t_out, getattr(torch, dtype)), t_leaves, allow_unused=True
    )
    for k, (g, tg) in enumerate(zip(ours, theirs)):
        agree(g, tg, f"grad(): gradient of v{k}", rtol, noise)
    assert all(x.grad is None for x in leaves)
    if dtype == "float64":
        _second_order(prog, noise)


def _second_order(prog: Program, noise: float = 0.0) -> None:
    results = []
    for lib, grad in ((ag, ag.grad), (torch, torch.autograd.grad)):
        leaves, out = prog.run(lib)
        first = grad(_loss(lib, out, lib.float64), leaves, create_graph=True, allow_unused=True)
        terms = [
            (g * _weights(lib, tuple(g.shape), lib.float64)).sum()
            for g in first
            if g is not None and g.requires_grad
        ]
        if not terms:
            results.append([None] * len(leaves))
            continue
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        results.append(list(grad(total, leaves, allow_unused=True)))
    for k, (g, tg) in enumerate(zip(*results)):
        # At an input that is NaN or ±inf the selecting ops differ on purpose (README): PyTorch's
        # double backward of relu, abs, where... multiplies a zero by a NaN or an infinity (NaN),
        # dagrad's selects the branch.
        not_finite = ~np.isfinite(np.asarray(prog.leaves[k][1], dtype=np.float64))
        if not_finite.any() and g is not None and tg is not None:
            g, tg = (np.where(not_finite, 0.0, _numbers(v)) for v in (g, tg))
        if noise and g is not None and tg is not None:
            # An overflowing second derivative (edge programs): the same infinite terms added in
            # another grouping (README: c / x is one node here, two in PyTorch) give inf - inf
            a, b = _numbers(g), _numbers(tg)
            g, tg = np.where(np.isnan(a) & np.isinf(b), b, a), b
        agree(g, tg, f"second derivative for v{k}", 1e-5, noise)


@_budget(ci=120, thorough=12000)
@given(programs())
def test_tensor_programs_match_pytorch(prog: Program) -> None:
    compare(prog)


@_budget(ci=60, thorough=8000)
@given(programs(edge=True))
def test_tensor_programs_at_edge_values_match_pytorch(prog: Program) -> None:
    compare(prog, edge=True)


def test_an_overflowing_second_derivative_may_be_nan_for_pytorchs_inf() -> None:
    # (found by a thorough run: cos(2 / v0) at 1e-300; README, "Semantics worth knowing")
    prog = Program(
        leaves=[((), np.array(1e-300)), ((), np.array(0.0))],
        lines=["v2 = 2.0 / v0", "v3 = v2.cos()"],
        shapes=[(), (), (), ()],
    )
    compare(prog, edge=True)
    leaves, out = prog.run(ag)
    (first,) = ag.grad(out, leaves[:1], create_graph=True)
    (second,) = ag.grad(first, leaves[:1])
    assert np.isinf(first.data) and np.isnan(second.data)  # what the tolerance is for


@_budget(ci=40, thorough=2000)
@given(programs())
def test_float32_programs_match_pytorch(prog: Program) -> None:
    # NumPy's float32 transcendentals may be an ulp off where PyTorch's are correctly rounded
    # (tanh(9.5625) = 0.99999994 for 1.0); a jump (floor, remainder...) turns that into a whole
    # unit, so float32 programs with jumps are left to the float64 tests
    assume(not JUMPS.search(prog.code()))
    compare(prog, "float32")


def _run_values(prog: Program) -> tuple[list[ag.Value], ag.Value]:
    env: dict[str, Any] = {"t": ag, "DT": ag.float64}
    leaves = [ag.Value(float(data)) for _, data in prog.leaves]
    env.update({f"v{i}": v for i, v in enumerate(leaves)})
    exec("\n".join(prog.lines), env)  # noqa: S102 - our own generated test program
    return leaves, env[prog.out]


def compare_values(prog: Program, edge: bool = False) -> None:
    noise = EDGE_NOISE if edge else 0.0
    leaves, out = _run_values(prog)
    t_leaves, t_out = prog.run(torch)
    agree(out, t_out, "value", noise=noise)
    if not t_out.requires_grad:
        return
    out.backward()
    t_out.backward()
    for k, (v, tv) in enumerate(zip(leaves, t_leaves)):
        agree(v.grad, 0.0 if tv.grad is None else tv.grad, f"gradient of v{k}", noise=noise)


@_budget(ci=100, thorough=6000)
@given(programs(value_only=True))
def test_value_programs_match_pytorch(prog: Program) -> None:
    compare_values(prog)


@_budget(ci=50, thorough=4000)
@given(programs(edge=True, value_only=True))
def test_value_programs_at_edge_values_match_pytorch(prog: Program) -> None:
    compare_values(prog, edge=True)
