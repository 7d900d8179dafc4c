"""How much of each workload a run does: the full run, --quick (a few minutes) and --quick-est
(seconds: tiny sizes, the smoke test's mode). The workloads themselves are in workloads.py."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    name: str
    s1_samples: int  # S1: examples, steps (every other one timed), micrograd's steps (~1 s each)
    s1_steps: int
    s1_peer_steps: int
    s2_links: tuple[int, ...]  # S2 chain lengths, S3 widths, and their repeats
    s3_widths: tuple[int, ...]
    scalar_repeats: int
    t1_epochs: int  # T1: epochs of one training (every other one timed), trainings, examples
    t1_trainings: int  # (each training starts again from the same weights: more timed epochs)
    t1_train_limit: int | None
    t2_batches: tuple[int, ...]  # T2 batch sizes; repeats of T2, T2-Adam and T5 steps
    t2_repeats: int
    t5_batch: int
    t3_ops: int
    t3_repeats: int
    t4_sizes: tuple[int, ...]
    t4_repeats: int
    memory_tensor_steps: int  # steady-state loops; T2 batch sizes of the peak probe
    memory_value_steps: int
    memory_peak_batches: tuple[int, ...]


# The tensor workloads take seconds of a full run's minutes: their repeats are many, so that one
# run's medians (and the ratios judged on them) hold on this shared machine.
FULL = Plan(
    "full", 100, 100, 100, (1_000, 10_000, 100_000, 1_000_000), (100_000, 1_000_000), 3,
    20, 4, None, (128, 1024), 60, 64, 1000, 100, (1024, 4096), 5, 1000, 1000, (128, 1024),
)  # fmt: skip
QUICK = Plan(
    "quick", 100, 100, 4, (1_000, 10_000, 100_000, 1_000_000), (100_000,), 1,
    20, 2, None, (128, 1024), 20, 64, 1000, 30, (1024,), 3, 1000, 200, (1024,),
)  # fmt: skip
QUICKEST = Plan(
    "quick-est", 8, 3, 2, (100, 1_000), (1_000,), 1,
    2, 1, 256, (16,), 2, 4, 60, 2, (128,), 2, 60, 20, (),
)  # fmt: skip
PLANS = {plan.name: plan for plan in (FULL, QUICK, QUICKEST)}
