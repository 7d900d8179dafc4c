"""The cubic fit with an optimizer (RMSprop) doing the updates."""

import math

import torch

torch.manual_seed(0)
x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)

model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
loss_fn = torch.nn.MSELoss(reduction="sum")
optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)

losses = []
for step in range(2000):
    y_pred = model(xx)
    loss = loss_fn(y_pred, y)
    if step % 100 == 99:
        losses.append(loss.item())
        print(step, loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

linear_layer = model[0]
coefficients = [linear_layer.bias.item()] + linear_layer.weight.detach().flatten().tolist()
print("Result: y = {} + {} x + {} x^2 + {} x^3".format(*coefficients))
result = {"coefficients": coefficients, "losses": losses}
