"""Smoke test of the benchmark harness (benchmarks/): its --quick-est mode runs end to end on
dagrad and the floors, and the hand-written floors compute the same losses and gradients as
dagrad (so the floor ratios compare like with like). No timing is asserted: this machine is
shared and noisy."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("sklearn", reason="the benchmark datasets come from scikit-learn")

from benchmarks import records, scalar_suite, tensor_suite, timing  # noqa: E402
from benchmarks.adapters import dagrad_tensor, dagrad_value, floor_numpy, floor_python  # noqa: E402
from benchmarks.run import main  # noqa: E402
from benchmarks.workloads import digits  # noqa: E402


def test_scalar_floor_matches_dagrad_value() -> None:
    errors = scalar_suite.check_gradients(dagrad_value, floor_python)
    assert set(errors) == {"S1", "S2", "S3"}
    for workload, err in errors.items():
        assert err <= scalar_suite.SCALAR_RTOL, f"{workload}: relative error {err}"


def test_tensor_floor_matches_dagrad_tensor() -> None:
    errors = tensor_suite.check_gradients(dagrad_tensor, floor_numpy, digits())
    assert set(errors) == {"T1", "T2", "T3"}
    for workload, err in errors.items():
        assert err <= tensor_suite.TENSOR_RTOL, f"{workload}: relative error {err}"


def test_a_wrong_gradient_is_caught() -> None:
    # the check must be able to fail: perturb one floor gradient and compare again
    loss, grads = floor_python.MoonsMLP(
        [([[0.5, -0.25]], [0.1])], [[1.0, 2.0]], [1.0], 1e-4
    ).loss_and_grads()
    wrong = list(grads)
    wrong[0] *= 1.001
    assert records.relative_error([grads], [wrong]) > scalar_suite.SCALAR_RTOL
    assert records.relative_error([grads], [grads]) == 0.0
    assert loss == pytest.approx(1.0 - (0.5 * 1.0 - 0.25 * 2.0 + 0.1) + 1e-4 * (0.3125 + 0.01))


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
    ok_timing = result["ok"]
    assert isinstance(ok_timing, timing.Timing)
    assert calls["ok"] == 4 and len(ok_timing.runs) == 3  # one warm-up, three timed


def test_quickest_run_end_to_end(tmp_path, capsys, monkeypatch) -> None:
    # --threads sets these variables and NumPy's BLAS pool: undo both afterwards
    for var in ("DAGRAD_BENCH_THREADS", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        monkeypatch.delenv(var, raising=False)
    threadpoolctl = pytest.importorskip("threadpoolctl")
    out = tmp_path / "latest.json"
    engines = "dagrad_value,dagrad_tensor"
    with threadpoolctl.threadpool_limits():
        argv = ["--quick-est", "--engines", engines, "--threads", "1", "--out", str(out)]
        assert main(argv) == 0
    results = json.loads(out.read_text())
    seen = {(r["workload"], r["engine"]) for r in results["records"]}
    for workload in ("S1", "S2", "S3"):
        assert {(workload, "floor_python"), (workload, "dagrad_value")} <= seen
    for workload in ("T1", "T2", "T3"):
        assert {(workload, "floor_numpy"), (workload, "dagrad_tensor")} <= seen
    assert ("T4", "numpy_matmul") in seen
    for r in results["records"]:
        assert r["error"] is None, r
        assert r["timing"]["median_s"] > 0
        if r["workload"] != "T4":
            assert r["extra"]["grads_match_floor"], r
    t1 = [r for r in results["records"] if r["workload"] == "T1"]
    assert all(0.0 <= r["extra"]["test_accuracy"] <= 1.0 for r in t1)
    assert results["machine"]["numpy_blas"]["threads"] in (1, None)
    assert results["memory"]["steady_tensor"]["steps"] == 60
    assert {t["name"] for t in results["targets"]} >= {"S1 vs floor", "T3 vs floor"}
    table = capsys.readouterr().out
    assert "| workload | case | engine | median | x floor | x dagrad | notes |" in table
    assert "dagrad Tensor" in table and "floor (NumPy)" in table
