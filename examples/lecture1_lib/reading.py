"""A short reading of our numbers against the lecture's, worked out from the numbers themselves.

Every sentence is chosen by a comparison below, never written in advance: a rerun on other data or
with another seed reads differently if its numbers differ.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .lecture import LECTURE_MAE, LECTURE_WEIGHTS
from .models import TABLES
from .results import Trained

# a change smaller than this fraction of a row's mean counts as "flat"
FLAT_FRACTION = 0.02


def _moves(values: Sequence[float]) -> list[int]:
    """-1, 0 or +1 for each step left to right; steps within the tolerance count as 0."""
    tol = FLAT_FRACTION * float(np.mean(values))
    return [int(np.sign(step)) if abs(step) > tol else 0 for step in np.diff(values)]


def shape(values: Sequence[float]) -> str:
    """How a row of losses moves from left to right: "falls, then flattens", "rises", ..."""
    moves = _moves(values)
    runs = [moves[0]] + [m for prev, m in zip(moves, moves[1:]) if m != prev]
    words = {-1: "falls", 1: "rises", 0: "flattens"}
    phrase = ", then ".join(words[m] for m in runs)
    if runs[0] == 0:
        phrase = "stays flat" + phrase[len("flattens") :]
    steps = np.diff(values)
    if runs == [-1] and len(steps) > 1:
        phrase = "falls at every step"
        if abs(steps[-1]) < abs(steps[0]) / 3:
            phrase += ", by less each time"
    return phrase


def _direction(values: Sequence[float]) -> int:
    """+1 if the row ends clearly higher than it starts, -1 if clearly lower, else 0."""
    tol = FLAT_FRACTION * float(np.mean(values))
    change = values[-1] - values[0]
    return int(np.sign(change)) if abs(change) > tol else 0


def _arrow(values: Sequence[float], fmt: str) -> str:
    return " -> ".join(format(v, fmt) for v in values)


def _compare_rows(label: str, lecture: Sequence[float], ours: Sequence[float]) -> str:
    theirs, mine = shape(lecture), shape(ours)
    if theirs == mine:
        verdict = "the same pattern"
    elif _direction(lecture) == _direction(ours):
        overall = {-1: "lower", 1: "higher", 0: "level"}[_direction(ours)]
        verdict = f"the same overall direction (ends {overall}), by a different path"
    else:
        verdict = "a different pattern"
    return (
        f"- {label}: lecture {_arrow(lecture, '.2f')} ({theirs}); "
        f"ours {_arrow(ours, '.3f')} ({mine}): {verdict}."
    )


def table_patterns(results: dict[str, Trained]) -> list[str]:
    """For each lecture table, how L and L' move across its columns, theirs beside ours."""
    lines = []
    for title, specs in TABLES:
        names = [spec.name for spec in specs]
        if not all(name in LECTURE_MAE for name in names):
            continue  # the sigmoid table has no lecture numbers; see sigmoid_vs_relu
        topic = title.split(" (")[0]
        for which, label in ((0, "L"), (1, "L'")):
            lecture = [LECTURE_MAE[name][which] for name in names]
            ours = [
                results[name].train_mae if which == 0 else results[name].test_mae for name in names
            ]
            lines.append(_compare_rows(f"{topic}, {label}", lecture, ours))
    return lines


def overfitting(results: dict[str, Trained]) -> str:
    """Where adding layers stops helping on unseen days while it still helps on training days
    (the lecture: from 3 to 4 layers, L 0.14k -> 0.10k but L' 0.38k -> 0.44k)."""
    names = [spec.name for spec in TABLES[-1][1]]
    train = [results[n].train_mae for n in names]
    test = [results[n].test_mae for n in names]
    tol = FLAT_FRACTION * float(np.mean(train))
    best = int(np.argmin(test))
    lecture = "in the lecture, L' is lowest with 3 layers and the 4th overfits"
    if best == len(names) - 1:
        ours = f"ours predicts best with the deepest model ({names[best]}, L' {test[best]:.3f}): "
        return f"- Depth and overfitting: {lecture}; {ours}no overfitting from depth."
    if train[-1] < train[best] - tol:
        ours = (
            f"ours has L' lowest with {names[best]} ({test[best]:.3f}) while more layers still "
            f"lower L ({train[best]:.3f} -> {train[-1]:.3f}; L' {test[best]:.3f} -> "
            f"{test[-1]:.3f}): it overfits too, "
        )
        ours += "at the same depth" if best == 2 else f"from {names[best + 1]} on"
    else:
        ours = (
            f"ours has L' lowest with {names[best]} ({test[best]:.3f}) and deeper models do not "
            f"fit the training days better either (L {_arrow(train, '.3f')})"
        )
    return f"- Depth and overfitting: {lecture}; {ours}."


def networks_vs_linear(results: dict[str, Trained]) -> str:
    """Do the networks beat the 56-day linear model on the unseen days, as in the lecture?"""
    linear = results["linear 56d"].test_mae
    networks = {n: r.test_mae for n, r in results.items() if r.spec.hidden}
    best = min(networks, key=networks.__getitem__)
    beaten_by = sorted(n for n, v in networks.items() if v < linear)
    if not beaten_by:
        ours = f"none of ours does: the best, {best}, has L' {networks[best]:.3f} vs {linear:.3f}"
    else:
        ours = (
            f"{len(beaten_by)} of our {len(networks)} networks do "
            f"(best: {best}, L' {networks[best]:.3f} vs {linear:.3f})"
        )
    return (
        "- Networks vs the 56-day linear model on unseen days: in the lecture every network "
        f"beats it (L' 0.38k-0.45k vs 0.46k); {ours}."
    )


def sigmoid_vs_relu(results: dict[str, Trained]) -> str:
    """The lecture leaves "which one is better?" open; say what ours shows at each width."""
    parts = []
    for units in (10, 100, 1000):
        relu, sigmoid = results[f"{units} ReLU"], results[f"{units} sigmoid"]
        fits = _better(relu.train_mae, sigmoid.train_mae)
        predicts = _better(relu.test_mae, sigmoid.test_mae)
        parts.append(
            f"{units} units: L {relu.train_mae:.3f} vs {sigmoid.train_mae:.3f} ({fits}), "
            f"L' {relu.test_mae:.3f} vs {sigmoid.test_mae:.3f} ({predicts})"
        )
    return "- ReLU vs sigmoid (no lecture numbers): " + "; ".join(parts) + "."


def _better(relu: float, sigmoid: float) -> str:
    if abs(relu - sigmoid) <= FLAT_FRACTION * (relu + sigmoid) / 2:
        return "about equal"
    return "ReLU lower" if relu < sigmoid else "sigmoid lower"


def weight_reading(results: dict[str, Trained]) -> list[str]:
    """What the linear models learned: persistence (1 day) and the weekly cycle (7 days)."""
    lines = []
    one = results["linear 1d"].linear
    seven = results["linear 7d"].linear
    if one is not None:
        w = float(one[1][0])
        lecture_w = LECTURE_WEIGHTS["linear 1d"][1][0]
        how = (
            "both close to 1: tomorrow is predicted as about today"
            if abs(w - 1) < 0.1
            else f"ours pulls today's value towards the mean (w {'<' if w < 1 else '>'} 1)"
        )
        lines.append(f"- 1-day model: w = {lecture_w:.2f} in the lecture, {w:.2f} here; {how}.")
    if seven is not None:
        lecture_top = _top_lags(np.array(LECTURE_WEIGHTS["linear 7d"][1]))
        our_top = _top_lags(seven[1])
        weekly = {1, 6, 7}
        verdict = (
            "the same days"
            if set(our_top) == set(lecture_top)
            else "a weekly cycle too"
            if 1 in our_top and weekly & set(our_top[1:])
            else "a different pattern"
        )
        lines.append(
            "- 7-day model, three largest weights: lecture "
            + ", ".join(f"w{j}" for j in lecture_top)
            + "; ours "
            + ", ".join(f"w{j}" for j in our_top)
            + f" - {verdict} (w1 = yesterday, w7 = the same weekday last week)."
        )
    return lines


def _top_lags(weights: np.ndarray, count: int = 3) -> list[int]:
    return [int(j) + 1 for j in np.argsort(-weights)[:count]]


def reading(results: dict[str, Trained]) -> str:
    lines = table_patterns(results)
    lines += [overfitting(results), networks_vs_linear(results), sigmoid_vs_relu(results)]
    lines += weight_reading(results)
    return "\n".join(lines)


def overfitting_in_time(results: dict[str, Trained]) -> list[str]:
    """For 1-4 layers of ReLUs: when L' was lowest, and how L and L' moved after that epoch."""
    lines = []
    rising = 0
    names = [spec.name for spec in TABLES[-1][1]]
    for name in names:
        trained = results[name]
        best = int(np.argmin(trained.test_history))
        low, end = trained.test_history[best], trained.test_history[-1]
        train_then, train_end = trained.loss_history[best], trained.loss_history[-1]
        overfits = end > low * (1 + 5 * FLAT_FRACTION) and train_end < train_then
        rising += overfits
        after = (
            f"after it L fell {train_then:.3f} -> {train_end:.3f} while L' rose to {end:.3f}"
            if overfits
            else f"at the end L {train_end:.3f}, L' {end:.3f}"
        )
        lines.append(f"- {name}: L' lowest ({low:.3f}) after epoch {best + 1}; {after}.")
    lines.append(
        f"- In {rising} of these {len(names)} networks the unseen-day loss ended more than "
        f"{5 * FLAT_FRACTION:.0%} above its lowest while the training loss kept falling "
        "(overfitting.png; L' is computed for the picture only and chooses nothing)."
    )
    return lines
