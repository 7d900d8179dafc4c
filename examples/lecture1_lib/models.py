"""The lecture's models, from a linear model on one day to four layers of 100 ReLUs."""

from __future__ import annotations

from dataclasses import dataclass

import nn

# Adam's step is about lr per update whatever the gradient's size; a linear model's weights must
# travel ~1 from their initial values, which takes 1e-3 steps too many epochs, and a convex
# problem tolerates the larger step. Networks keep Adam's usual 1e-3.
LINEAR_LR = 1e-2
NETWORK_LR = 1e-3


@dataclass(frozen=True)
class ModelSpec:
    name: str  # also the key into lecture.LECTURE_MAE
    days: int  # days of history seen
    hidden: tuple[int, ...] = ()  # widths of the hidden layers; () is the linear model
    activation: str = "ReLU"  # "ReLU" or "sigmoid"

    @property
    def lr(self) -> float:
        return LINEAR_LR if not self.hidden else NETWORK_LR

    def build(self) -> nn.Module:
        """A fresh model; its initial weights come from the generator nn.init is seeded with."""
        return nn.MLP(self.days, list(self.hidden), 1, activation=self.activation.lower())


def _linear(days: int) -> ModelSpec:
    return ModelSpec(f"linear {days}d", days)


def _wide(units: int, activation: str) -> ModelSpec:
    return ModelSpec(f"{units} {activation}", 56, (units,), activation)


def _deep(layers: int) -> ModelSpec:
    return ModelSpec(f"{layers} x 100 ReLU", 56, (100,) * layers)


# one entry per table of the lecture: (title, models in column order). A model that appears in
# two tables (the 56-day linear model, one layer of 100 ReLUs) is trained once.
TABLES: list[tuple[str, list[ModelSpec]]] = [
    ("Linear models: days of history (p.18-22)", [_linear(d) for d in (1, 7, 28, 56)]),
    (
        "One hidden layer of ReLUs, 56 days (p.49)",
        [_linear(56)] + [_wide(n, "ReLU") for n in (10, 100, 1000)],
    ),
    (
        "One hidden layer of sigmoids, 56 days (no lecture numbers)",
        [_linear(56)] + [_wide(n, "sigmoid") for n in (10, 100, 1000)],
    ),
    (
        "Layers of 100 ReLUs, 56 days (p.52, p.58-60)",
        [_wide(100, "ReLU")] + [_deep(n) for n in (2, 3, 4)],
    ),
]


def all_models() -> list[ModelSpec]:
    """Every model of the tables once, in table order."""
    unique: dict[str, ModelSpec] = {}
    for _, specs in TABLES:
        for spec in specs:
            unique.setdefault(spec.name, spec)
    return list(unique.values())
