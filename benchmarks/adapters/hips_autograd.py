"""HIPS autograd on T1, T2, T2-Adam and T3: pure functions of the parameters differentiated by
``value_and_grad``, the floor's in-place SGD and Adam on the arrays.

Its import name, ``autograd``, is dagrad's too, so it runs in its own venv
(benchmarks/.venv-hips; hips.py makes it) as ``python hips_autograd.py JOB.json OUT.json``,
taking turns with the NumPy floor there. Never import it in dagrad's venv.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

if __name__ == "__main__":  # find `benchmarks`, after site-packages: the repo's own `autograd`
    sys.path.pop(0)  # must not shadow HIPS's
    sys.path.append(str(Path(__file__).resolve().parents[2]))

from importlib.metadata import version  # noqa: E402
from typing import Any  # noqa: E402

import autograd.numpy as anp  # noqa: E402
import numpy as np  # noqa: E402

from autograd import value_and_grad  # type: ignore[attr-defined]  # noqa: E402
from benchmarks.adapters.floor_numpy import Arrays, ArrayTrainer  # noqa: E402
from benchmarks.workloads import Net, tiny_chain  # noqa: E402


def _logits(params: Arrays, x: np.ndarray) -> Any:
    h = x
    for i in range(0, len(params), 2):
        h = anp.dot(h, params[i].T) + params[i + 1]
        h = anp.maximum(h, 0.0) if i < len(params) - 2 else h
    return h


def _loss(params: Arrays, x: np.ndarray, y: np.ndarray) -> Any:
    z = _logits(params, x)
    shifted = z - anp.max(z, axis=1, keepdims=True)
    logp = shifted - anp.log(anp.sum(anp.exp(shifted), axis=1, keepdims=True))
    return -anp.mean(logp[np.arange(len(y)), y])


_loss_and_grads = value_and_grad(_loss)
_chain_grad = value_and_grad(lambda x, ops: anp.sum(tiny_chain(x, ops, anp.tanh)))


class Hips:
    label, version = "HIPS autograd", version("autograd")
    workloads = ("T1", "T2", "T2-Adam", "T3")

    def trainer(self, net: Net, weights: Arrays, dtype: str) -> ArrayTrainer:
        def loss_and_grads(params: Arrays, x: np.ndarray, y: np.ndarray) -> tuple:
            loss, grads = _loss_and_grads(params, x, y)
            return float(loss), list(grads)

        return ArrayTrainer(net, [w.copy() for w in weights], loss_and_grads, _logits)

    def tiny_chain(self, x0: np.ndarray, ops: list[str]) -> np.ndarray:
        return np.asarray(_chain_grad(x0, ops)[1])


ENGINES = {"hips_autograd": Hips()}


def _main(job_path: str, out_path: str) -> None:
    import autograd

    if Path(autograd.__file__).resolve().parents[1] == Path(__file__).resolve().parents[2]:
        raise SystemExit("hips_autograd: imported dagrad's autograd, not HIPS's")
    from benchmarks import tensor
    from benchmarks.adapters.floor_numpy import ENGINES as FLOOR
    from benchmarks.plans import PLANS
    from benchmarks.workloads import Dataset

    job = json.loads(Path(job_path).read_text())
    with np.load(job["data"]) as arrays:
        data = Dataset(**{k: arrays[k] for k in arrays.files})
    engines = {**FLOOR, **ENGINES}  # the floor takes turns here too: a same-process ratio
    records = tensor.run(engines, PLANS[job["plan"]], data, set(job["workloads"]))
    Path(out_path).write_text(json.dumps([r.as_dict() for r in records]))


if __name__ == "__main__":
    _main(sys.argv[1], sys.argv[2])
