"""The cubic fit as a linear layer over the features (x, x^2, x^3), with nn's MSELoss and the
update written by hand."""

import math

import torch

torch.manual_seed(0)
x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

# (2000,) -> (2000, 3): the three powers of each x
p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)

model = torch.nn.Sequential(
    torch.nn.Linear(3, 1),
    torch.nn.Flatten(0, 1),
)
loss_fn = torch.nn.MSELoss(reduction="sum")

learning_rate = 1e-6
losses = []
for step in range(2000):
    y_pred = model(xx)
    loss = loss_fn(y_pred, y)
    if step % 100 == 99:
        losses.append(loss.item())
        print(step, loss.item())

    model.zero_grad()
    loss.backward()
    with torch.no_grad():
        for param in model.parameters():
            param -= learning_rate * param.grad

linear_layer = model[0]
coefficients = [
    linear_layer.bias.item(),
    linear_layer.weight[:, 0].item(),
    linear_layer.weight[:, 1].item(),
    linear_layer.weight[:, 2].item(),
]
print("Result: y = {} + {} x + {} x^2 + {} x^3".format(*coefficients))
result = {"coefficients": coefficients, "losses": losses}
