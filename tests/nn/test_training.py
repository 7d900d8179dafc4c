"""Training Tensor models end to end: digits to >= 95% test accuracy, and the same loss curve as
PyTorch from the same initial weights."""

from __future__ import annotations

import time

import numpy as np
import pytest

import nn
from autograd import Tensor, no_grad


def _digits():
    datasets = pytest.importorskip("sklearn.datasets", reason="the digits come from scikit-learn")
    from sklearn.model_selection import train_test_split

    X, y = datasets.load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)  # pixels 0..16 -> 0..1
    return train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)


def _sgd_step(params, lr):
    for p in params:
        p.data -= lr * p.grad


def test_mlp_learns_digits_to_95_percent_in_a_few_seconds():
    x_train, x_test, y_train, y_test = _digits()
    started = time.perf_counter()
    nn.init.manual_seed(0)
    model = nn.MLP(64, [64], 10)
    loss_fn = nn.CrossEntropyLoss()
    loader = nn.data.DataLoader(x_train, y_train, batch_size=32, shuffle=True, seed=0)
    params = model.parameters()
    with no_grad():
        initial = (model(x_test).data.argmax(axis=1) == y_test).mean()
    for _ in range(40):
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            model.zero_grad()
            loss.backward()
            _sgd_step(params, 0.2)
    with no_grad():
        accuracy = (model(x_test).data.argmax(axis=1) == y_test).mean()
    seconds = time.perf_counter() - started
    assert initial < 0.3
    assert accuracy >= 0.95, f"test accuracy {accuracy:.3f}"
    assert seconds < 20, f"took {seconds:.1f} s"


def _copy_to_torch(torch, ours, theirs):
    with torch.no_grad():
        for (name, p), (their_name, q) in zip(ours.named_parameters(), theirs.named_parameters()):
            assert name == their_name and p.shape == tuple(q.shape)
            q.copy_(torch.from_numpy(p.data))


def _same_curve(torch, ours, theirs, loss_ours, loss_theirs, batches, lr):
    _copy_to_torch(torch, ours, theirs)
    params, their_params = ours.parameters(), list(theirs.parameters())
    for x_np, t_np in batches:
        loss = loss_ours(ours(Tensor(x_np)), t_np)
        ours.zero_grad()
        loss.backward()
        _sgd_step(params, lr)
        their_loss = loss_theirs(theirs(torch.from_numpy(x_np)), torch.from_numpy(t_np))
        theirs.zero_grad()
        their_loss.backward()
        with torch.no_grad():
            for q in their_params:
                q -= lr * q.grad
        assert loss.item() == pytest.approx(their_loss.item(), rel=1e-10, abs=1e-12)
    for p, q in zip(params, their_params):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-10, atol=1e-10)


def test_classifier_follows_pytorchs_loss_curve_for_20_steps():
    torch = pytest.importorskip("torch", reason="torch is the oracle for this comparison")
    rng = np.random.default_rng(0)
    ours = nn.MLP(8, [16, 12], 4, activation="tanh", dtype=np.float64)
    theirs = torch.nn.Sequential(
        torch.nn.Linear(8, 16),
        torch.nn.Tanh(),
        torch.nn.Linear(16, 12),
        torch.nn.Tanh(),
        torch.nn.Linear(12, 4),
    ).double()
    batches = [(rng.normal(size=(10, 8)), rng.integers(0, 4, size=10)) for _ in range(20)]
    _same_curve(
        torch, ours, theirs, nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss(), batches, 0.5
    )


def test_lecture_regression_follows_pytorchs_loss_curve_for_20_steps():
    torch = pytest.importorskip("torch", reason="torch is the oracle for this comparison")
    days = np.arange(300)
    series = np.sin(2 * np.pi * days / 7) + 0.01 * days  # a weekly cycle on a trend
    X, y = nn.data.lagged_pairs(series, 28)
    loader = nn.data.DataLoader(X, y.reshape(-1, 1), batch_size=32, shuffle=True, seed=1)
    batches = [(xb.data, yb.data) for _, (xb, yb) in zip(range(20), loader)]
    ours = nn.MLP(28, [20], 1, activation="sigmoid", dtype=np.float64)
    theirs = torch.nn.Sequential(
        torch.nn.Linear(28, 20), torch.nn.Sigmoid(), torch.nn.Linear(20, 1)
    ).double()
    _same_curve(torch, ours, theirs, nn.L1Loss(), torch.nn.L1Loss(), batches, 0.05)
