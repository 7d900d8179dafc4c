"""Outgrowing one process: a dagrad model trained by PyTorch's DistributedDataParallel on two
processes, then brought home to dagrad to be drawn and read.

1. dagrad builds the lecture's network: 56 days of page views -> the next day, one hidden layer
   of 100 ReLUs (``nn.MLP(56, [100], 1)``).
2. Two processes start (torch.multiprocessing.spawn); each moves the model to PyTorch with
   ``nn.to_torch`` and wraps it in DistributedDataParallel over the gloo backend on 127.0.0.1.
   A DistributedSampler gives each process half of every epoch; after each backward pass DDP
   averages the two halves' gradients, so both replicas take the same steps.
3. Each process saves its trained weights with ``nn.save`` (no pickle); both are identical.
4. The weights load into the dagrad model (``load_state_dict`` takes them as they are), which
   scores the lecture's 45 unseen days, draws its graph with ``draw_graph``, and names the past
   days its hidden layer leans on most.

    python examples/distributed.py              # 30 epochs, writes out/distributed/
    python examples/distributed.py --quick      # 3 epochs: a check in seconds
"""

from __future__ import annotations

import argparse
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from lecture1_lib.cli import SHIPPED_COLUMN, SHIPPED_CSV, SHIPPED_DATES
from lecture1_lib.series import read_series
from lecture1_lib.split import HISTORY_DAYS, LaggedData, split_as_lecture

import autograd
import nn
from autograd import Tensor, draw_graph
from autograd.draw import GraphvizNotInstalledError

WORLD = 2  # processes, on this machine
BATCH = 32  # examples per process per step: 64 per step in all
LR = 1e-3
HIDDEN = 100
QUICK_EPOCHS = 3


@dataclass
class Result:
    """What a run found, for a reader and for the test."""

    epochs: int
    losses: list[float]  # training MAE per epoch, averaged over both processes
    mae_before: float  # on the 45 test days, scaled units
    mae_after: float
    replicas_agree: bool  # the two processes ended with the same weights
    libraries_agree: float  # largest |dagrad - PyTorch| of the trained model on the test days
    top_lags: list[int]  # the past days (1 = yesterday) with the largest first-layer weights
    drawing: str  # where the graph was drawn, or why not


def build_model(seed: int) -> nn.Module:
    """The model, in dagrad: the same seed gives the same initial weights in every process."""
    autograd.manual_seed(seed)
    return nn.MLP(HISTORY_DAYS, [HIDDEN], 1)


# --- one training process ------------------------------------------------------------------------


def train_one_process(
    rank: int, port: int, seed: int, epochs: int, data: LaggedData, out: str
) -> None:
    """Runs in each of the WORLD processes (rank 0 and 1)."""
    import torch
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel
    from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

    torch.set_num_threads(1)  # two processes on a small machine: one core each
    os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")  # the loopback interface only
    dist.init_process_group(
        "gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=WORLD
    )
    try:
        model = nn.to_torch(build_model(seed))  # the dagrad model, as a torch.nn.Module
        ddp = DistributedDataParallel(model)
        examples = TensorDataset(torch.from_numpy(data.x_train), torch.from_numpy(data.y_train))
        sampler: DistributedSampler[Any] = DistributedSampler(
            examples, num_replicas=WORLD, rank=rank, seed=seed
        )
        batches = DataLoader(examples, batch_size=BATCH, sampler=sampler)
        optimizer = torch.optim.Adam(ddp.parameters(), lr=LR)
        loss_fn = torch.nn.L1Loss()  # the lecture's MAE
        for epoch in range(epochs):
            sampler.set_epoch(epoch)  # a new split of the shuffled examples each epoch
            total = torch.zeros(2)
            for x, y in batches:
                optimizer.zero_grad()
                loss = loss_fn(ddp(x), y)
                loss.backward()  # DDP averages the gradients of both processes here
                optimizer.step()
                total += torch.tensor([loss.item() * len(x), len(x)])
            dist.all_reduce(total)  # both processes' sums: the epoch's mean loss
            if rank == 0:
                print(f"  epoch {epoch + 1:3d}: training MAE {total[0] / total[1]:.4f}", flush=True)
                with open(Path(out) / "losses.txt", "a") as f:
                    f.write(f"{float(total[0] / total[1])}\n")
        # the weights, as dagrad tensors, in nn.save's format (no pickle)
        nn.save(nn.from_torch(model.state_dict()), Path(out) / f"weights_rank{rank}.dgr")
    finally:
        dist.destroy_process_group()


def free_port() -> int:
    """A port on the loopback interface that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- the run -------------------------------------------------------------------------------------


def run(epochs: int, seed: int, out: Path) -> Result:
    import torch.multiprocessing as mp

    data = split_as_lecture(read_series(SHIPPED_CSV, SHIPPED_COLUMN, SHIPPED_DATES))
    out.mkdir(parents=True, exist_ok=True)
    (out / "losses.txt").unlink(missing_ok=True)
    model = build_model(seed)
    x_test, y_test = Tensor(data.x_test), Tensor(data.y_test)
    mae_before = float(nn.L1Loss()(model(x_test), y_test).item())

    print(f"training {model!r}\non {WORLD} processes (DistributedDataParallel, gloo, 127.0.0.1)")
    args = (free_port(), seed, epochs, data, str(out))
    mp.spawn(train_one_process, args=args, nprocs=WORLD, join=True)

    weights = [nn.load(out / f"weights_rank{rank}.dgr") for rank in range(WORLD)]
    replicas_agree = all(
        np.array_equal(weights[0][k].data, w[k].data) for w in weights[1:] for k in weights[0]
    )
    model.load_state_dict(weights[0])  # home again: the trained weights in the dagrad model
    prediction = model(x_test)
    mae_after = float(nn.L1Loss()(prediction, y_test).item())
    theirs = nn.to_torch(model)(nn.to_torch(x_test)).detach().numpy()
    losses = [float(line) for line in (out / "losses.txt").read_text().split()]
    return Result(
        epochs=epochs,
        losses=losses,
        mae_before=mae_before,
        mae_after=mae_after,
        replicas_agree=replicas_agree,
        libraries_agree=float(np.abs(prediction.data - theirs).max()),
        top_lags=top_lags(model),
        drawing=draw(model, data.x_test[:1], data.y_test[:1], out / "model"),
    )


def top_lags(model: nn.Module, count: int = 3) -> list[int]:
    """The past days (1 = yesterday) whose first-layer weights are largest on average."""
    first = model.get_parameter("0.weight").data  # (hidden, 56): one column per past day
    return [int(day) + 1 for day in np.argsort(-np.abs(first).mean(axis=0))[:count]]


def draw(model: nn.Module, x: np.ndarray, y: np.ndarray, path: Path) -> str:
    """The trained model's graph on one test day, with its MAE and the gradients backward()
    leaves on it, drawn by dagrad (rendering needs Graphviz's dot)."""
    inputs, target = Tensor(x), Tensor(y)
    loss = nn.L1Loss()(model(inputs), target)
    model.zero_grad()
    loss.backward(retain_graph=True)  # the drawing walks the graph after backward
    names = {**dict(model.named_parameters()), "x (56 past days)": inputs, "y (next day)": target}
    drawing = draw_graph(loss, params=names)
    model.zero_grad()
    try:
        drawing.render(path, format="svg", cleanup=True)
    except GraphvizNotInstalledError as err:  # no dot here: say so, the rest of the run stands
        return f"graph not drawn: {err}"
    return str(path.with_suffix(".svg"))


def main(argv: Sequence[str] | None = None) -> Result:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--epochs", type=int, default=30, help="epochs (default 30)")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_EPOCHS} epochs")
    parser.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    parser.add_argument("--out", type=Path, default=Path("out/distributed"), metavar="DIR")
    args = parser.parse_args(argv)
    result = run(QUICK_EPOCHS if args.quick else args.epochs, args.seed, args.out)
    print(
        f"test MAE on the 45 unseen days (scaled): {result.mae_before:.4f} before training, "
        f"{result.mae_after:.4f} after {result.epochs} epochs\n"
        f"both processes ended with the same weights: {result.replicas_agree}\n"
        f"dagrad and PyTorch agree on the trained model to {result.libraries_agree:.1e}\n"
        f"the days it leans on most: {', '.join(_ago(d) for d in result.top_lags)}\n"
        f"drawing: {result.drawing}"
    )
    return result


def _ago(days: int) -> str:
    return "yesterday" if days == 1 else f"{days} days ago"


if __name__ == "__main__":
    main()
