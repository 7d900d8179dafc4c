"""The one random generator behind ``rand``/``randn``/``randint``/``randperm``, ``nn.init``,
Dropout and DataLoader shuffling, so ``manual_seed(n)`` makes a whole run repeat exactly.

It starts from a fixed seed (a fresh process gives the same numbers every run). ``Generator`` is
PyTorch's name for a separately seeded one
(``DataLoader(..., generator=Generator().manual_seed(0))``);
a ``numpy.random.Generator`` is accepted wherever a generator is.
"""

from __future__ import annotations

from typing import Any

import numpy as np

DEFAULT_SEED = 0


class Generator:
    """A seedable source of random numbers (wraps ``numpy.random.Generator``)."""

    def __init__(self, device: str = "cpu") -> None:
        self._seed = DEFAULT_SEED
        self.rng = np.random.default_rng(DEFAULT_SEED)

    def manual_seed(self, seed: int) -> Generator:
        self._seed = _check_seed(seed)
        self.rng = np.random.default_rng(self._seed)
        return self

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> dict[str, Any]:
        return dict(self.rng.bit_generator.state)

    def set_state(self, state: dict[str, Any]) -> Generator:
        self.rng.bit_generator.state = state
        return self


def _check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"manual_seed(): seed must be a non-negative integer, got {seed!r}")
    return int(seed)


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Reset the shared generator to ``seed``; returns it (as ``torch.manual_seed``)."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the shared generator from the operating system's entropy; returns the seed."""
    s = int(np.random.SeedSequence().entropy) % (2**63)  # type: ignore[arg-type]
    default_generator.manual_seed(s)
    return s


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> dict[str, Any]:
    return default_generator.get_state()


def set_rng_state(state: dict[str, Any]) -> None:
    default_generator.set_state(state)


def rng(generator: Any = None) -> np.random.Generator:
    """The NumPy generator to draw from: ``generator``'s, else the shared one."""
    if generator is None:
        return default_generator.rng
    if isinstance(generator, Generator):
        return generator.rng
    if isinstance(generator, np.random.Generator):
        return generator
    raise TypeError(
        f"generator must be an autograd.Generator or a numpy.random.Generator, got a "
        f"{type(generator).__name__}"
    )
