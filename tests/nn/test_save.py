"""nn.save / nn.load: bit-exact round trips, atomic writes, and refusing bad or unsafe files."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given

import nn
from autograd import Tensor, Value
from nn.serialization import FORMAT_KEY


def _odd_values():
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
        # np.load's own lookup would read the member of "" for ".npy" and of "a" for "a.npy"
        ".npy": np.array([9.0]),
        "a": np.array([10.0]),
    }


def _assert_bit_exact(loaded, original):
    assert list(loaded) == list(original)
    for key, value in original.items():
        got = loaded[key]
        assert got.dtype == value.dtype, key
        assert got.shape == value.shape, key
        assert np.ascontiguousarray(got).tobytes() == np.ascontiguousarray(value).tobytes(), key


def test_round_trip_is_bit_exact(tmp_path):
    state = _odd_values()
    path = tmp_path / "state.npz"
    nn.save(state, path)
    _assert_bit_exact(nn.load(path), state)


KEYS = st.text(min_size=0, max_size=12).filter(
    lambda k: k != FORMAT_KEY and "\x00" not in k and not any(0xD800 <= ord(c) <= 0xDFFF for c in k)
)
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
def test_any_state_dict_round_trips_bit_exactly(state):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "state.npz"
        nn.save(state, path)
        _assert_bit_exact(nn.load(path), state)


def test_the_file_is_a_plain_npz_at_exactly_the_given_path(tmp_path):
    path = tmp_path / "checkpoint"  # no suffix is added
    nn.save({"w.0": np.arange(3.0)}, path)
    assert os.listdir(tmp_path) == ["checkpoint"]
    with np.load(path, allow_pickle=False) as archive:
        np.testing.assert_array_equal(archive["w.0"], [0.0, 1.0, 2.0])
        assert int(archive[FORMAT_KEY]) == 1


def test_module_round_trip(tmp_path):
    nn.init.manual_seed(4)
    model = nn.MLP(4, [6, 5], 2, dtype=np.float64)
    nn.save(model, tmp_path / "m.npz")
    other = nn.MLP(4, [6, 5], 2, dtype=np.float64)
    other.load_state_dict(nn.load(tmp_path / "m.npz"))
    x = np.random.default_rng(3).normal(size=(7, 4))
    assert model(x).data.tobytes() == other(x).data.tobytes()
    _assert_bit_exact(nn.load(tmp_path / "m.npz"), model.state_dict())


def test_scalar_module_round_trip(tmp_path):
    model = nn.scalar.MLP(3, [4, 1])
    nn.save(model, str(tmp_path / "scalar.npz"))
    other = nn.scalar.MLP(3, [4, 1])
    other.load_state_dict(nn.load(str(tmp_path / "scalar.npz")))
    assert [p.data for p in model.parameters()] == [p.data for p in other.parameters()]


def test_state_dict_of_tensors_and_values(tmp_path):
    nn.save({"t": Tensor(np.ones(2, dtype=np.float32)), "v": Value(0.1)}, tmp_path / "x")
    loaded = nn.load(tmp_path / "x")
    assert loaded["t"].dtype == np.float32 and loaded["v"].dtype == np.float64
    assert float(loaded["v"]) == 0.1


def test_saving_over_a_file_replaces_it_and_leaves_no_temporary_files(tmp_path):
    path = tmp_path / "m.npz"
    nn.save({"a": np.zeros(3)}, path)
    nn.save({"b": np.ones(2)}, path)
    assert list(nn.load(path)) == ["b"]
    assert os.listdir(tmp_path) == ["m.npz"]


def test_save_refuses_what_it_cannot_store(tmp_path):
    path = tmp_path / "x"
    with pytest.raises(TypeError, match="keys must be strings, got 1"):
        nn.save({1: np.zeros(1)}, path)
    with pytest.raises(TypeError, match="entry 'names' has dtype <U1; only numeric arrays"):
        nn.save({"names": np.array(["a"])}, path)
    with pytest.raises(TypeError, match="entry 'obj' has dtype object"):
        nn.save({"obj": np.array([None])}, path)
    for key in (FORMAT_KEY, "a\x00b", "\ud800"):
        with pytest.raises(ValueError, match="cannot be used as a key"):
            nn.save({key: np.zeros(1)}, path)
    with pytest.raises(TypeError, match="expected a Module or a state dict"):
        nn.save([np.zeros(1)], path)  # type: ignore[arg-type]
    assert not path.exists()


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
    path = tmp_path / "m.npz"
    old = {"w": np.arange(4.0)}
    nn.save(old, path)
    before = path.read_bytes()
    monkeypatch.setattr(np.lib.format, "write_array", _fail_after(2, error))
    with pytest.raises(type(error)):
        nn.save({"w": np.zeros(4), "v": np.ones(3), "u": np.ones(2)}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.npz"]  # the temporary file was removed
    monkeypatch.undo()
    _assert_bit_exact(nn.load(path), old)


def test_a_failed_rename_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "m.npz"
    nn.save({"w": np.arange(4.0)}, path)
    before = path.read_bytes()

    def replace(src, dst):
        raise PermissionError("rename refused")

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(PermissionError):
        nn.save({"w": np.zeros(4)}, path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["m.npz"]


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
    path, flag = tmp_path / "m.npz", tmp_path / "writing"
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
    assert len(leftovers) == 1 and leftovers[0].startswith(".m.npz.")  # a hard kill can't clean up


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
    path = tmp_path / "m.npz"
    nn.save({"w": np.random.default_rng(0).normal(size=(50, 50)), "b": np.ones(50)}, path)
    data = path.read_bytes()
    cut = len(data) + keep if keep < 0 else int(len(data) * keep)
    path.write_bytes(data[:cut])
    with pytest.raises(nn.CheckpointError, match="truncated or damaged"):
        nn.load(path)


def test_flipped_bits_are_caught_by_the_checksum(tmp_path):
    path = tmp_path / "m.npz"
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


def test_a_newer_format_is_refused(tmp_path):
    path = tmp_path / "future.npz"
    np.savez(path, **{FORMAT_KEY: np.array(2), "w": np.zeros(1)})
    with pytest.raises(
        nn.CheckpointError, match="has checkpoint format 2; this version of dagrad reads format 1"
    ):
        nn.load(path)


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
