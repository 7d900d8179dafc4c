"""nn.to_torch / nn.from_torch: every layer with a PyTorch counterpart, and Module subclasses
composed of them, give the same outputs and gradients in both libraries (float32 and float64,
both directions); state dicts load across; what has no counterpart is refused by name."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from nn import TranslationError
from tests.support.paths import ROOT

torch = pytest.importorskip("torch")
TF = torch.nn.functional

DTYPES = [np.float32, np.float64]
# float64: PyTorch computes a few activations' constants in float32 (hardsigmoid's 1/6, celu's
# 1/alpha), which differ from the float64 ones in the 8th digit
TOL = {np.float32: 2e-5, np.float64: 1e-7}


def L(name: str, *args: Any, **kwargs: Any) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
    return name, args, kwargs


# (layer, input shape); the same name and arguments build it in both libraries
LAYERS = [
    (L("Linear", 4, 3), (5, 4)),
    (L("Linear", 4, 3, bias=False), (5, 4)),
    (L("ReLU"), (5, 4)),
    (L("ReLU6"), (5, 4)),
    (L("Sigmoid"), (5, 4)),
    (L("Tanh"), (5, 4)),
    (L("Hardsigmoid"), (5, 4)),
    (L("Hardswish"), (5, 4)),
    (L("SiLU"), (5, 4)),
    (L("Mish"), (5, 4)),
    (L("SELU"), (5, 4)),
    (L("LogSigmoid"), (5, 4)),
    (L("Softsign"), (5, 4)),
    (L("LeakyReLU", 0.2), (5, 4)),
    (L("ELU", 0.7), (5, 4)),
    (L("CELU", 1.3), (5, 4)),
    (L("GELU"), (5, 4)),
    (L("GELU", approximate="tanh"), (5, 4)),
    (L("Softplus", 2.0, 5.0), (5, 4)),
    (L("Hardtanh", -2.0, 3.0), (5, 4)),
    (L("Softmax", 1), (5, 4)),
    (L("LogSoftmax", dim=1), (5, 4)),
    (L("Softmin", dim=0), (5, 4)),
    (L("Dropout", 0.3), (5, 4)),  # compared in eval mode (masks are random)
    (L("LayerNorm", 4), (5, 4)),
    (L("LayerNorm", (2, 4), elementwise_affine=False), (5, 2, 4)),
    (L("LayerNorm", 4, bias=False), (5, 4)),
    (L("BatchNorm1d", 4), (5, 4)),
    (L("BatchNorm1d", 4, momentum=None, affine=False), (5, 4, 3)),
    (L("BatchNorm1d", 4, track_running_stats=False), (5, 4)),
    (L("Flatten"), (5, 2, 3)),
    (L("Unflatten", 1, (2, 2)), (5, 4)),
    (L("Identity"), (5, 4)),
    (L("Conv1d", 2, 4, 3, stride=2, padding=1), (2, 2, 9)),
    (L("Conv2d", 2, 4, 3, padding="same", dilation=2, groups=2), (2, 2, 7, 7)),
    (L("Conv2d", 1, 2, (2, 3), padding=1, padding_mode="reflect"), (2, 1, 5, 6)),
    (L("ConvTranspose1d", 2, 3, 3, stride=2), (2, 2, 5)),
    (L("ConvTranspose2d", 2, 4, 3, stride=2, padding=1, output_padding=1, groups=2), (2, 2, 4, 4)),
    (L("MaxPool1d", 2), (2, 3, 8)),
    (L("MaxPool2d", 3, stride=2, padding=1, ceil_mode=True), (2, 3, 7, 7)),
    (L("AvgPool1d", 3, stride=2), (2, 3, 9)),
    (L("AvgPool2d", 2, padding=1, count_include_pad=False), (2, 3, 5, 5)),
    (L("AdaptiveAvgPool1d", 3), (2, 3, 7)),
    (L("AdaptiveAvgPool2d", (2, 3)), (2, 3, 7, 7)),
    (L("AdaptiveMaxPool2d", 2), (2, 3, 5, 5)),
    (L("Upsample", scale_factor=2), (2, 3, 4, 4)),
    (L("Upsample", size=(5, 7), mode="bilinear", align_corners=True), (2, 3, 4, 4)),
]


def layer_id(case: Any) -> str:
    (name, args, kwargs), _ = case
    settings = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{name}({', '.join(settings)})"


# --- running a model in either library -------------------------------------------------------


def torch_dtype(dtype: Any) -> Any:
    return torch.float64 if dtype == np.float64 else torch.float32


def run(model: Any, inputs: list[np.ndarray]) -> tuple[np.ndarray, list[Any], dict[str, Any]]:
    """Output, gradients of the float inputs and of the parameters, of sum(output * ramp)."""
    model.zero_grad()
    if isinstance(model, nn.Module):
        xs = [autograd.tensor(x, requires_grad=x.dtype.kind == "f") for x in inputs]
        y = model(*xs)
        ramp = np.linspace(-1.0, 1.0, y.data.size).reshape(y.shape).astype(y.data.dtype)
        (y * autograd.tensor(ramp)).sum().backward()
        grads = [x.grad.data if x.requires_grad else None for x in xs]
        params = {n: None if p.grad is None else p.grad.data for n, p in model.named_parameters()}
        return y.data, grads, params
    ts = [torch.tensor(x, requires_grad=x.dtype.kind == "f") for x in inputs]
    out = model(*ts)
    ramp = np.linspace(-1.0, 1.0, out.numel()).reshape(tuple(out.shape))
    (out * torch.tensor(ramp, dtype=out.dtype)).sum().backward()
    grads = [t.grad.numpy() if t.requires_grad else None for t in ts]
    named = model.named_parameters()
    params = {n: None if p.grad is None else p.grad.numpy() for n, p in named}
    return out.detach().numpy(), grads, params


def assert_same(ours: Any, theirs: Any, dtype: Any) -> None:
    tol = TOL[dtype]
    (y1, g1, p1), (y2, g2, p2) = ours, theirs
    assert y1.dtype == y2.dtype
    np.testing.assert_allclose(y1, y2, rtol=tol, atol=tol, err_msg="output")
    for a, b in zip(g1, g2):
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=tol, atol=tol, err_msg="input gradient")
    assert list(p1) == list(p2), "parameter names"
    for name in p1:
        np.testing.assert_allclose(p1[name], p2[name], rtol=tol, atol=tol, err_msg=name)


def build(lib: Any, spec: tuple[str, tuple[Any, ...], dict[str, Any]]) -> Any:
    name, args, kwargs = spec
    return getattr(lib, name)(*args, **kwargs)


def random_input(shape: tuple[int, ...], dtype: Any, seed: int = 0) -> np.ndarray:
    """Values up to about 8: both sides of every kink (ReLU6 at 6, hardsigmoid at 3...)."""
    return (np.random.default_rng(seed).standard_normal(shape) * 3).astype(dtype)


# --- every layer, both directions ---------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("case", LAYERS, ids=layer_id)
def test_a_layer_moved_to_torch_computes_the_same(case: Any, dtype: Any) -> None:
    spec, shape = case
    ours = build(nn, spec).to(dtype)
    if spec[0] == "Dropout":
        ours.eval()
    theirs = nn.to_torch(ours)
    assert type(theirs) is getattr(torch.nn, spec[0])
    assert repr(theirs) == repr(build(torch.nn, spec))
    x = random_input(shape, dtype)
    assert_same(run(ours, [x]), run(theirs, [x]), dtype)
    for (n1, b1), (n2, b2) in zip(ours.named_buffers(), theirs.named_buffers()):
        assert n1 == n2
        np.testing.assert_allclose(b1.data, b2.numpy(), rtol=TOL[dtype], err_msg=n1)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("case", LAYERS, ids=layer_id)
def test_a_torch_layer_moved_to_dagrad_computes_the_same(case: Any, dtype: Any) -> None:
    spec, shape = case
    theirs = build(torch.nn, spec).to(torch_dtype(dtype))
    if spec[0] == "Dropout":
        theirs.eval()
    ours = nn.from_torch(theirs)
    assert type(ours) is getattr(nn, spec[0])
    x = random_input(shape, dtype, seed=1)
    assert_same(run(ours, [x]), run(theirs, [x]), dtype)


LOSSES = [
    (L("MSELoss"), "real"),
    (L("L1Loss", reduction="sum"), "real"),
    (L("HuberLoss", delta=0.5), "real"),
    (L("SmoothL1Loss", beta=0.3), "real"),
    (L("BCELoss"), "probability"),
    (L("BCEWithLogitsLoss", pos_weight=[0.5, 1.0, 2.0]), "probability"),
    (L("CrossEntropyLoss", weight=[0.5, 1.0, 2.0], label_smoothing=0.1), "class"),
    (L("NLLLoss", weight=[0.5, 1.0, 2.0], ignore_index=1), "class"),
    (L("KLDivLoss", reduction="batchmean", log_target=True), "real"),
    (L("MultiMarginLoss", margin=0.5, p=2), "class"),
]


@pytest.mark.parametrize("case", LOSSES, ids=lambda c: c[0][0])
def test_a_loss_held_by_a_model_moves_both_ways(case: Any) -> None:
    (name, args, kwargs), kind = case
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 3))
    target: np.ndarray
    if kind == "probability":
        x, target = 1 / (1 + np.exp(-x)), rng.uniform(0, 1, (4, 3))
    elif kind == "class":
        target = np.array([0, 2, 1, 2])
    else:
        target = rng.standard_normal((4, 3))
    x, target = x.astype(np.float64), target.astype(np.float64) if kind != "class" else target
    as_dagrad = {k: autograd.tensor(v, dtype=np.float64) if isinstance(v, list) else v
                 for k, v in kwargs.items()}  # fmt: skip
    as_torch = {k: torch.tensor(v, dtype=torch.float64) if isinstance(v, list) else v
                for k, v in kwargs.items()}  # fmt: skip
    ours = getattr(nn, name)(*args, **as_dagrad)
    theirs = getattr(torch.nn, name)(*args, **as_torch)
    for a, b in [(ours, nn.to_torch(ours)), (nn.from_torch(theirs), theirs)]:
        assert_same(run(a, [x, target]), run(b, [x, target]), np.float64)


def test_batchnorm_brings_its_running_statistics_and_mode_back() -> None:
    ours = nn.BatchNorm1d(3, momentum=0.3)
    theirs = nn.to_torch(ours)
    x = random_input((8, 3), np.float32)
    theirs(torch.tensor(x))  # a training step in PyTorch moves the running statistics
    theirs.eval()
    back = nn.from_torch(theirs)
    assert not back.training
    ours.load_state_dict(theirs.state_dict())
    for model in (back, ours):
        np.testing.assert_allclose(model.running_mean.data, theirs.running_mean.numpy())
        np.testing.assert_allclose(model.running_var.data, theirs.running_var.numpy())
        assert int(model.num_batches_tracked.data) == 1


# --- user models ---------------------------------------------------------------------------------


def gelu_block(layer: nn.Module, x: Any) -> Any:
    """A module-level helper a forward calls: moved with it."""
    return F.gelu(layer(x))


class Composite(nn.Module):
    """Layers held directly, in a list, in a dict, in nn.ModuleList and nn.ModuleDict; a
    Parameter, a ParameterList, a buffer, a plain setting; functional calls (one under dagrad's
    own spelling) and a helper."""

    def __init__(self, features: int = 4) -> None:
        super().__init__()
        self.inp = nn.Linear(features, 6)
        self.blocks = [nn.Linear(6, 6), nn.Sequential(nn.Linear(6, 6), nn.Tanh())]
        self.heads = {"a": nn.Linear(6, 2), "b": nn.Linear(6, 2)}
        self.norms = nn.ModuleList([nn.LayerNorm(6)])
        self.acts = nn.ModuleDict({"out": nn.Softsign()})
        self.gain = nn.Parameter(np.full(6, 0.5, dtype=np.float32))
        self.offsets = nn.ParameterList([np.zeros(2, np.float32), np.ones(2, np.float32)])
        self.register_buffer("shift", autograd.tensor(np.linspace(-1, 1, 6).astype(np.float32)))
        self.scale = 1.5

    def forward(self, x: Any) -> Any:
        h = F.relu(self.inp(x)) * self.gain + self.shift
        for block in self.blocks:
            h = gelu_block(block, h) * self.scale
        h = self.acts["out"](self.norms[0](h))
        a = F.hard_sigmoid(self.heads["a"](h)) + self.offsets[0]
        b = autograd.tanh(self.heads["b"](h)) * self.offsets[1]
        return autograd.cat([a, b], dim=1)


class Residual(Composite):
    """A subclass of a user model: super() reaches the parent class's forward."""

    def forward(self, x: Any) -> Any:
        return super().forward(x) + self.skip(x)

    def skip(self, x: Any) -> Any:
        return x[:, :4].mean(dim=1, keepdim=True)


class ScaledLinear(nn.Linear):
    """A subclass of a layer: built as PyTorch's Linear, with this forward."""

    def forward(self, x: Any) -> Any:
        return super().forward(x) * 2.0 - 1.0


class Tied(nn.Module):
    """One weight used by two layers."""

    def __init__(self) -> None:
        super().__init__()
        self.enc = nn.Linear(4, 4, bias=False)
        self.dec = nn.Linear(4, 4)
        self.dec.weight = self.enc.weight

    def forward(self, x: Any) -> Any:
        return self.dec(F.elu(self.enc(x)))


class SmallCNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(64, 3))

    def forward(self, x: Any) -> Any:
        return F.log_softmax(self.head(self.features(x)), dim=1)


USER_MODELS = [
    ("Composite", Composite, (5, 4)),
    ("Residual", Residual, (5, 4)),
    ("ScaledLinear", lambda: ScaledLinear(4, 3), (5, 4)),
    ("Tied", Tied, (5, 4)),
    ("SmallCNN", SmallCNN, (2, 1, 8, 8)),
    ("MLP", lambda: nn.MLP(4, [8, 8], 2, activation="hard_sigmoid"), (5, 4)),
]


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("case", USER_MODELS, ids=[c[0] for c in USER_MODELS])
def test_a_user_model_moves_to_torch_and_back_computing_the_same(case: Any, dtype: Any) -> None:
    name, make, shape = case
    autograd.manual_seed(3)
    ours = make().to(dtype).eval()
    theirs = nn.to_torch(ours)
    assert isinstance(theirs, torch.nn.Module)
    assert type(theirs).__name__ == ("Sequential" if name == "MLP" else name)
    x = random_input(shape, dtype, seed=4)
    assert_same(run(ours, [x]), run(theirs, [x]), dtype)
    back = nn.from_torch(theirs)
    assert isinstance(back, nn.Module) and type(back).__name__ == type(theirs).__name__
    assert_same(run(back, [x]), run(theirs, [x]), dtype)
    assert list(back.state_dict()) == list(ours.state_dict())


def test_a_tied_weight_stays_one_parameter() -> None:
    theirs = nn.to_torch(Tied())
    assert theirs.dec.weight is theirs.enc.weight
    assert len(list(theirs.parameters())) == len(Tied().parameters()) == 2


def test_the_training_mode_of_each_module_moves_with_it() -> None:
    model = SmallCNN()
    model.head.eval()
    theirs = nn.to_torch(model)
    assert theirs.training and theirs.features.training and not theirs.head.training
    assert not theirs.head[1].training  # the Dropout: evaluation mode


class TorchNet(torch.nn.Module):
    """Written for PyTorch, with PyTorch's spellings: moved to dagrad."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 3, 3)
        self.heads = torch.nn.ModuleDict({"mean": torch.nn.Linear(12, 2)})
        self.norm = torch.nn.LayerNorm(2)
        self.register_buffer("center", torch.full((1,), 0.25))

    def forward(self, x: Any) -> Any:
        x = TF.max_pool2d(torch.relu(self.conv(x - self.center)), 2)
        x = torch.flatten(x, 1)
        x = x.view(x.size(0), -1)
        return torch.nn.functional.silu(self.norm(self.heads["mean"](x)))


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_a_torch_model_moves_to_dagrad_computing_the_same(dtype: Any) -> None:
    torch.manual_seed(0)
    theirs = TorchNet().to(torch_dtype(dtype))
    ours = nn.from_torch(theirs)
    assert isinstance(ours, nn.Module) and type(ours).__name__ == "TorchNet"
    x = random_input((2, 1, 6, 6), dtype, seed=5)
    assert_same(run(ours, [x]), run(theirs, [x]), dtype)
    assert [n for n, _ in ours.named_buffers()] == ["center"]


def test_the_copies_share_no_memory() -> None:
    ours = nn.Linear(2, 2)
    theirs = nn.to_torch(ours)
    with torch.no_grad():
        theirs.weight.add_(1.0)
    assert not np.allclose(ours.weight.data, theirs.weight.detach().numpy())


# --- state dicts and tensors ------------------------------------------------------------------


def test_state_dicts_load_across() -> None:
    ours, theirs = Composite(), nn.to_torch(Composite())
    with torch.no_grad():
        for p in theirs.parameters():
            p.mul_(-2.0)
    ours.load_state_dict(theirs.state_dict())  # torch tensors load directly
    for name, value in theirs.state_dict().items():
        np.testing.assert_array_equal(ours.state_dict()[name].data, value.numpy())
    fresh = Composite()
    theirs.load_state_dict(nn.to_torch(fresh.state_dict()))
    for name, value in fresh.state_dict().items():
        np.testing.assert_array_equal(theirs.state_dict()[name].numpy(), value.data)


def test_a_torch_state_dict_with_the_wrong_shape_is_refused_by_name() -> None:
    with pytest.raises(nn.StateDictError, match=r"'weight'.*shape \(3, 2\)"):
        nn.Linear(2, 2).load_state_dict(torch.nn.Linear(2, 3).state_dict(), strict=False)


def test_torch_parameters_and_unloadable_dtypes() -> None:
    theirs = torch.nn.Linear(2, 2)
    ours = nn.Linear(2, 2)
    ours.load_state_dict(theirs.state_dict(keep_vars=True))  # Parameters that require grad
    np.testing.assert_array_equal(ours.weight.data, theirs.weight.detach().numpy())
    with pytest.raises(TypeError, match=r"a PyTorch tensor of dtype torch\.bfloat16 cannot"):
        ours.load_state_dict(theirs.bfloat16().state_dict())


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.bool_])
def test_tensors_cross_with_their_dtype(dtype: Any) -> None:
    x = autograd.tensor(np.arange(6).reshape(2, 3).astype(dtype))
    t = nn.to_torch(x)
    assert isinstance(t, torch.Tensor) and t.numpy().dtype == dtype
    back = nn.from_torch(t)
    assert isinstance(back, autograd.Tensor) and back.dtype == dtype
    np.testing.assert_array_equal(back.data, x.data)


def test_moving_a_model_draws_no_random_numbers() -> None:
    model = SmallCNN()
    before_ours, before_theirs = autograd.get_rng_state(), torch.get_rng_state()
    nn.from_torch(nn.to_torch(model))
    assert autograd.get_rng_state() == before_ours
    assert torch.equal(torch.get_rng_state(), before_theirs)


# --- what has no counterpart --------------------------------------------------------------------


class UsesDagradOnly(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(2, 2)

    def forward(self, x: Any) -> Any:
        return autograd.value_sum([self.fc(x)])


class ImportsInside(nn.Module):
    def forward(self, x: Any) -> Any:
        import nn.functional as G

        return G.relu(x)


class Mixed(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.parts = [nn.Linear(2, 2), 3]

    def forward(self, x: Any) -> Any:
        return self.parts[0](x)


class UsesTorchOnly(torch.nn.Module):
    def forward(self, x: Any) -> Any:
        return torch.fft.fft(x).real


class UsesTorchOnlyFunction(torch.nn.Module):
    def forward(self, x: Any) -> Any:
        return TF.gumbel_softmax(x)


@pytest.mark.parametrize(
    "make, message",
    [
        (UsesDagradOnly, r"UsesDagradOnly\.forward\(\) uses autograd\.value_sum, which PyTorch"),
        (lambda: nn.scalar.MLP(2, [3, 1]), r"nn\.scalar\.MLP \(a dagrad module\) has no PyTorch"),
        (ImportsInside, r"ImportsInside\.forward\(\) imports nn\.functional inside"),
        (Mixed, r"Mixed\.parts mixes modules"),
    ],
    ids=["dagrad-only function", "nn.scalar", "import in forward", "mixed list"],
)
def test_what_pytorch_lacks_is_refused_by_name(make: Any, message: str) -> None:
    with pytest.raises(TranslationError, match=message):
        nn.to_torch(make())


def hook(module: Any, inputs: Any, output: Any) -> None:
    return None


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: torch.nn.GRU(2, 3), r"torch\.nn\.modules\.rnn\.GRU \(a PyTorch module\) has no"),
        (UsesTorchOnly, r"UsesTorchOnly\.forward\(\) uses torch\.fft, which dagrad does not have"),
        (UsesTorchOnlyFunction, r"uses torch\.nn\.functional\.gumbel_softmax, which dagrad"),
        (lambda: _hooked(torch.nn.Linear(2, 2)), r"Linear has hooks registered"),
    ],
    ids=["GRU", "torch.fft", "gumbel_softmax", "hooks"],
)
def test_what_dagrad_lacks_is_refused_by_name(make: Any, message: str) -> None:
    with pytest.raises(TranslationError, match=message):
        nn.from_torch(make())


def _hooked(module: Any) -> Any:
    module.register_forward_hook(hook)
    return module


def test_something_else_is_refused() -> None:
    with pytest.raises(TypeError, match=r"nn\.to_torch\(\): expected a dagrad Module"):
        nn.to_torch([1, 2])
    with pytest.raises(TypeError, match=r"nn\.from_torch\(\): expected a PyTorch Module"):
        nn.from_torch(nn.Linear(2, 2))


def test_dagrad_runs_without_importing_torch_or_onnx() -> None:
    code = (
        "import sys, autograd, nn, optim; nn.Linear(2, 2)(autograd.ones(1, 2)); "
        "print(sorted({'torch', 'onnx', 'onnxruntime'} & set(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
