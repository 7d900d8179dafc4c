"""A first taste of dagrad: fit y = sin(x) with a one-hidden-layer ReLU network.

Forward pass, MAE loss, backward pass and plain gradient descent, written out with Tensor ops.
"""

import numpy as np

from autograd import Tensor


def main(steps: int = 2000, hidden: int = 32, lr: float = 0.01, seed: int = 0) -> float:
    rng = np.random.default_rng(seed)
    x = np.linspace(-3, 3, 200, dtype=np.float32).reshape(-1, 1)
    y = np.sin(x)
    w1 = Tensor(rng.normal(0, 1.0, (1, hidden)), requires_grad=True, dtype=np.float32)
    b1 = Tensor(rng.uniform(-3, 3, hidden), requires_grad=True, dtype=np.float32)
    w2 = Tensor(rng.normal(0, 1 / hidden**0.5, (hidden, 1)), requires_grad=True, dtype=np.float32)
    b2 = Tensor(np.zeros(1), requires_grad=True, dtype=np.float32)
    params = [w1, b1, w2, b2]
    for step in range(steps + 1):
        pred = (Tensor(x) @ w1 + b1).relu() @ w2 + b2
        loss = (pred - y).abs().mean()
        for p in params:
            p.grad = None
        loss.backward()
        for p in params:
            p.data -= lr * p.grad
        if step % 250 == 0:
            print(f"step {step:4d}  MAE {loss.item():.4f}")
    return loss.item()


if __name__ == "__main__":
    main()
