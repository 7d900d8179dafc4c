"""Smoke test of the benchmark harness (benchmarks/): its --quick-est mode runs end to end on
dagrad and the floors, and the hand-written floors compute the same losses and gradients as
dagrad and PyTorch (so the floor ratios compare like with like). No timing is asserted: this
machine is shared and noisy."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

pytest.importorskip("sklearn", reason="the benchmark datasets come from scikit-learn")

import optim  # noqa: E402
from autograd import Tensor  # noqa: E402
from benchmarks import records, scalar, tensor, timing  # noqa: E402
from benchmarks.adapters import load  # noqa: E402
from benchmarks.adapters.floor_numpy import SGD, Adam  # noqa: E402
from benchmarks.run import main  # noqa: E402
from benchmarks.workloads import CNN, cnn_init, digits, random_batch  # noqa: E402


def test_scalar_floor_matches_dagrad_value() -> None:
    floor = load("floor_python")[0]
    for name in ("dagrad_value", "dagrad_value_per_op"):
        errors = scalar.check(load(name)[0], floor)
        assert set(errors) == {"S1", "S2", "S3"}
        assert all(err <= scalar.RTOL for err in errors.values()), (name, errors)


@pytest.mark.parametrize("name", ["dagrad_tensor", "dagrad_tensor_tuned"])
def test_tensor_floor_matches_dagrad_tensor(name: str) -> None:
    engine = load(name)[0]
    errors = tensor.check(engine, load("floor_numpy")[0], digits())
    assert {"T1", "T2"} <= set(errors)
    assert all(err <= tensor.RTOL for err in errors.values()), errors


def test_cnn_floor_matches_pytorch() -> None:
    """T5's floor (channels-last im2col, col2im by strided adds, max-pool routing) against
    PyTorch's Conv2d/MaxPool2d/Linear gradients, float64, on 6 images."""
    pytest.importorskip("torch")
    torch_engine, floor = load("torch_cpu")[0], load("floor_numpy")[0]
    x, y = random_batch(CNN.sizes, 10, 6, "float64")
    got = floor.trainer(CNN, cnn_init("float64"), "float64")
    want = torch_engine.trainer(CNN, cnn_init("float64"), "float64")
    (gl, gg), (wl, wg) = got.grads(got.prepare(x, y)), want.grads(want.prepare(x, y))
    assert [g.shape for g in gg] == [w.shape for w in wg]
    assert records.relative_error([[gl], *gg], [[wl], *wg]) <= 1e-12
    # and a training step of each moves the weights the same way
    got.step(got.prepare(x, y))
    want.step(want.prepare(x, y))
    assert abs(got.grads(got.prepare(x, y))[0] - want.grads(want.prepare(x, y))[0]) < 1e-12


@pytest.mark.parametrize(
    ("floor", "name", "options"), [(SGD, "SGD", {"momentum": 0.9}), (Adam, "Adam", {})]
)
def test_floor_optimizers_equal_optim_bit_for_bit(floor: Any, name: str, options: dict) -> None:
    """The floors' in-place SGD and Adam do optim's operations in optim's order."""
    rng = np.random.default_rng(0)
    start = [rng.standard_normal((5, 3)).astype(np.float32), np.zeros(5, np.float32)]
    arrays = [a.copy() for a in start]
    params = [Tensor(a.copy(), requires_grad=True) for a in start]
    mine, theirs = floor(arrays, 0.01), getattr(optim, name)(params, lr=0.01, **options)
    for _ in range(5):
        grads = [rng.standard_normal(a.shape).astype(np.float32) for a in start]
        for p, g in zip(params, grads):
            p.grad = g
        mine.step(grads)
        theirs.step()
    for a, p in zip(arrays, params):
        np.testing.assert_array_equal(a, p.data)


def test_the_compiled_s1_row_runs_once_compile_exists() -> None:
    """Until autograd.compile exists the row says 'not available'; with a compile that
    records nothing (the identity) the same code trains, times and reports its first call."""
    from dataclasses import replace

    from benchmarks.plans import QUICKEST
    from benchmarks.targets import evaluate

    engines = {name: load(name)[0] for name in ("floor_python", "dagrad_value_compiled")}
    engines["dagrad_value_compiled"] = replace(
        engines["dagrad_value_compiled"], compile=lambda fn: fn, missing=None
    )
    got = scalar.run(engines, QUICKEST, {"S1", "S2"})
    row = next(r for r in got if r.engine == "dagrad_value_compiled")
    assert row.error is None and row.extra["grads_match_floor"]
    assert row.extra["first_step_s"] > 0
    assert {r.workload for r in got if r.engine == "dagrad_value_compiled"} == {"S1"}
    target = next(t for t in evaluate(got, None) if t.name.startswith("S1-compiled"))
    assert "first call" in target.measured and target.met is not None


def test_a_wrong_gradient_is_caught() -> None:
    grads = [np.array([1.0, -2.0]), np.array([0.5])]
    wrong = [grads[0] * 1.001, grads[1]]
    assert records.relative_error(grads, wrong) > tensor.RTOL
    assert records.relative_error(grads, grads) == 0.0


def test_interleaved_timing_isolates_a_failing_engine() -> None:
    calls = {"ok": 0, "deep": 0}

    def ok(_: object) -> None:
        calls["ok"] += 1

    def deep(_: object) -> None:
        calls["deep"] += 1
        raise RecursionError("maximum recursion depth exceeded")

    result = timing.measure_interleaved({"ok": ok, "deep": deep}, warmup=1, repeats=3)
    assert isinstance(result["deep"], RecursionError)
    assert calls["deep"] == 1  # no more turns after failing
    assert calls["ok"] == 4 and len(result["ok"]) == 3  # type: ignore[arg-type]


def test_quickest_run_end_to_end(tmp_path, capsys, monkeypatch) -> None:
    # --threads sets these variables and NumPy's BLAS pool: undo both afterwards
    for var in ("DAGRAD_BENCH_THREADS", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        monkeypatch.delenv(var, raising=False)
    threadpoolctl = pytest.importorskip("threadpoolctl")
    out = tmp_path / "latest.json"
    engines = "dagrad_value,dagrad_value_compiled,dagrad_tensor"
    with threadpoolctl.threadpool_limits():
        argv = ["--quick-est", "--engines", engines, "--threads", "1", "--out", str(out)]
        assert main(argv) == 0
    results = json.loads(out.read_text())
    seen = {(r["workload"], r["engine"]) for r in results["records"]}
    for workload in ("S1", "S2", "S3"):
        assert {(workload, "floor_python"), (workload, "dagrad_value")} <= seen
    for workload in ("T1", "T2", "T2-Adam", "T3", "T5"):
        assert {(workload, "floor_numpy"), (workload, "dagrad_tensor")} <= seen
    assert ("S1", "dagrad_value_compiled") in seen and ("T4", "numpy_matmul") in seen
    for r in results["records"]:
        if r["error"] is not None:  # only the rows whose engine feature is still being built
            assert r["error"].startswith("not available: "), r
            assert (r["workload"], r["engine"]) in {
                ("S1", "dagrad_value_compiled"),
                ("T5", "dagrad_tensor"),
            }
            continue
        assert r["timing"]["median_s"] > 0
        if r["workload"] != "T4":
            assert r["extra"]["grads_match_floor"], r
    t1 = [r for r in results["records"] if r["workload"] == "T1"]
    assert all(0.0 <= r["extra"]["test_accuracy"] <= 1.0 for r in t1)
    assert results["machine"]["numpy_blas"]["threads"] in (1, None)
    assert results["memory"]["steady_tensor"]["steps"] == 60
    names = {t["name"].split(" (")[0] for t in results["targets"]}
    assert {
        "S1 vs floor",
        "S1-compiled vs floor",
        "T1 vs floor",
        "T3 vs floor",
        "T5 vs floor",
    } <= names
    table = capsys.readouterr().out
    assert "| workload | case | engine | median | x floor | x dagrad | notes |" in table
    assert "dagrad Tensor" in table and "floor (NumPy)" in table
