"""The standard workloads, each defined once: sizes, data, initial weights, FLOP counts.

Every engine gets exactly the data and initial weights made here, so their losses and gradients
can be compared number for number. Only NumPy at import time (scikit-learn is imported by the two
dataset makers), because the HIPS autograd subprocess imports this module too.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

# --- scalar workloads (dagrad Value, micrograd, the pure-Python floor) -----------------------

ScalarLayer = tuple[list[list[float]], list[float]]  # (one weight row per neuron, biases)


@dataclass(frozen=True)
class MoonsConfig:
    """S1: micrograd's demo step, MLP(2, [16, 16, 1]) on make_moons, SVM loss + L2, SGD."""

    samples: int = 100
    sizes: tuple[int, ...] = (2, 16, 16, 1)
    steps: int = 100
    alpha: float = 1e-4
    seed: int = 1

    def lr(self, step: int) -> float:
        """micrograd's schedule: 1.0 at the first step, decaying linearly to 0.1."""
        return 1.0 - 0.9 * step / self.steps


def moons(cfg: MoonsConfig) -> tuple[list[list[float]], list[float]]:
    """make_moons(noise=0.1) with labels mapped to -1/+1, as Python floats."""
    from sklearn.datasets import make_moons

    x, y = make_moons(n_samples=cfg.samples, noise=0.1, random_state=cfg.seed)
    return x.tolist(), (y * 2.0 - 1.0).tolist()


def scalar_init(sizes: tuple[int, ...], seed: int = 1337) -> list[ScalarLayer]:
    """micrograd's initialisation: weights uniform in [-1, 1], biases zero (from a fixed seed)."""
    rng = random.Random(seed)
    layers = []
    for nin, nout in zip(sizes[:-1], sizes[1:]):
        rows = [[rng.uniform(-1.0, 1.0) for _ in range(nin)] for _ in range(nout)]
        layers.append((rows, [0.0] * nout))
    return layers


# S2: x = x * CHAIN_MUL + CHAIN_ADD, n times; two op nodes per link
CHAIN_MUL = 1.0001
CHAIN_ADD = 0.0001


def chain_nodes(links: int) -> int:
    return 2 * links


def wide_sum_inputs(n: int, seed: int = 0) -> tuple[list[float], list[float]]:
    """S3: the two factor lists of sum(a_i * b_i)."""
    rng = random.Random(seed)
    return [rng.uniform(-1, 1) for _ in range(n)], [rng.uniform(-1, 1) for _ in range(n)]


# --- tensor workloads (dagrad Tensor, PyTorch, HIPS autograd, MyGrad, the NumPy floor) -------

TensorLayer = tuple[np.ndarray, np.ndarray]  # (W of shape (in, out), b of shape (out,))


@dataclass(frozen=True)
class MLPConfig:
    """The tensor model: h = h @ W + b, ReLU on all but the last layer, mean softmax
    cross-entropy, SGD with momentum in PyTorch's convention."""

    sizes: tuple[int, ...]
    batch: int
    lr: float = 0.1
    momentum: float = 0.9
    dtype: str = "float32"

    @property
    def parameters(self) -> int:
        return sum((nin + 1) * nout for nin, nout in zip(self.sizes[:-1], self.sizes[1:]))

    def step_flops(self, batch: int | None = None) -> int:
        """6 x parameters x batch: forward 2, backward 4 FLOPs per weight and example."""
        return 6 * self.parameters * (self.batch if batch is None else batch)


DIGITS = MLPConfig(sizes=(64, 128, 128, 10), batch=64)  # T1
LARGE = MLPConfig(sizes=(784, 512, 512, 10), batch=128)  # T2 (batch 128 and 1024)


def he_init(sizes: tuple[int, ...], dtype: str, seed: int = 0) -> list[TensorLayer]:
    """He-normal weights (std sqrt(2 / fan_in)) and zero biases, drawn in float64 then cast."""
    rng = np.random.default_rng(seed)
    layers = []
    for nin, nout in zip(sizes[:-1], sizes[1:]):
        w = rng.standard_normal((nin, nout)) * np.sqrt(2.0 / nin)
        layers.append((w.astype(dtype), np.zeros(nout, dtype=dtype)))
    return layers


@dataclass(frozen=True)
class Dataset:
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    def astype(self, dtype: str) -> Dataset:
        return Dataset(
            self.x_train.astype(dtype), self.y_train, self.x_test.astype(dtype), self.y_test
        )


def digits() -> Dataset:
    """T1: scikit-learn's digits, pixels / 16, a fixed 80/20 split, in float64."""
    from sklearn.datasets import load_digits

    data = load_digits()
    x = data.data / 16.0
    y = data.target.astype(np.intp)
    order = np.random.default_rng(0).permutation(len(x))
    cut = int(round(0.8 * len(x)))
    train, test = order[:cut], order[cut:]
    return Dataset(x[train], y[train], x[test], y[test])


def batches(x: np.ndarray, y: np.ndarray, size: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Consecutive batches in a fixed order (no shuffling, so every engine sees the same steps);
    the last one may be short, as with PyTorch's DataLoader."""
    return [(x[i : i + size], y[i : i + size]) for i in range(0, len(x), size)]


def random_batch(sizes: tuple[int, ...], batch: int, dtype: str, seed: int = 1) -> tuple:
    """T2: a random input batch and random class targets."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, sizes[0])).astype(dtype)
    return x, rng.integers(0, sizes[-1], size=batch).astype(np.intp)


# T3: a chain of tiny elementwise ops, cycling through these three, on a 10-element tensor
TINY_OPS = ("mul", "add", "tanh")
TINY_MUL = 1.02  # with TINY_ADD: values and gradients stay normal floats (no denormals)
TINY_ADD = 0.001


def tiny_ops(n: int) -> list[str]:
    return [TINY_OPS[i % len(TINY_OPS)] for i in range(n)]


def tiny_input(size: int = 10, dtype: str = "float32", seed: int = 2) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(size).astype(dtype)


def matmul_flops(n: int) -> int:
    """T4: an n x n by n x n product."""
    return 2 * n**3
