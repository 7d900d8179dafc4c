"""nn.save / nn.load: what PyTorch scripts save (state dicts of models, optimizers and
schedulers, and training checkpoints made of them), bit-exact round trips, resuming training
on the same trajectory, atomic writes, and refusing bad, unsafe or oversized files (issue 13
point 7) without unpickling anything."""

from __future__ import annotations

import io
import json
import math
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given

import autograd
import nn
import optim
from autograd import Tensor, Value
from nn.serialization import FORMAT_KEY, TREE_KEY


def _odd_values() -> dict[str, np.ndarray]:
    """Arrays whose bits are easy to lose: special floats, odd dtypes, layouts and shapes."""
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, 1.7976931348623157e308])
    payload_nan = np.array([0x7FF8000000000123], dtype=np.uint64).view(np.float64)
    return {
        "layers.0.weight": np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32),
        "layers.0.bias": np.random.default_rng(1).normal(size=5),
        "special": special,
        "nan.with.payload": payload_nan,
        "half": np.array([1.5, -2.25, 65504.0], dtype=np.float16),
        "ints": np.array([-(2**62), 0, 2**62], dtype=np.int64),
        "mask": np.array([[True, False]]),
        "scalar": np.array(3.25),
        "empty": np.zeros((0, 4), dtype=np.float32),
        "fortran": np.asfortranarray(np.arange(12.0).reshape(3, 4)),
        "transposed": np.arange(6.0).reshape(2, 3).T,
        "complex": np.array([1 + 2j, -3.5j]),
        # names that np.savez's keyword interface or a zip file could trip on
        "file": np.array([1.0]),
        "allow_pickle": np.array([2.0]),
        "dir/name": np.array([3.0]),
        "a.npy": np.array([4.0]),
        "ünïcode": np.array([5.0]),
        "": np.array([6.0]),
        "/abs": np.array([7.0]),
        "a/../b": np.array([8.0]),
        ".npy": np.array([9.0]),
        "a": np.array([10.0]),
        FORMAT_KEY: np.array([11.0]),
        TREE_KEY: np.array([12.0]),
        "#1": np.array([13.0]),
        "nul\x00byte": np.array([14.0]),
        "\ud800": np.array([15.0]),
    }


def _assert_bit_exact(loaded: Any, original: dict[str, Any]) -> None:
    assert list(loaded) == list(original)
    for key, value in original.items():
        got, want = loaded[key], value
        if isinstance(want, Tensor):
            assert isinstance(got, Tensor), key
            got, want = got.data, want.data
        else:
            assert isinstance(got, np.ndarray), key
        assert got.dtype == want.dtype, key
        assert got.shape == want.shape, key
        assert np.ascontiguousarray(got).tobytes() == np.ascontiguousarray(want).tobytes(), key


def test_round_trip_is_bit_exact(tmp_path: Path) -> None:
    state = _odd_values()
    path = tmp_path / "state.pt"
    nn.save(state, path)
    _assert_bit_exact(nn.load(path), state)


KEYS = st.text(min_size=0, max_size=12)
DTYPES = st.sampled_from(
    [np.float16, np.float32, np.float64, np.int8, np.int64, np.uint16, np.bool_, np.complex128]
)


@given(
    st.dictionaries(
        KEYS,
        DTYPES.flatmap(
            lambda dt: hnp.arrays(
                dt, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)
            )
        ),
        max_size=5,
    )
)
def test_any_state_dict_round_trips_bit_exactly(state: dict[str, np.ndarray]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "state.pt"
        nn.save(state, path)
        _assert_bit_exact(nn.load(path), state)


LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=False),
    st.text(max_size=5),
)
TREES = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.one_of(st.text(max_size=3), st.integers(-5, 5)), inner, max_size=3),
    ),
    max_leaves=12,
)


@given(TREES)
def test_any_tree_of_numbers_strings_and_containers_round_trips(tree: Any) -> None:
    buffer = io.BytesIO()
    nn.save(tree, buffer)
    buffer.seek(0)
    loaded = nn.load(buffer)
    assert loaded == tree and repr(loaded) == repr(tree)  # types too: tuples, ints, floats


def test_the_file_is_a_plain_npz_at_exactly_the_given_path(tmp_path: Path) -> None:
    path = tmp_path / "checkpoint"  # no suffix is added
    nn.save({"model": {"w.0": np.arange(3.0)}, "epoch": 2}, path)
    assert os.listdir(tmp_path) == ["checkpoint"]
    with np.load(path, allow_pickle=False) as archive:  # the arrays, named by their key paths
        np.testing.assert_array_equal(archive["model/w.0"], [0.0, 1.0, 2.0])
        assert int(archive[FORMAT_KEY]) == 2
        structure = json.loads(archive[TREE_KEY].tobytes())
    assert structure[0][0] == "dict"


def test_module_round_trip(tmp_path: Path) -> None:
    autograd.manual_seed(4)
    model = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 2))
    model(autograd.randn(8, 4))  # the running statistics move
    nn.save(model, tmp_path / "m.pt")
    other = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 2))
    other.load_state_dict(nn.load(tmp_path / "m.pt", map_location="cpu"))
    x = autograd.randn(7, 4)
    model.eval()
    other.eval()
    assert model(x).data.tobytes() == other(x).data.tobytes()
    _assert_bit_exact(nn.load(tmp_path / "m.pt"), model.state_dict())


def test_scalar_module_round_trip(tmp_path: Path) -> None:
    model = nn.scalar.MLP(3, [4, 1])
    nn.save(model.state_dict(), str(tmp_path / "scalar.pt"))
    other = nn.scalar.MLP(3, [4, 1])
    other.load_state_dict(nn.load(str(tmp_path / "scalar.pt")))
    assert [p.data for p in model.parameters()] == [p.data for p in other.parameters()]


def test_a_training_checkpoint_round_trips_with_its_types(tmp_path: Path) -> None:
    model = nn.Linear(3, 2)
    opt = optim.Adam(model.parameters(), lr=0.01)
    sched = optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=10)
    model(autograd.randn(4, 3)).sum().backward()
    opt.step()
    sched.step()
    checkpoint = {
        "epoch": 3,
        "model_state_dict": model.state_dict(),
        "optimizer_state_dict": opt.state_dict(),
        "scheduler": sched.state_dict(),
        "loss": 0.25,
        "history": [1.5, float("inf"), float("nan")],
        "note": "best so far",
        "best": None,
        "flags": (True, False),
        "huge": 2**100,
        "weight": Tensor([1.0, 2.0], requires_grad=True),
        "param": nn.Parameter(np.ones(2)),
        "numpy scalar": np.float32(1.5),
        "rng": autograd.get_rng_state(),
    }
    nn.save(checkpoint, tmp_path / "ckpt.pt")
    loaded = nn.load(tmp_path / "ckpt.pt", map_location=lambda storage, loc: storage)
    assert list(loaded) == list(checkpoint)
    assert loaded["epoch"] == 3 and loaded["loss"] == 0.25 and loaded["note"] == "best so far"
    assert loaded["history"][:2] == [1.5, float("inf")] and math.isnan(loaded["history"][2])
    assert loaded["best"] is None and loaded["flags"] == (True, False) and loaded["huge"] == 2**100
    assert loaded["rng"] == checkpoint["rng"]
    assert loaded["weight"].requires_grad and not isinstance(loaded["weight"], nn.Parameter)
    assert isinstance(loaded["param"], nn.Parameter) and loaded["param"].dtype == np.float64
    assert type(loaded["numpy scalar"]) is np.float32
    saved_opt, opt_back = checkpoint["optimizer_state_dict"], loaded["optimizer_state_dict"]
    assert list(opt_back["state"]) == [0, 1]  # integer keys stay integers
    assert opt_back["param_groups"][0]["betas"] == saved_opt["param_groups"][0]["betas"]
    np.testing.assert_array_equal(opt_back["state"][0]["exp_avg"], saved_opt["state"][0]["exp_avg"])
    assert loaded["scheduler"] == checkpoint["scheduler"]
    _assert_bit_exact(loaded["model_state_dict"], checkpoint["model_state_dict"])


class Net(nn.Module):
    """A model whose state is more than its parameters: BatchNorm buffers, Dropout's draws."""

    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(3, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.2))
        self.head = nn.Linear(8, 1)

    def forward(self, x: Any) -> Any:
        return self.head(self.body(x))


def _setup(seed: int) -> tuple[Net, Any, Any]:
    autograd.manual_seed(seed)
    model = Net()
    opt = optim.Adam(model.parameters(), lr=0.01)
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    return model, opt, sched


def _epochs(model: Net, opt: Any, sched: Any, loader: Any, count: int) -> None:
    for _ in range(count):
        model.train()
        for xb, yb in loader:
            opt.zero_grad()
            nn.functional.mse_loss(model(xb), yb).backward()
            opt.step()
        sched.step()


def test_resuming_from_a_checkpoint_continues_the_same_trajectory(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3)).astype(np.float32)
    y = (x.sum(axis=1, keepdims=True) ** 2).astype(np.float32)
    data = nn.data.TensorDataset(x, y)

    # straight through: 6 epochs
    model, opt, sched = _setup(1)
    _epochs(model, opt, sched, nn.data.DataLoader(data, batch_size=8, shuffle=True), 6)
    straight = {k: v.data.copy() for k, v in model.state_dict().items()}

    # 3 epochs, a checkpoint, and a fresh process's worth of objects to resume into
    model, opt, sched = _setup(1)
    _epochs(model, opt, sched, nn.data.DataLoader(data, batch_size=8, shuffle=True), 3)
    nn.save(
        {
            "epoch": 3,
            "model": model.state_dict(),
            "optimizer": opt.state_dict(),
            "scheduler": sched.state_dict(),
            "rng": autograd.get_rng_state(),
        },
        tmp_path / "ckpt.pt",
    )
    model, opt, sched = _setup(99)  # other initial weights: everything must come from the file
    checkpoint = nn.load(tmp_path / "ckpt.pt", map_location="cpu", weights_only=True)
    model.load_state_dict(checkpoint["model"])
    opt.load_state_dict(checkpoint["optimizer"])
    sched.load_state_dict(checkpoint["scheduler"])
    autograd.set_rng_state(checkpoint["rng"])
    _epochs(
        model,
        opt,
        sched,
        nn.data.DataLoader(data, batch_size=8, shuffle=True),
        6 - checkpoint["epoch"],
    )
    resumed = {k: v.data for k, v in model.state_dict().items()}
    assert list(resumed) == list(straight)
    for key in straight:
        assert resumed[key].tobytes() == straight[key].tobytes(), key
    assert opt.param_groups[0]["lr"] == 0.01 * 0.5**3


def test_save_and_load_with_file_objects() -> None:
    buffer = io.BytesIO()
    nn.save({"w": Tensor([1.0, 2.0])}, buffer)
    buffer.seek(0)
    assert nn.load(buffer)["w"].tolist() == [1.0, 2.0]


def test_saving_over_a_file_replaces_it_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    path = tmp_path / "m.pt"
    nn.save({"a": np.zeros(3)}, path)
    nn.save({"b": np.ones(2)}, path)
    assert list(nn.load(path)) == ["b"]
    assert os.listdir(tmp_path) == ["m.pt"]


def _self_containing() -> dict[str, Any]:
    d: dict[str, Any] = {"a": 1}
    d["me"] = d
    return d


REFUSED = [
    (
        "a function",
        lambda: {"f": len},
        TypeError,
        r"nn.save\(\): cannot save entry 'f': a builtin_function_or_method",
    ),
    (
        "a text array",
        lambda: {"names": np.array(["a"])},
        TypeError,
        r"entry 'names' has dtype <U1; only numeric arrays",
    ),
    (
        "an object array",
        lambda: {"opt": {"obj": np.array([None])}},
        TypeError,
        r"entry 'opt'/'obj' has dtype object",
    ),
    (
        "a Value",
        lambda: {"v": Value(0.1)},
        TypeError,
        r"entry 'v' is a Value; save its number \(.data\) instead",
    ),
    ("a set", lambda: [{1, 2}], TypeError, r"cannot save entry 0: a set"),
    (
        "a tuple key",
        lambda: {(1, 2): 3},
        TypeError,
        r"has the key \(1, 2\), a tuple; keys must be strings, numbers",
    ),
    ("a dict inside itself", _self_containing, ValueError, r"entry 'me' contains itself"),
]


@pytest.mark.parametrize(("what", "make", "error", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_save_refuses_what_it_cannot_store(
    tmp_path: Path, what: str, make: Any, error: type, message: str
) -> None:
    path = tmp_path / "x"
    with pytest.raises(error, match=message):
        nn.save(make(), path)
    assert not path.exists() and os.listdir(tmp_path) == []


def test_saving_to_a_folder_says_so(tmp_path: Path) -> None:
    for target in (str(tmp_path) + "/", tmp_path, str(tmp_path / "sub") + os.sep):
        with pytest.raises(
            IsADirectoryError,
            match=r"nn.save\(\): '.*' is a directory; give a file name, e.g. '.*model.pt'",
        ) as info:
            nn.save({"a": np.zeros(1)}, target)
        assert ".tmp" not in str(info.value)
    with pytest.raises(
        FileNotFoundError, match=r"nn.save\(\): the folder '.*missing' .*does not exist"
    ):
        nn.save({"a": np.zeros(1)}, tmp_path / "missing" / "m.pt")
    assert os.listdir(tmp_path) == []


def test_map_location_may_only_name_the_cpu(tmp_path: Path) -> None:
    path = tmp_path / "m.pt"
    nn.save({"a": np.zeros(1)}, path)
    for where in ("cpu", "cpu:0", {"cuda:0": "cpu"}, lambda storage, loc: storage, None):
        nn.load(path, map_location=where)
    with pytest.raises(
        RuntimeError, match=r"map_location 'cuda' is not available: dagrad runs on the CPU only"
    ):
        nn.load(path, map_location="cuda")


# --- interrupted saves ----------------------------------------------------------------------


def _fail_after(count, error):
    """A write_array that writes ``count`` entries, then fails part-way into the next."""
    real = np.lib.format.write_array
    calls = []

    def write_array(fp, array, *args, **kwargs):
        calls.append(1)
        if len(calls) > count:
            fp.write(b"\x93NUMPY partial")
            raise error
        return real(fp, array, *args, **kwargs)

    return write_array


@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()])
def test_an_interrupted_write_leaves_the_old_file_intact(tmp_path, monkeypatch, error):
    path = tmp_path / "m.pt"
    old = {"w": np.arange(4.0)}
    nn.save(old, path)
    before = path.read_bytes()
    monkeypatch.setattr(np.lib.format, "write_array", _fail_after(2, error))
    with pytest.raises(type(error)):
        nn.save({"w": np.zeros(4), "v": np.ones(3), "u": np.ones(2)}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.pt"]  # the temporary file was removed
    monkeypatch.undo()
    _assert_bit_exact(nn.load(path), old)


def test_a_failed_rename_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "m.pt"
    nn.save({"w": np.arange(4.0)}, path)
    before = path.read_bytes()

    def replace(src, dst):
        raise PermissionError("rename refused")

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(PermissionError):
        nn.save({"w": np.zeros(4)}, path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["m.pt"]


KILLED_MID_WRITE = """
import sys, time
from pathlib import Path
import numpy as np
import nn

real = np.lib.format.write_array
def write_array(fp, array, *args, **kwargs):
    real(fp, array, *args, **kwargs)
    Path(sys.argv[2]).touch()  # tell the parent that the write is under way
    time.sleep(60)

np.lib.format.write_array = write_array
nn.save({"w": np.zeros(100_000), "v": np.ones(10)}, sys.argv[1])
"""


def test_a_process_killed_mid_write_leaves_the_old_file_intact(tmp_path):
    path, flag = tmp_path / "m.pt", tmp_path / "writing"
    old = {"w": np.arange(5.0)}
    nn.save(old, path)
    before = path.read_bytes()
    child = subprocess.Popen([sys.executable, "-c", KILLED_MID_WRITE, str(path), str(flag)])
    try:
        deadline = time.monotonic() + 30
        while not flag.exists():
            assert child.poll() is None, "the writer exited before it started writing"
            assert time.monotonic() < deadline, "the writer never started writing"
            time.sleep(0.02)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert path.read_bytes() == before
    _assert_bit_exact(nn.load(path), old)
    leftovers = [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
    assert len(leftovers) == 1 and leftovers[0].startswith(".m.pt.")  # a hard kill can't clean up


# --- files that are not intact checkpoints --------------------------------------------------


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file: .*nothing.npz"):
        nn.load(tmp_path / "nothing.npz")
    with pytest.raises(IsADirectoryError, match="is a directory"):
        nn.load(tmp_path)


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty"),
        (bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8)), "not a .npz"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "not a .npz"),
    ],
)
def test_foreign_bytes_are_refused(tmp_path, content, reason):
    path = tmp_path / "x.npz"
    path.write_bytes(content)
    with pytest.raises(nn.CheckpointError, match=f"not a checkpoint written by nn.save: {reason}"):
        nn.load(path)


def test_a_single_npy_array_is_refused(tmp_path):
    np.save(tmp_path / "a.npy", np.zeros(3))
    with pytest.raises(nn.CheckpointError, match="a single .npy array"):
        nn.load(tmp_path / "a.npy")


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, -1])
def test_truncated_files_are_refused(tmp_path, keep):
    path = tmp_path / "m.pt"
    nn.save({"w": np.random.default_rng(0).normal(size=(50, 50)), "b": np.ones(50)}, path)
    data = path.read_bytes()
    cut = len(data) + keep if keep < 0 else int(len(data) * keep)
    path.write_bytes(data[:cut])
    with pytest.raises(nn.CheckpointError, match="truncated or damaged"):
        nn.load(path)


def test_flipped_bits_are_caught_by_the_checksum(tmp_path):
    path = tmp_path / "m.pt"
    nn.save({"w": np.zeros(1000)}, path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01  # inside w's data
    path.write_bytes(bytes(data))
    with pytest.raises(nn.CheckpointError, match="CRC"):
        nn.load(path)


def test_an_npz_from_elsewhere_is_refused_and_its_entries_shown(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, images=np.zeros((2, 2)), labels=np.zeros(2))
    with pytest.raises(nn.CheckpointError, match="not one written by nn.save .*'images', 'labels'"):
        nn.load(path)
    with zipfile.ZipFile(tmp_path / "doc.zip", "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(nn.CheckpointError, match="not one written by nn.save"):
        nn.load(tmp_path / "doc.zip")


class _Planted:
    """Unpickling this runs os.mkdir(marker): proof that code ran, if the marker appears."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (str(self.marker),))


def test_a_pickle_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "code-ran"
    path = tmp_path / "model.pt"
    path.write_bytes(pickle.dumps({"w": _Planted(marker)}))
    with pytest.raises(nn.CheckpointError, match="a pickle \\(nn.load never unpickles"):
        nn.load(path)
    assert not marker.exists()
    # the planted pickle really would run code
    pickle.loads(path.read_bytes())
    assert marker.exists()


@pytest.mark.parametrize("with_marker", [True, False])
def test_an_object_array_inside_an_npz_is_refused_without_running_it(tmp_path, with_marker):
    marker = tmp_path / "code-ran"
    path = tmp_path / "evil.npz"
    entries = {"w": np.array([_Planted(marker)], dtype=object)}
    if with_marker:
        entries[FORMAT_KEY] = np.array(1)
    np.savez(path, **entries)  # np.savez pickles object arrays
    with pytest.raises(nn.CheckpointError, match="object array|not one written by nn.save"):
        nn.load(path)
    assert not marker.exists()
    with np.load(path, allow_pickle=True) as archive:
        archive["w"]  # the planted array really would run code
    assert marker.exists()


def test_format_1_files_still_load_and_newer_ones_are_refused(tmp_path: Path) -> None:
    old = tmp_path / "old.npz"
    np.savez(old, **{FORMAT_KEY: np.array(1), "w": np.arange(3.0)})  # what nn.save wrote before
    loaded = nn.load(old)
    assert isinstance(loaded["w"], Tensor) and loaded["w"].tolist() == [0.0, 1.0, 2.0]
    future = tmp_path / "future.npz"
    np.savez(future, **{FORMAT_KEY: np.array(3), "w": np.zeros(1)})
    with pytest.raises(
        nn.CheckpointError,
        match="has checkpoint format 3; this version of dagrad reads formats 1 and 2",
    ):
        nn.load(future)


def test_a_file_from_torch_save_is_refused_clearly(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    path = tmp_path / "torch.pt"
    torch.save({"w": torch.ones(2)}, path)
    with pytest.raises(nn.CheckpointError, match="not one written by nn.save"):
        nn.load(path)


# --- hostile archives: sizes are checked before anything is read (issue 13 point 7) -------------


def _npy_header(shape: tuple[int, ...], dtype: str = "<f8") -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": dtype, "fortran_order": False, "shape": shape}
    )
    return buffer.getvalue()


def _archive(path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> None:
    """A zip laid out as nn.save's: format marker, structure, then the members given."""
    marker = io.BytesIO()
    np.lib.format.write_array(marker, np.array(2))
    tree = io.BytesIO()
    nodes = [["dict", [1, 2]], ["str", "w"], ["array", 0]]
    np.lib.format.write_array(tree, np.frombuffer(json.dumps(nodes).encode(), dtype=np.uint8))
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        archive.writestr(FORMAT_KEY + ".npy", marker.getvalue())
        archive.writestr(TREE_KEY + ".npy", tree.getvalue())
        for name, data in members.items():
            archive.writestr(name + ".npy", data)


def test_a_declared_huge_shape_is_refused_without_allocating(tmp_path: Path) -> None:
    path = tmp_path / "huge.pt"
    _archive(path, {"w": _npy_header((10**11,)) + b"\x00" * 64})
    with pytest.raises(
        nn.CheckpointError,
        match=r"entry 'w' of .* is damaged: its header declares shape \(100000000000,\) "
        r"\(745.1 GiB\) but it holds 64 bytes",
    ):
        nn.load(path)


def test_a_zip_bomb_is_refused_by_its_compression_ratio(tmp_path: Path) -> None:
    path = tmp_path / "bomb.pt"
    count = 5_000_000  # 40 MB of zeros, about 40 KB deflated
    _archive(path, {"w": _npy_header((count,)) + bytes(8 * count)}, zipfile.ZIP_DEFLATED)
    assert path.stat().st_size < 200_000
    with pytest.raises(
        nn.CheckpointError,
        match=r"member 'w.npy' of .* expands \d+ bytes into 38.1 MiB, a ratio above the limit "
        r"of 100 \(a zip bomb\?\); pass max_ratio=",
    ):
        nn.load(path)
    loaded = nn.load(path, max_ratio=10_000)  # the caller can raise the limit
    assert loaded["w"].shape == (count,) and not loaded["w"].any()


def test_the_total_size_limit_can_be_raised(tmp_path: Path) -> None:
    path = tmp_path / "big.pt"
    nn.save({"w": np.zeros(1000)}, path)
    with pytest.raises(
        nn.CheckpointError,
        match=r"declares \d+\.\d KiB of data, more than the limit of 4.0 KiB; pass max_bytes=",
    ):
        nn.load(path, max_bytes=4096)
    assert nn.load(path, max_bytes=10**6)["w"].shape == (1000,)


def test_a_damaged_structure_is_refused(tmp_path: Path) -> None:
    for nodes in (
        [["dict", [1, 2]], ["str", "w"], ["array", 5]],  # an array the file does not hold
        [["list", [0]]],  # a node that contains itself
        [["exec", "print(1)"]],  # a kind of node that does not exist
        "[" * 100_000 + "]" * 100_000,  # nesting deep enough to exhaust the JSON parser's stack
    ):
        path = tmp_path / "bad.pt"
        marker, tree = io.BytesIO(), io.BytesIO()
        np.lib.format.write_array(marker, np.array(2))
        text = nodes if isinstance(nodes, str) else json.dumps(nodes)
        np.lib.format.write_array(tree, np.frombuffer(text.encode(), dtype=np.uint8))
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr(FORMAT_KEY + ".npy", marker.getvalue())
            archive.writestr(TREE_KEY + ".npy", tree.getvalue())
            archive.writestr("w.npy", _npy_header((1,)) + bytes(8))
        with pytest.raises(nn.CheckpointError, match="is damaged"):
            nn.load(path)
