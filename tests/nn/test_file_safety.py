"""nn.load never unpickles, refuses damaged files cleanly, and nn.save is atomic.

The hostile files carry a real payload: unpickling them creates a marker file (checked once with
NumPy's own unpickling, so the test would notice a harmless payload). nn.load must refuse every
one of them with a CheckpointError, and the marker must not appear. The atomicity test SIGKILLs
a process that keeps overwriting a checkpoint, at random moments, and loads what is left.
"""

from __future__ import annotations

import io
import pickle
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

nn = pytest.importorskip("nn", reason="nn.save / nn.load are not there yet")
CheckpointError = nn.CheckpointError
FORMAT_KEY = "__dagrad_format__"


class CreatesFile:
    """Unpickling this object opens (so creates) ``path``: code run by pickle."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (str(self.path), "w"))


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def hostile_array(marker: Path) -> np.ndarray:
    payload = np.empty(1, dtype=object)
    payload[0] = CreatesFile(marker)
    return payload


def write_npz(path: Path, entries: dict[str, np.ndarray]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, array in entries.items():
            archive.writestr(name + ".npy", npy_bytes(array))


def hostile_checkpoint(path: Path, marker: Path) -> None:
    """A file that looks like nn.save's in every way but one: 'weight' is an object array."""
    write_npz(
        path,
        {
            FORMAT_KEY: np.array(1),
            "bias": np.zeros(3, np.float32),
            "weight": hostile_array(marker),
        },
    )


def hostile_format_marker(path: Path, marker: Path) -> None:
    write_npz(path, {FORMAT_KEY: hostile_array(marker), "weight": np.zeros(2)})


def hostile_foreign_npz(path: Path, marker: Path) -> None:
    write_npz(path, {"weight": hostile_array(marker)})


def hostile_npy(path: Path, marker: Path) -> None:
    path.write_bytes(npy_bytes(hostile_array(marker)))


def hostile_pickle(path: Path, marker: Path) -> None:
    path.write_bytes(pickle.dumps({"weight": CreatesFile(marker)}))


def test_the_hostile_payload_is_real(tmp_path: Path) -> None:
    """The control: unpickling the crafted checkpoint does run its code."""
    marker = tmp_path / "ran"
    hostile_checkpoint(tmp_path / "model.npz", marker)
    with np.load(tmp_path / "model.npz", allow_pickle=True) as archive:
        archive["weight"]
    assert marker.exists()


@pytest.mark.parametrize(
    ("craft", "message"),
    [
        pytest.param(
            hostile_checkpoint,
            r"holds an object array, which only unpickling could read; refused",
            id="object array in a checkpoint",
        ),
        pytest.param(
            hostile_format_marker,
            r"object array.*refused",
            id="object array as the format marker",
        ),
        pytest.param(hostile_foreign_npz, r"not one written by nn\.save", id="foreign npz"),
        pytest.param(hostile_npy, r"a single \.npy array", id="npy file"),
        pytest.param(hostile_pickle, r"a pickle \(nn\.load never unpickles", id="pickle file"),
    ],
)
def test_load_refuses_a_file_that_would_run_code(tmp_path: Path, craft: Any, message: str) -> None:
    marker = tmp_path / "ran"
    path = tmp_path / "model.npz"
    craft(path, marker)
    with pytest.raises(CheckpointError, match=message) as info:
        nn.load(path)
    assert "model.npz" in str(info.value)  # names the file
    assert not marker.exists(), "nn.load ran the code in the file"


# --- damaged files ------------------------------------------------------------------------------


@pytest.fixture
def checkpoint(tmp_path: Path) -> Path:
    path = tmp_path / "model.npz"
    state = {
        "weight": np.arange(12, dtype=np.float32).reshape(3, 4),
        "bias": np.ones(3, np.float64),
    }
    nn.save(state, path)
    loaded = nn.load(path)
    np.testing.assert_array_equal(loaded["weight"], state["weight"])  # intact to begin with
    return path


@pytest.mark.parametrize("keep", [0, 4, 30, 0.5, -1], ids=lambda k: f"keep {k}")
def test_load_refuses_a_truncated_file(checkpoint: Path, keep: float) -> None:
    data = checkpoint.read_bytes()
    cut = int(len(data) * keep) if isinstance(keep, float) else keep % len(data)
    checkpoint.write_bytes(data[:cut])
    with pytest.raises(CheckpointError, match=r"nn\.load\(\): '.*model\.npz'"):
        nn.load(checkpoint)


def test_load_refuses_a_file_whose_data_was_damaged(checkpoint: Path) -> None:
    """A flipped byte inside an array: the zip CRC catches it, rather than wrong weights."""
    data = bytearray(checkpoint.read_bytes())
    index = data.index(np.float32(11).tobytes())  # the last element of 'weight'
    data[index] ^= 0xFF
    checkpoint.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match=r"truncated or damaged.*CRC"):
        nn.load(checkpoint)


@pytest.mark.parametrize("head", [b"", b"PK\x03\x04"], ids=["random bytes", "zip magic + random"])
def test_load_refuses_random_bytes(tmp_path: Path, head: bytes) -> None:
    path = tmp_path / "noise.npz"
    path.write_bytes(head + np.random.default_rng(0).bytes(4096))
    with pytest.raises(CheckpointError, match=r"nn\.load\(\): '.*noise\.npz'"):
        nn.load(path)


def test_load_refuses_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.npz"
    path.touch()
    with pytest.raises(CheckpointError, match=r"is not a checkpoint written by nn\.save: empty"):
        nn.load(path)


# --- atomic saves ---------------------------------------------------------------------------------

ENTRIES, ROWS, COLUMNS = 8, 512, 1024  # 16 MB per save: long enough to be caught mid-write

SAVER = textwrap.dedent(
    f"""
    import sys
    import numpy as np
    import nn

    target = sys.argv[1]
    for k in range(1_000_000):
        state = {{f"layer{{i}}.weight": np.full(({ROWS}, {COLUMNS}), k, np.float32)
                 for i in range({ENTRIES})}}
        print("begin", k, flush=True)
        nn.save(state, target)
        print("end", k, flush=True)
    """
)


def saved_version(path: Path) -> int:
    """Load a checkpoint written by SAVER (or the test) and check it is whole: every entry
    there, of the right shape, all holding the same version number."""
    state = nn.load(path)
    assert sorted(state) == [f"layer{i}.weight" for i in range(ENTRIES)]
    versions = set()
    for array in state.values():
        assert array.shape == (ROWS, COLUMNS) and array.dtype == np.float32
        versions.update(np.unique(array).tolist())
    assert len(versions) == 1, f"a checkpoint mixing versions {sorted(versions)}"
    return int(versions.pop())


def test_a_save_killed_midway_leaves_the_old_file_intact(tmp_path: Path) -> None:
    target = tmp_path / "model.npz"
    old = {f"layer{i}.weight": np.full((ROWS, COLUMNS), -1, np.float32) for i in range(ENTRIES)}
    nn.save(old, target)
    previous, rng = -1, np.random.default_rng(8)
    killed_midway = 0
    for _ in range(5):
        child = subprocess.Popen(
            [sys.executable, "-c", SAVER, str(target)], stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None
        assert child.stdout.readline() == "begin 0\n", "the saving process did not start"
        time.sleep(rng.uniform(0.0, 0.08))  # up to a few saves' worth of time
        child.send_signal(signal.SIGKILL)
        words = child.communicate(timeout=30)[0].split()
        begun = 1 + words[::2].count("begin")  # "begin 0" was read above
        ended = words[::2].count("end")
        killed_midway += begun > ended
        # the file holds the last whole save: the one before, or one this process began
        version = saved_version(target)
        assert version in {previous, *range(begun)}
        previous = version
    assert killed_midway >= 1, "no kill landed in the middle of a save: the test proved nothing"
    # a killed save may leave its temporary file, hidden beside the target; remove them (16 MB)
    for leftover in tmp_path.iterdir():
        if leftover != target:
            assert leftover.name.startswith(".model.npz"), leftover.name
            leftover.unlink()
