"""The cubic fit of sin(x), with the gradients computed by autograd."""

import math

import torch

dtype = torch.float
device = "cpu"
torch.set_default_device(device)

torch.manual_seed(0)
x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
y = torch.sin(x)

a = torch.randn((), dtype=dtype, requires_grad=True)
b = torch.randn((), dtype=dtype, requires_grad=True)
c = torch.randn((), dtype=dtype, requires_grad=True)
d = torch.randn((), dtype=dtype, requires_grad=True)

learning_rate = 1e-6
losses = []
for step in range(2000):
    y_pred = a + b * x + c * x**2 + d * x**3
    loss = (y_pred - y).pow(2).sum()
    if step % 100 == 99:
        losses.append(loss.item())
        print(step, loss.item())

    loss.backward()

    # the update must not be recorded in the graph
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None

print(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")
result = {"coefficients": [a.item(), b.item(), c.item(), d.item()], "losses": losses}
