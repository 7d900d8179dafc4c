"""nn.export_onnx: the file onnxruntime runs gives dagrad's outputs (float32, 1e-5) for the
lecture's models, an MLP with every activation, CNNs and the other layers, on the example and
on other batch sizes (the batch dim is open); what cannot be exported is refused by name."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from nn import ExportError
from nn.activations import ACTIVATIONS
from tests.support.paths import EXAMPLES

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

sys.path.insert(0, str(EXAMPLES))
from digits_cnn import make_model as digits_cnn  # noqa: E402
from lecture1_lib.models import all_models  # noqa: E402

TOL = 1e-5


def outputs(model: nn.Module, inputs: list[np.ndarray]) -> list[np.ndarray]:
    with autograd.no_grad():
        result = model(*[autograd.tensor(x) for x in inputs])
    return [r.data for r in (result if isinstance(result, tuple) else (result,))]


def session(path: Path) -> Any:
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def exported_matches(
    model: nn.Module, example: Any, tmp_path: Path, batches: tuple[int, ...] = (1, 7), seed: int = 0
) -> Any:
    """Export on ``example``, then run the file on the example and on inputs of other batch
    sizes: every output must match dagrad's (in evaluation mode) within 1e-5."""
    path = nn.export_onnx(model, example, tmp_path / "model.onnx")
    model.eval()
    examples = list(example) if isinstance(example, tuple) else [example]
    rng = np.random.default_rng(seed)
    runs = [examples]
    for n in batches:
        runs.append([_like(x, n, rng) for x in examples])
    s = session(path)
    names = [i.name for i in s.get_inputs()]
    for inputs in runs:
        got = s.run(None, dict(zip(names, inputs)))
        want = outputs(model, inputs)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert g.shape == w.shape and g.dtype == w.dtype
            np.testing.assert_allclose(g, w, rtol=TOL, atol=TOL)
    return onnx.load(str(path))


def _like(x: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """A new input of ``n`` rows like ``x`` (integers within x's range)."""
    shape = (n, *x.shape[1:])
    if x.dtype.kind == "f":
        return (rng.standard_normal(shape) * 2).astype(x.dtype)
    return rng.integers(0, int(x.max()) + 1, shape).astype(x.dtype)


def random(*shape: int, seed: int = 1) -> np.ndarray:
    return (np.random.default_rng(seed).standard_normal(shape) * 2).astype(np.float32)


# --- the lecture's models ------------------------------------------------------------------------

LECTURE = all_models()


@pytest.mark.parametrize("spec", LECTURE, ids=[s.name for s in LECTURE])
def test_the_lectures_models_run_in_onnxruntime(spec: Any, tmp_path: Path) -> None:
    autograd.manual_seed(0)
    model = spec.build()
    exported_matches(model, random(4, spec.days), tmp_path)


def test_the_file_names_its_values_and_leaves_the_batch_open(tmp_path: Path) -> None:
    model = nn.MLP(56, [100], 1, activation="sigmoid")
    m = exported_matches(model, random(3, 56), tmp_path)
    onnx.checker.check_model(m)
    assert m.opset_import[0].version == 17 and m.producer_name == "dagrad"
    (inp,), (out,) = m.graph.input, m.graph.output
    assert inp.name == "input" and out.name == "output"
    dims = [d.dim_param or d.dim_value for d in inp.type.tensor_type.shape.dim]
    assert dims == ["batch", 56]
    assert [d.dim_param or d.dim_value for d in out.type.tensor_type.shape.dim] == ["batch", 1]
    assert {i.name for i in m.graph.initializer} >= set(model.state_dict())
    assert [n.op_type for n in m.graph.node] == ["Gemm", "Sigmoid", "Gemm"]


# --- activations -------------------------------------------------------------------------------


def widened(model: nn.Module, factor: float) -> nn.Module:
    """Every Linear layer's weights scaled up, so that the activations see values far from 0
    (every branch of a piecewise activation: ReLU6 above 6, hardsigmoid's flat parts...)."""
    for layer in model.modules():
        if isinstance(layer, nn.Linear):
            layer.weight.data *= factor
    return model


# the activation layers that MLP's names do not reach, with non-default settings
OTHER_ACTIVATIONS = {
    "LogSigmoid": nn.LogSigmoid,
    "Softsign": nn.Softsign,
    "Hardtanh(-2, 3)": lambda: nn.Hardtanh(-2.0, 3.0),
    "CELU(1.3)": lambda: nn.CELU(1.3),
    "ELU(0.7)": lambda: nn.ELU(0.7),
    "LeakyReLU(0.2)": lambda: nn.LeakyReLU(0.2),
    "GELU(tanh)": lambda: nn.GELU(approximate="tanh"),
    "Softplus(2, 1)": lambda: nn.Softplus(beta=2.0, threshold=1.0),
    "Softmax(1)": lambda: nn.Softmax(dim=1),
    "LogSoftmax(-1)": lambda: nn.LogSoftmax(dim=-1),
    "Softmin(1)": lambda: nn.Softmin(dim=1),
    "Identity": nn.Identity,
}
EVERY_ACTIVATION = {**ACTIVATIONS, **OTHER_ACTIVATIONS}


@pytest.mark.parametrize("activation", list(EVERY_ACTIVATION))
def test_an_mlp_with_each_activation_runs_in_onnxruntime(activation: str, tmp_path: Path) -> None:
    autograd.manual_seed(1)
    model = nn.MLP(5, [16, 16], 3, activation=EVERY_ACTIVATION[activation])
    exported_matches(widened(model, 4.0), random(6, 5), tmp_path)


def test_an_mlp_with_every_activation_runs_in_onnxruntime(tmp_path: Path) -> None:
    """All activation layers in one network: each after a LayerNorm and a widened Linear layer,
    so that each sees values of both signs, up to about 8."""
    autograd.manual_seed(2)
    layers: list[nn.Module] = []
    for make in EVERY_ACTIVATION.values():
        layers += [nn.LayerNorm(6), widened(nn.Linear(6, 6), 4.0), make()]
    model = nn.Sequential(*layers, nn.Linear(6, 2))
    exported_matches(model, random(8, 6), tmp_path)


# --- convolutional networks and the other layers -------------------------------------------------


def test_a_small_cnn_runs_in_onnxruntime(tmp_path: Path) -> None:
    autograd.manual_seed(3)
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(4 * 4 * 4, 3),
    )
    m = exported_matches(model, random(2, 1, 8, 8), tmp_path)
    assert [n.op_type for n in m.graph.node] == ["Conv", "Relu", "MaxPool", "Reshape", "Gemm"]


def test_the_digits_cnn_runs_in_onnxruntime(tmp_path: Path) -> None:
    autograd.manual_seed(4)
    exported_matches(digits_cnn(), random(3, 1, 8, 8), tmp_path)


LAYERS = [
    (nn.Conv1d(2, 4, 3, stride=2, padding=1), (3, 2, 9)),
    (nn.Conv2d(2, 4, 3, padding="same", dilation=2, groups=2), (3, 2, 7, 7)),
    (nn.Conv2d(2, 2, (2, 3), padding=1, padding_mode="reflect"), (3, 2, 6, 7)),
    (nn.Conv2d(2, 2, 3, padding=1, padding_mode="circular"), (3, 2, 6, 7)),
    (nn.Conv2d(2, 2, 3, padding=1, padding_mode="replicate"), (3, 2, 6, 7)),
    (nn.ConvTranspose2d(2, 4, 3, stride=2, padding=1, output_padding=1, groups=2), (3, 2, 5, 5)),
    (nn.ConvTranspose1d(2, 3, 3, stride=2), (3, 2, 6)),
    (nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), (3, 2, 7, 7)),
    (nn.MaxPool2d(2, dilation=2), (3, 2, 7, 7)),
    (nn.MaxPool1d(2), (3, 2, 7)),
    (nn.AvgPool2d(2, padding=1, count_include_pad=False), (3, 2, 7, 7)),
    (nn.AvgPool2d(3, stride=2, ceil_mode=True), (3, 2, 8, 8)),
    (nn.AvgPool2d(2, divisor_override=3), (3, 2, 6, 6)),
    (nn.AvgPool1d(3, stride=2), (3, 2, 9)),
    (nn.AdaptiveAvgPool2d((2, 3)), (3, 2, 7, 7)),
    (nn.AdaptiveAvgPool2d(1), (3, 2, 6, 6)),
    (nn.AdaptiveAvgPool1d(3), (3, 2, 7)),
    (nn.AdaptiveMaxPool2d(2), (3, 2, 5, 5)),
    (nn.Upsample(scale_factor=2), (3, 2, 4, 4)),
    (nn.Upsample(size=(5, 7), mode="bilinear", align_corners=True), (3, 2, 4, 4)),
    (nn.Upsample(scale_factor=1.5, mode="bilinear"), (3, 2, 4, 4)),
    (nn.Upsample(scale_factor=2, mode="nearest-exact"), (3, 2, 3, 3)),
    (nn.BatchNorm1d(2), (3, 2, 7)),
    (nn.BatchNorm1d(5, affine=False), (3, 5)),
    (nn.LayerNorm(7), (3, 2, 7)),
    (nn.LayerNorm((2, 7), elementwise_affine=False), (3, 2, 7)),
    (nn.Flatten(), (3, 2, 7, 7)),
    (nn.Unflatten(1, (2, 3)), (3, 6)),
    (nn.Dropout(0.5), (3, 4)),
    (nn.Identity(), (3, 4)),
]


@pytest.mark.parametrize("case", LAYERS, ids=[repr(m).replace(" ", "") for m, _ in LAYERS])
def test_a_layer_runs_in_onnxruntime(case: Any, tmp_path: Path) -> None:
    layer, shape = case
    if isinstance(layer, nn.BatchNorm1d):  # running statistics away from their start
        layer(autograd.tensor(random(*shape, seed=9) * 3 + 1))
    exported_matches(layer, random(*shape), tmp_path)


# --- user models -------------------------------------------------------------------------------


class Functional(nn.Module):
    """Functional calls (the piecewise ones included), tensor methods and a parameter."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 6)
        self.scale = nn.Parameter(np.linspace(0.5, 1.5, 6).astype(np.float32))

    def forward(self, x: Any) -> Any:
        h = F.leaky_relu(self.fc(x), 0.1) * self.scale
        h = F.elu(h, 0.5) + F.hardtanh(h, -1.0, 0.5) - F.softplus(h, beta=3.0)
        h = autograd.cat([h[:, :3].clamp(min=-0.5), h[:, 3:].exp().log1p()], dim=1)
        return (h - h.mean(dim=1, keepdim=True)) / (h.std(dim=1, keepdim=True) + 1e-3)


class Retrieval(nn.Module):
    """Integer inputs: an Embedding and a table indexed by the input; two outputs."""

    def __init__(self) -> None:
        super().__init__()
        self.words = nn.Embedding(12, 5)
        self.bias = nn.Parameter(np.linspace(-1, 1, 12).astype(np.float32))
        self.out = nn.Linear(5, 2)

    def forward(self, tokens: Any) -> Any:
        pooled = F.relu(self.words(tokens)).mean(dim=1)
        return self.out(pooled), self.bias[tokens].sum(dim=1)


class TwoInputs(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a, self.b = nn.Linear(3, 4), nn.Linear(2, 4)

    def forward(self, x: Any, y: Any) -> Any:
        h = autograd.stack([self.a(x), self.b(y)], dim=1)  # (N, 2, 4)
        return F.softmax(h.permute(0, 2, 1).reshape(x.shape[0], -1), dim=1)


def test_a_user_model_of_functional_calls_runs_in_onnxruntime(tmp_path: Path) -> None:
    exported_matches(Functional(), random(5, 4), tmp_path)


def test_integer_inputs_and_several_outputs(tmp_path: Path) -> None:
    tokens = np.array([[1, 4, 7], [11, 0, 3]])
    m = exported_matches(Retrieval(), tokens, tmp_path)
    assert [o.name for o in m.graph.output] == ["output_0", "output_1"]


def test_several_inputs_with_names(tmp_path: Path) -> None:
    model = TwoInputs()
    path = nn.export_onnx(
        model, (random(3, 3), random(3, 2)), tmp_path / "two.onnx", input_names=["x", "y"],
        output_names=["p"],
    )  # fmt: skip
    s = session(path)
    assert [i.name for i in s.get_inputs()] == ["x", "y"]
    x, y = random(6, 3, seed=5), random(6, 2, seed=6)
    np.testing.assert_allclose(s.run(["p"], {"x": x, "y": y})[0], outputs(model, [x, y])[0],
                               rtol=TOL, atol=TOL)  # fmt: skip


def test_a_float64_model_exports_as_double(tmp_path: Path) -> None:
    model = nn.MLP(4, [5], 2, activation="tanh").double()
    x = np.random.default_rng(0).standard_normal((3, 4))
    path = nn.export_onnx(model, x, tmp_path / "double.onnx")
    got = session(path).run(None, {"input": x})[0]
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, outputs(model, [x])[0], rtol=1e-12)


def test_an_example_batch_of_one_still_follows_the_batch(tmp_path: Path) -> None:
    """A mean over the batch looks like nothing at batch size 1; the second run shows it."""

    class Centered(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = nn.Linear(3, 3)

        def forward(self, x: Any) -> Any:
            y = self.fc(x)
            return y - y.mean(dim=0, keepdim=True)

    exported_matches(Centered(), random(1, 3), tmp_path, batches=(5,))


def test_a_long_chain_exports_without_recursion(tmp_path: Path) -> None:
    class Chain(nn.Module):
        def forward(self, x: Any) -> Any:
            for _ in range(3000):
                x = x * 1.0001
            return x

    exported_matches(Chain(), random(2, 3), tmp_path, batches=(4,))


def test_export_leaves_the_model_as_it_was(tmp_path: Path) -> None:
    model = nn.Sequential(nn.Linear(3, 3), nn.BatchNorm1d(3), nn.Dropout(0.5))
    before = {k: v.data.copy() for k, v in model.state_dict().items()}
    nn.export_onnx(model, random(4, 3), tmp_path / "m.onnx")
    assert all(m.training for m in model.modules())
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v.data, before[k])


# --- refusals ----------------------------------------------------------------------------------


class WhereByHand(nn.Module):
    def forward(self, x: Any) -> Any:
        return autograd.where(x > 0, x, x * 0.1)


class FrozenStatistic(nn.Module):
    def forward(self, x: Any) -> Any:
        return x - x.mean(dim=0).detach()


class Branches(nn.Module):
    def forward(self, x: Any) -> Any:
        return x * 2 if x.shape[0] < 4 else x.exp()


class WithLoss(nn.Module):
    def forward(self, x: Any) -> Any:
        return F.cross_entropy(x, np.zeros(x.shape[0], dtype=np.int64))


class DerivedIndex(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.table = nn.Parameter(np.arange(5, dtype=np.float32))

    def forward(self, i: Any) -> Any:
        return self.table[i[:, 0]]  # i[:, 0] is integer data: the graph does not record it


class SortedRows(nn.Module):
    def forward(self, x: Any) -> Any:
        return x[np.argsort(x.data[:, 0])]  # the order is NumPy's, outside the graph


class IntegerArithmetic(nn.Module):
    def forward(self, i: Any) -> Any:
        return autograd.tensor(i.data * 2.0)


@pytest.mark.parametrize(
    "model, example, message",
    [
        (WhereByHand(), random(3, 2), r"op 'where' takes its condition as data"),
        (FrozenStatistic(), random(3, 2), r"constant of shape \(2,\) whose values change"),
        (
            Branches(),
            random(3, 2),
            r"Branches\.forward runs different ops .* \(op '\*c' vs op 'exp'\)",
        ),
        (WithLoss(), random(3, 2), r"op 'cross_entropy' has no ONNX mapping"),
        (IntegerArithmetic(), np.array([[1], [2]]), r"constant of shape \(2, 1\) whose values"),
        (DerivedIndex(), np.array([[1], [2]]), r"input 0 \(integer\) reaches the outputs"),
        (SortedRows(), random(3, 2), r"index array computed from the input outside the graph"),
        (nn.Embedding(5, 2, max_norm=1.0), np.array([[1], [2]]), r"max_norm renormalises"),
    ],
    ids=[
        "where",
        "detached",
        "branches",
        "loss op",
        "integer data",
        "derived index",
        "sorted rows",
        "max_norm",
    ],  # fmt: skip
)
def test_what_onnx_cannot_hold_is_refused_by_name(
    model: nn.Module, example: np.ndarray, message: str, tmp_path: Path
) -> None:
    with pytest.raises(ExportError, match=message):
        nn.export_onnx(model, example, tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()


def test_a_failed_export_leaves_nn_functional_as_it_was(tmp_path: Path) -> None:
    """The trace records F.leaky_relu & co. through stand-ins; they go away whatever happens."""
    originals = {name: getattr(F, name) for name in ("leaky_relu", "elu", "embedding")}
    with pytest.raises(ExportError):
        nn.export_onnx(nn.Sequential(nn.LeakyReLU(), WhereByHand()), random(2, 2), tmp_path / "m")
    assert {name: getattr(F, name) for name in originals} == originals


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"example input 0 of shape \(\) has no batch dim"):
        nn.export_onnx(nn.Identity(), np.float32(1.0), tmp_path / "m.onnx")
    with pytest.raises(ValueError, match=r"input_names must be 1 distinct names"):
        nn.export_onnx(nn.Identity(), random(2, 2), tmp_path / "m.onnx", input_names=["a", "b"])
    with pytest.raises(TypeError, match=r"model must be an nn\.Module"):
        nn.export_onnx(lambda x: x, random(2, 2), tmp_path / "m.onnx")


def test_without_the_onnx_package_the_error_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ImportError, match=r"pip install onnx"):
        nn.export_onnx(nn.Identity(), random(2, 2), tmp_path / "m.onnx")
