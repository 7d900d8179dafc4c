"""How much of each workload a run does: the full benchmark, --quick (about a minute) and
--quick-est (seconds: tiny sizes, for the smoke test). Workload definitions stay in
workloads.py; a plan only says how many sizes, steps and repeats."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    name: str
    # S1: steps trained and timed (the first `warmup` of them untimed); micrograd takes ~1 s a
    # step, so its own count is separate
    s1_samples: int
    s1_steps: int
    s1_peer_steps: int
    # S2 chain lengths (links; each is two nodes) and S3 widths, with their repeats
    s2_links: tuple[int, ...]
    s3_widths: tuple[int, ...]
    scalar_repeats: int
    # T1 epochs (the first untimed), T2 batch sizes and repeats, T3 chain length and repeats
    t1_epochs: int
    t1_train_limit: int | None  # use only this many training examples (None: all)
    t2_batches: tuple[int, ...]
    t2_repeats: int
    t3_ops: int
    t3_repeats: int
    # T4 matrix sizes and repeats
    t4_sizes: tuple[int, ...]
    t4_repeats: int
    # memory: steps of the steady-state loops, batch sizes of the peak probe (empty: skip)
    memory_tensor_steps: int
    memory_value_steps: int
    memory_peak_batches: tuple[int, ...]

    @property
    def s1_full(self) -> bool:
        """True when S1 trains long enough (100 steps) for its final loss and accuracy."""
        return self.s1_steps >= 100


FULL = Plan(
    name="full",
    s1_samples=100,
    s1_steps=100,
    s1_peer_steps=100,
    s2_links=(1_000, 10_000, 100_000, 1_000_000),
    s3_widths=(100_000, 1_000_000),
    scalar_repeats=3,
    t1_epochs=20,
    t1_train_limit=None,
    t2_batches=(128, 1024),
    t2_repeats=20,
    t3_ops=1000,
    t3_repeats=30,
    t4_sizes=(1024, 4096),
    t4_repeats=5,
    memory_tensor_steps=1000,
    memory_value_steps=1000,
    memory_peak_batches=(128, 1024),
)

QUICK = Plan(
    name="quick",
    s1_samples=100,
    s1_steps=100,
    s1_peer_steps=4,
    s2_links=(1_000, 10_000, 100_000, 1_000_000),
    s3_widths=(100_000,),
    scalar_repeats=1,
    t1_epochs=20,
    t1_train_limit=None,
    t2_batches=(128, 1024),
    t2_repeats=6,
    t3_ops=1000,
    t3_repeats=10,
    t4_sizes=(1024,),
    t4_repeats=3,
    memory_tensor_steps=1000,
    memory_value_steps=200,
    memory_peak_batches=(1024,),
)

QUICKEST = Plan(
    name="quick-est",
    s1_samples=8,
    s1_steps=3,
    s1_peer_steps=2,
    s2_links=(100, 1_000),
    s3_widths=(1_000,),
    scalar_repeats=1,
    t1_epochs=2,
    t1_train_limit=256,
    t2_batches=(16,),
    t2_repeats=2,
    t3_ops=60,
    t3_repeats=2,
    t4_sizes=(128,),
    t4_repeats=2,
    memory_tensor_steps=60,
    memory_value_steps=20,
    memory_peak_batches=(),
)

PLANS = {plan.name: plan for plan in (FULL, QUICK, QUICKEST)}
