"""A typical training script: a Dataset over generated data, DataLoaders for training and
validation, an MLP as an nn.Module subclass with Dropout, Adam with a learning-rate schedule,
early stopping on the validation loss, and the best model saved as a checkpoint and restored
for the final test."""

import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(0)
torch.backends.cudnn.benchmark = True  # only matters on a GPU
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


class Waves(Dataset):
    """y = sin(3 x0) + 0.5 x1^2 - x0 x1 + noise, for rows of x drawn from [-1, 1]^2."""

    def __init__(self, count, seed):
        rng = np.random.default_rng(seed)
        self.x = rng.uniform(-1, 1, size=(count, 2)).astype(np.float32)
        clean = np.sin(3 * self.x[:, 0]) + 0.5 * self.x[:, 1] ** 2 - self.x[:, 0] * self.x[:, 1]
        self.y = (clean + rng.normal(0, 0.05, count)).astype(np.float32)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, index):
        return torch.from_numpy(self.x[index]), torch.tensor([self.y[index]])


class Regressor(nn.Module):
    def __init__(self, hidden=32, dropout=0.1):
        super().__init__()
        self.hidden = nn.Linear(2, hidden)
        self.middle = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, 1)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        x = F.relu(self.hidden(x))
        x = self.dropout(F.relu(self.middle(x)))
        return self.out(x)


def evaluate(model, loader):
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            total += F.mse_loss(model(xb), yb, reduction="sum").item()
            count += yb.size(0)
    return total / count


train_set, val_set, test_set = Waves(384, seed=1), Waves(128, seed=2), Waves(256, seed=3)
train_loader = DataLoader(train_set, batch_size=32, shuffle=True, num_workers=0)
val_loader = DataLoader(val_set, batch_size=64)
test_loader = DataLoader(test_set, batch_size=64)

model = Regressor().to(device)
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=15, gamma=0.5)
criterion = nn.MSELoss()

checkpoint_path = os.path.join(tempfile.mkdtemp(), "best.pt")
best_val, bad_epochs, patience = float("inf"), 0, 6
history = []
for epoch in range(40):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        xb, yb = xb.to(device), yb.to(device)
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        running += loss.item() * xb.size(0)
    scheduler.step()
    val_loss = evaluate(model, val_loader)
    history.append((running / len(train_set), val_loss))
    if val_loss < best_val:
        best_val, bad_epochs = val_loss, 0
        torch.save(
            {
                "epoch": epoch,
                "model_state_dict": model.state_dict(),
                "optimizer_state_dict": optimizer.state_dict(),
                "val_loss": val_loss,
            },
            checkpoint_path,
        )
    else:
        bad_epochs += 1
        if bad_epochs >= patience:
            print(f"early stop after epoch {epoch}")
            break
    print(f"epoch {epoch}: train {history[-1][0]:.4f}, validation {val_loss:.4f}")

restored = Regressor().to(device)
checkpoint = torch.load(checkpoint_path, map_location=device)
restored.load_state_dict(checkpoint["model_state_dict"])
test_loss = evaluate(restored, test_loader)
print(
    f"best epoch {checkpoint['epoch']}: validation {checkpoint['val_loss']:.4f}, "
    f"test {test_loss:.4f}"
)
result = {
    "test_loss": test_loss,
    "best_val": checkpoint["val_loss"],
    "restored_matches": abs(evaluate(restored, val_loader) - checkpoint["val_loss"]) < 1e-6,
    "epochs": len(history),
    "first_train_loss": history[0][0],
}
