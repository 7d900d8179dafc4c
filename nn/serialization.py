"""nn.save / nn.load: a state dict as a NumPy .npz archive, never a pickle.

The file is a zip of one ``.npy`` entry per parameter, named by the parameter's dotted name, plus
a format marker, so ``np.load(path)`` can read it too. Loading never unpickles: an entry that
would need it (an object array) is refused, so a checkpoint from elsewhere cannot run code.

Saving writes a temporary file in the target's directory, flushes it to disk and renames it over
the target (``os.replace`` is atomic): an interrupted save leaves the old file as it was. Only a
hard kill mid-write can leave the temporary file (``.NAME.<random>.tmp``) behind.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import zipfile
import zlib
from collections.abc import Mapping
from typing import Any

import numpy as np

from autograd import Tensor, Value

from .module import Module

FORMAT_KEY = "__dagrad_format__"
FORMAT_VERSION = 1
_ZIP_MAGIC = b"PK\x03\x04"
PathLike = str | os.PathLike[str]


class CheckpointError(ValueError):
    """A file that nn.load cannot read as a checkpoint: not one, damaged, or unsafe."""


def _as_array(key: str, value: Any) -> np.ndarray:
    if isinstance(value, Tensor):
        arr = value.data
    elif isinstance(value, Value):
        arr = np.array(value.data, dtype=np.float64)
    else:
        arr = np.asarray(value)
    if arr.dtype.kind not in "biufc":
        raise TypeError(
            f"nn.save(): entry {key!r} has dtype {arr.dtype}; only numeric arrays can be saved"
        )
    return arr  # type: ignore[no-any-return]


def _is_utf8(text: str) -> bool:
    """Zip entry names are UTF-8; lone surrogates ('\\ud800') have no encoding."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _entries(obj: Any) -> dict[str, np.ndarray]:
    if isinstance(obj, Module):
        return obj.state_dict()
    if not isinstance(obj, Mapping):
        raise TypeError(
            f"nn.save(): expected a Module or a state dict (name -> array), got a "
            f"{type(obj).__name__}"
        )
    entries = {}
    for key, value in obj.items():
        if not isinstance(key, str):
            raise TypeError(f"nn.save(): state dict keys must be strings, got {key!r}")
        if key == FORMAT_KEY or "\x00" in key or not _is_utf8(key):
            raise ValueError(f"nn.save(): {key!r} cannot be used as a key")
        entries[key] = _as_array(key, value)
    return entries


def save(obj: Module | Mapping[str, Any], path: PathLike) -> None:
    """Write a Module's state_dict() (or a state dict) to ``path`` atomically, as .npz.

    The file is written exactly at ``path`` (no suffix is added). dtypes and shapes are kept
    bit for bit; ``nn.load(path)`` gives the state dict back.
    """
    entries = _entries(obj)
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"nn.save(): the folder {folder!r} (of {target!r}) does not exist")
    temp = os.path.join(folder, f".{os.path.basename(target)}.{secrets.token_hex(6)}.tmp")
    # O_EXCL: never write into a file that is already there; mode 0o666 lets the umask apply
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            _write_npz(f, entries)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _sync_folder(folder)


def _write_npz(f: Any, entries: Mapping[str, np.ndarray]) -> None:
    """What np.savez writes, without its keyword-argument interface (which would reserve the
    names 'file' and 'allow_pickle') and with pickling switched off."""
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for key, arr in [(FORMAT_KEY, np.array(FORMAT_VERSION)), *entries.items()]:
            with archive.open(key + ".npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, arr, allow_pickle=False)


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable (POSIX); harmless where folders cannot be opened."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _not_a_checkpoint(path: str, head: bytes) -> CheckpointError:
    if head.startswith(b"\x93NUMPY"):
        kind = "a single .npy array"
    elif head[:1] == b"\x80":
        kind = "a pickle (nn.load never unpickles: pickles can run code)"
    elif not head:
        kind = "empty"
    else:
        kind = "not a .npz (zip) archive"
    return CheckpointError(f"nn.load(): {path!r} is not a checkpoint written by nn.save: {kind}")


def _read_entries(source: str) -> dict[str, np.ndarray]:
    """The arrays of an nn.save archive, each member read by its exact name.

    Not through np.load's NpzFile: its lookup by key also accepts full member names, so the
    keys "" and ".npy" (members ".npy" and ".npy.npy") would read the same member.
    """
    with zipfile.ZipFile(source) as archive:
        members = archive.namelist()
        names = [m[: -len(".npy")] if m.endswith(".npy") else m for m in members]
        if FORMAT_KEY not in names:
            shown = ", ".join(repr(n) for n in names[:5]) + (", ..." if len(names) > 5 else "")
            raise CheckpointError(
                f"nn.load(): {source!r} is a .npz archive but not one written by nn.save "
                f"(no format marker); its entries are {shown or 'none'}. Read it with "
                "np.load(path, allow_pickle=False)"
            )
        if len(set(members)) != len(members) or not all(m.endswith(".npy") for m in members):
            raise CheckpointError(f"nn.load(): {source!r} has damaged or foreign entries")
        arrays = {}
        for member, name in zip(members, names):
            with archive.open(member) as f:
                arrays[name] = np.lib.format.read_array(f, allow_pickle=False)
                if f.read(1):  # reading to the end also checks the member's CRC
                    raise CheckpointError(f"nn.load(): entry {name!r} of {source!r} is damaged")
    version = arrays.pop(FORMAT_KEY)
    if version.shape != () or version.dtype.kind not in "iu" or int(version) != FORMAT_VERSION:
        raise CheckpointError(
            f"nn.load(): {source!r} has checkpoint format {version.tolist()!r}; "
            f"this version of dagrad reads format {FORMAT_VERSION}"
        )
    return arrays


def load(path: PathLike) -> dict[str, np.ndarray]:
    """Read a checkpoint written by ``nn.save``: the state dict, name -> array.

    ``model.load_state_dict(nn.load(path))`` restores a model. A missing file raises
    FileNotFoundError; anything else that is not an intact checkpoint raises CheckpointError.
    """
    source = os.fspath(path)
    if not os.path.exists(source):
        raise FileNotFoundError(f"nn.load(): no such file: {source!r}")
    if os.path.isdir(source):
        raise IsADirectoryError(f"nn.load(): {source!r} is a directory, not a checkpoint file")
    with open(source, "rb") as f:
        head = f.read(8)
    if not head.startswith(_ZIP_MAGIC):
        raise _not_a_checkpoint(source, head)
    try:
        state = _read_entries(source)
    except CheckpointError:
        raise
    except ValueError as err:
        if "pickle" in str(err):
            raise CheckpointError(
                f"nn.load(): {source!r} holds an object array, which only unpickling could read; "
                "refused (pickles can run code)"
            ) from None
        raise CheckpointError(f"nn.load(): {source!r} is damaged: {err}") from None
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error, NotImplementedError) as err:
        raise CheckpointError(
            f"nn.load(): {source!r} is truncated or damaged ({type(err).__name__}: {err})"
        ) from None
    for name, value in state.items():
        if value.dtype.kind not in "biufc":
            raise CheckpointError(f"nn.load(): entry {name!r} of {source!r} is not a numeric array")
    return state
