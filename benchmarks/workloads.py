"""The standard workloads' sizes, data, initial weights and FLOP counts, each defined once.

Every engine starts from exactly these numbers, so losses and gradients compare number for number.
Weights are in PyTorch's layouts: Linear (out, in), Conv2d (out, in, kh, kw). NumPy only (the
HIPS autograd subprocess imports this module too; scikit-learn only inside the dataset makers).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

# --- S1-S3: scalar engines ----------------------------------------------------------------
ScalarLayer = tuple[list[list[float]], list[float]]  # (one weight row per neuron, biases)


@dataclass(frozen=True)
class Moons:
    """S1: micrograd's demo, MLP(2, [16, 16, 1]) on make_moons, SVM loss + L2, decaying SGD."""

    samples: int = 100
    sizes: tuple[int, ...] = (2, 16, 16, 1)
    steps: int = 100
    alpha: float = 1e-4

    def lr(self, step: int) -> float:
        return 1.0 - 0.9 * step / self.steps

    def data(self) -> tuple[list[list[float]], list[float]]:
        """make_moons(noise=0.1), labels -1/+1, as Python floats."""
        from sklearn.datasets import make_moons

        x, y = make_moons(n_samples=self.samples, noise=0.1, random_state=1)
        return x.tolist(), (y * 2.0 - 1.0).tolist()

    def weights(self) -> list[ScalarLayer]:
        """micrograd's initialisation: weights uniform in [-1, 1], biases zero."""
        rng = random.Random(1337)
        return [
            ([[rng.uniform(-1.0, 1.0) for _ in range(nin)] for _ in range(nout)], [0.0] * nout)
            for nin, nout in zip(self.sizes[:-1], self.sizes[1:])
        ]


CHAIN_MUL, CHAIN_ADD = 1.0001, 0.0001  # S2: x = x * CHAIN_MUL + CHAIN_ADD; two nodes per link


def wide_sum_inputs(n: int) -> tuple[list[float], list[float]]:
    """S3: the factors of sum(a_i * b_i)."""
    rng = random.Random(0)
    return [rng.uniform(-1, 1) for _ in range(n)], [rng.uniform(-1, 1) for _ in range(n)]


# --- T1-T5: tensor engines ------------------------------------------------------------------
@dataclass(frozen=True)
class Net:
    """A training setup: an MLP's layer widths (the CNN's: its input shape), batch, optimizer."""

    sizes: tuple[int, ...]
    batch: int
    lr: float = 0.1
    optimizer: str = "SGD"  # SGD with momentum 0.9, or Adam with PyTorch's defaults

    @property
    def parameters(self) -> int:
        return sum((nin + 1) * nout for nin, nout in zip(self.sizes[:-1], self.sizes[1:]))

    def step_flops(self, batch: int) -> int:
        """6 x parameters x batch: forward 2, backward 4 FLOPs per weight and example."""
        return 6 * self.parameters * batch


MOMENTUM = 0.9
DIGITS = Net((64, 128, 128, 10), batch=64)  # T1
LARGE = Net((784, 512, 512, 10), batch=128)  # T2 (batch 128 and 1024)
LARGE_ADAM = Net((784, 512, 512, 10), batch=128, lr=1e-3, optimizer="Adam")  # T2-Adam
CNN = Net((1, 28, 28), batch=64, lr=0.01)  # T5; the layers are fixed (cnn_init, pytorch_style)


def he_init(sizes: tuple[int, ...], dtype: str, seed: int = 0) -> list[np.ndarray]:
    """He-normal weights (std sqrt(2 / fan_in)), (out, in), and zero biases: W0, b0, W1, ..."""
    rng = np.random.default_rng(seed)
    out = []
    for nin, nout in zip(sizes[:-1], sizes[1:]):
        w = rng.standard_normal((nin, nout)) * np.sqrt(2.0 / nin)
        out += [np.ascontiguousarray(w.T, dtype=dtype), np.zeros(nout, dtype=dtype)]
    return out


def cnn_init(dtype: str, seed: int = 0) -> list[np.ndarray]:
    """T5's conv1, conv2 and linear weights and biases, He-normal and zero."""
    rng = np.random.default_rng(seed)
    shapes = [(16, 1, 3, 3), (32, 16, 3, 3), (10, 32 * 7 * 7)]
    out = []
    for shape in shapes:
        fan_in = int(np.prod(shape[1:]))
        w = rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)
        out += [w.astype(dtype), np.zeros(shape[0], dtype=dtype)]
    return out


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
    order = np.random.default_rng(0).permutation(len(data.data))
    cut = int(round(0.8 * len(order)))
    x, y = data.data / 16.0, data.target.astype(np.int64)
    return Dataset(x[order[:cut]], y[order[:cut]], x[order[cut:]], y[order[cut:]])


def random_batch(shape: tuple[int, ...], classes: int, batch: int, dtype: str) -> tuple:
    """T2 and T5: random inputs of ``shape`` per example and random class targets."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((batch, *shape)).astype(dtype)
    return x, rng.integers(0, classes, size=batch).astype(np.int64)


# T3: a chain of tiny elementwise ops on a 10-element tensor (TINY_MUL and TINY_ADD keep the
# values and gradients normal floats, no denormals)
TINY_OPS, TINY_MUL, TINY_ADD = ("mul", "add", "tanh"), 1.02, 0.001


def tiny_ops(n: int) -> list[str]:
    return [TINY_OPS[i % len(TINY_OPS)] for i in range(n)]


def tiny_input(dtype: str = "float32") -> np.ndarray:
    return np.random.default_rng(2).standard_normal(10).astype(dtype)


def tiny_chain(h: Any, ops: list[str], tanh: Callable[[Any], Any]) -> Any:
    """T3's forward pass, written once for every engine (``tanh`` is the engine's)."""
    for op in ops:
        h = h * TINY_MUL if op == "mul" else h + TINY_ADD if op == "add" else tanh(h)
    return h
