"""Fit y = a + b x + c x^2 + d x^3 to sin(x) on [-pi, pi] with tensors, computing the gradients
by hand (no autograd)."""

import math

import torch

dtype = torch.float
device = torch.device("cpu")
# device = torch.device("cuda:0")  # a GPU would go here

torch.manual_seed(0)
x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
y = torch.sin(x)

a = torch.randn((), device=device, dtype=dtype)
b = torch.randn((), device=device, dtype=dtype)
c = torch.randn((), device=device, dtype=dtype)
d = torch.randn((), device=device, dtype=dtype)

learning_rate = 1e-6
losses = []
for step in range(2000):
    y_pred = a + b * x + c * x**2 + d * x**3
    loss = (y_pred - y).pow(2).sum().item()
    if step % 100 == 99:
        losses.append(loss)
        print(step, loss)

    # d loss / d y_pred, then the chain rule to each coefficient
    grad_y_pred = 2.0 * (y_pred - y)
    grad_a = grad_y_pred.sum()
    grad_b = (grad_y_pred * x).sum()
    grad_c = (grad_y_pred * x**2).sum()
    grad_d = (grad_y_pred * x**3).sum()

    a -= learning_rate * grad_a
    b -= learning_rate * grad_b
    c -= learning_rate * grad_c
    d -= learning_rate * grad_d

print(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")
result = {"coefficients": [a.item(), b.item(), c.item(), d.item()], "losses": losses}
