"""HIPS autograd on T1, T2 and T3: pure functions of the parameters, differentiated with
``autograd.value_and_grad``; SGD with momentum written out on the arrays.

Its import name, ``autograd``, is dagrad's too, so it lives in its own venv
(benchmarks/.venv-hips, made by ``python -m benchmarks --setup-hips``) and runs as a script in
that venv's Python: ``python benchmarks/adapters/hips_autograd.py JOB.json OUT.json``
(benchmarks/hips.py writes the job and reads the records back). Never import it in dagrad's venv.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

if __name__ == "__main__":
    # find the `benchmarks` package, but after site-packages: the repo root holds dagrad's own
    # `autograd`, which must not shadow HIPS's
    sys.path.pop(0)  # this file's folder
    sys.path.append(str(Path(__file__).resolve().parents[2]))

from importlib.metadata import version as _dist_version  # noqa: E402

import autograd.numpy as anp  # noqa: E402
import numpy as np  # noqa: E402

from autograd import value_and_grad  # type: ignore[attr-defined]  # noqa: E402
from benchmarks.workloads import TINY_ADD, TINY_MUL, TensorLayer  # noqa: E402

LABEL = "HIPS autograd"


def version() -> str:
    return _dist_version("autograd")


Batch = tuple[np.ndarray, np.ndarray, np.ndarray]


def _logits(params: list, x: np.ndarray) -> np.ndarray:
    h = x
    last = len(params) - 2
    for i in range(0, len(params), 2):
        h = anp.dot(h, params[i]) + params[i + 1]
        if i != last:
            h = anp.maximum(h, 0.0)
    return h


def _loss(params: list, x: np.ndarray, y: np.ndarray, rows: np.ndarray) -> np.ndarray:
    z = _logits(params, x)
    shifted = z - anp.max(z, axis=1, keepdims=True)
    logp = shifted - anp.log(anp.sum(anp.exp(shifted), axis=1, keepdims=True))
    return -anp.mean(logp[rows, y])


_loss_and_grads = value_and_grad(_loss)


class MLP:
    def __init__(self, weights: list[TensorLayer], lr: float, momentum: float) -> None:
        self.params = [a.copy() for layer in weights for a in layer]
        self.bufs: list[np.ndarray | None] = [None] * len(self.params)
        self.lr, self.momentum = lr, momentum

    def prepare(self, x: np.ndarray, y: np.ndarray) -> Batch:
        return x, y, np.arange(len(y))

    def loss_and_grads(self, batch: Batch) -> tuple[float, list[np.ndarray]]:
        loss, grads = _loss_and_grads(self.params, *batch)
        return float(loss), list(grads)

    def step(self, batch: Batch) -> float:
        loss, grads = _loss_and_grads(self.params, *batch)
        for i, (p, g) in enumerate(zip(self.params, grads)):
            buf = self.bufs[i]
            if buf is None:
                self.bufs[i] = buf = np.array(g)
            else:
                buf *= self.momentum
                buf += g
            p -= self.lr * buf
        return float(loss)

    def predict(self, x: np.ndarray) -> np.ndarray:
        return np.argmax(_logits(self.params, x), axis=1)

    def numpy_params(self) -> list[np.ndarray]:
        return self.params


def _chain_sum(x: np.ndarray, ops: list[str]) -> np.ndarray:
    h = x
    for op in ops:
        if op == "mul":
            h = h * TINY_MUL
        elif op == "add":
            h = h + TINY_ADD
        else:
            h = anp.tanh(h)
    return anp.sum(h)


_chain_grad = value_and_grad(_chain_sum)


def tiny_chain(x0: np.ndarray, ops: list[str]) -> np.ndarray:
    return _chain_grad(x0, ops)[1]


def _main(job_path: str, out_path: str) -> None:
    import autograd

    if Path(autograd.__file__).resolve().parents[1] == Path(__file__).resolve().parents[2]:
        raise SystemExit("hips_autograd: imported dagrad's autograd, not HIPS's; see the docstring")
    from benchmarks.adapters import floor_numpy
    from benchmarks.plans import PLANS
    from benchmarks.tensor_suite import run
    from benchmarks.workloads import Dataset

    job = json.loads(Path(job_path).read_text())
    with np.load(job["data"]) as arrays:
        data = Dataset(**{k: arrays[k] for k in arrays.files})
    # the floor runs here too, taking turns with HIPS autograd, for a same-process ratio
    engines = {"floor_numpy": floor_numpy, "hips_autograd": sys.modules[__name__]}
    records = run(engines, "floor_numpy", PLANS[job["plan"]], data, set(job["workloads"]))
    Path(out_path).write_text(json.dumps([r.as_dict() for r in records]))


if __name__ == "__main__":
    _main(sys.argv[1], sys.argv[2])
