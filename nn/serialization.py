"""nn.save / nn.load (PyTorch's torch.save / torch.load for checkpoints): a NumPy .npz archive,
never a pickle.

What can be saved: a model's ``state_dict()`` (or the model, which saves its state dict), an
optimizer's or scheduler's ``state_dict()``, and dicts, lists and tuples of those with numbers,
strings and None: a training checkpoint such as ``{"epoch": 3, "model": model.state_dict(),
"optimizer": opt.state_dict()}``. ``nn.load`` gives the same structure back, tensors as Tensors
and NumPy arrays as arrays.

The file is a zip of one ``.npy`` member per array, named by its key path (``model/0.weight``),
a member holding the structure as JSON (``__dagrad_tree__``) and a format marker, so
``np.load(path)`` can read the arrays too. Loading never unpickles: an entry that would need it
(an object array) is refused, so a checkpoint from elsewhere cannot run code. Before any array is
read, its declared size is checked against the member's size, the members' total size against
``max_bytes`` and the compression ratio of compressed members against ``max_ratio``: a hostile
file raises CheckpointError instead of exhausting memory.

Saving writes a temporary file in the target's directory, flushes it to disk and renames it over
the target (``os.replace`` is atomic): an interrupted save leaves the old file as it was. Only a
hard kill mid-write can leave the temporary file (``.NAME.<random>.tmp``) behind.
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import zipfile
import zlib
from typing import Any

import numpy as np

from autograd import Tensor

from .checkpoint_tree import TreeError, decode, encode, flatten, member_names

FORMAT_KEY = "__dagrad_format__"
TREE_KEY = "__dagrad_tree__"
FORMAT_VERSION = 2  # 1: a flat state dict, one member per entry (still read)
MAX_BYTES = 16 * 2**30  # nn.load's default limit on the arrays' total size: 16 GiB
MAX_RATIO = 100  # ... and on a compressed member's expansion (nn.save never compresses)
_ZIP_MAGIC = b"PK\x03\x04"
PathLike = str | os.PathLike[str]

__all__ = ["MAX_BYTES", "MAX_RATIO", "CheckpointError", "load", "save"]


class CheckpointError(ValueError):
    """A file that nn.load cannot read as a checkpoint: not one, damaged, unsafe or too big."""


# --- saving ---------------------------------------------------------------------------------


def save(
    obj: Any, f: Any, pickle_module: Any = None, pickle_protocol: Any = None, **_: Any
) -> None:
    """Write ``obj`` to ``f`` (a path, written atomically, or a binary file object).

    The file is written exactly at ``f`` (no suffix is added). dtypes and shapes are kept bit
    for bit; ``nn.load(f)`` gives ``obj`` back (a Module comes back as its state dict).
    ``pickle_module``/``pickle_protocol`` are accepted for PyTorch's signature and unused.
    """
    nodes, arrays = flatten(obj)
    if hasattr(f, "write") and not isinstance(f, (str, bytes, os.PathLike)):
        _write_npz(f, nodes, arrays)
        return
    target = os.fspath(f)
    if isinstance(target, bytes):
        target = os.fsdecode(target)
    if target.endswith(("/", os.sep)) or os.path.isdir(target):
        raise IsADirectoryError(
            f"nn.save(): {target!r} is a directory; give a file name, e.g. "
            f"{os.path.join(target.rstrip('/' + os.sep) or '.', 'model.pt')!r}"
        )
    folder = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"nn.save(): the folder {folder!r} (of {target!r}) does not exist")
    temp = os.path.join(folder, f".{os.path.basename(target)}.{secrets.token_hex(6)}.tmp")
    # O_EXCL: never write into a file that is already there; mode 0o666 lets the umask apply
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as out:
            _write_npz(out, nodes, arrays)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _sync_folder(folder)


def _write_npz(f: Any, nodes: list[Any], arrays: list[tuple[str, np.ndarray]]) -> None:
    """What np.savez writes (uncompressed), with the structure as one more member, without
    np.savez's keyword interface (which would reserve the names 'file' and 'allow_pickle')
    and with pickling switched off."""
    names = member_names(arrays, {FORMAT_KEY, TREE_KEY})
    tree = np.frombuffer(encode(nodes), dtype=np.uint8)
    members = [(FORMAT_KEY, np.array(FORMAT_VERSION)), (TREE_KEY, tree)]
    members += [(name, data) for name, (_, data) in zip(names, arrays)]
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for key, arr in members:
            with archive.open(key + ".npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asarray(arr), allow_pickle=False)


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable (POSIX); harmless where folders cannot be opened."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --- loading ----------------------------------------------------------------------------------


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


def _check_sizes(
    source: str, infos: list[zipfile.ZipInfo], max_bytes: int, max_ratio: float
) -> None:
    """Refuse, before reading anything, an archive that would expand beyond the limits."""
    total = sum(info.file_size for info in infos)
    if total > max_bytes:
        raise CheckpointError(
            f"nn.load(): {source!r} declares {_size(total)} of data, more than the limit of "
            f"{_size(max_bytes)}; pass max_bytes= to nn.load to allow more"
        )
    for info in infos:
        if info.compress_type == zipfile.ZIP_STORED:
            if info.compress_size != info.file_size:
                raise CheckpointError(f"nn.load(): {source!r} has damaged entries (sizes disagree)")
        elif info.file_size > max_ratio * max(info.compress_size, 1):
            raise CheckpointError(
                f"nn.load(): member {info.filename!r} of {source!r} expands {info.compress_size} "
                f"bytes into {_size(info.file_size)}, a ratio above the limit of {max_ratio} "
                "(a zip bomb?); pass max_ratio= to nn.load to allow more"
            )


def _size(n: int) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


def _read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, source: str, name: str
) -> np.ndarray:
    """One .npy member: its header is read and checked (numeric dtype, a size that matches
    the member) before memory for the data is allocated; reading to the end checks the CRC."""
    with archive.open(info) as f:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        elif version in ((2, 0), (3, 0)):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
        else:
            raise CheckpointError(
                f"nn.load(): entry {name!r} of {source!r} has .npy version {version}"
            )
        if dtype.hasobject or dtype.kind not in "biufc":
            raise CheckpointError(
                f"nn.load(): {source!r} holds an object array, which only unpickling could read; "
                "refused (pickles can run code)"
                if dtype.hasobject
                else f"nn.load(): entry {name!r} of {source!r} is not a numeric array"
            )
        count = 1
        for n in shape:
            count *= int(n)
        need = count * dtype.itemsize
        if need != info.file_size - f.tell():
            raise CheckpointError(
                f"nn.load(): entry {name!r} of {source!r} is damaged: its header declares shape "
                f"{shape} ({_size(need)}) but it holds {_size(max(info.file_size - f.tell(), 0))}"
            )
        flat = np.empty(count, dtype=dtype)
        view = memoryview(flat.view(np.uint8)) if need else memoryview(b"")  # type: ignore[arg-type]
        got = 0
        while got < need:
            n = f.readinto(view[got:])  # type: ignore[attr-defined]
            if not n:
                raise CheckpointError(f"nn.load(): entry {name!r} of {source!r} is truncated")
            got += n
        if f.read(1):  # reading to the end also checks the member's CRC
            raise CheckpointError(f"nn.load(): entry {name!r} of {source!r} is damaged")
    return flat.reshape(shape, order="F" if fortran else "C")


def _read(source: str, archive: zipfile.ZipFile, max_bytes: int, max_ratio: float) -> Any:
    infos = archive.infolist()
    members = [info.filename for info in infos]
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
    _check_sizes(source, infos, max_bytes, max_ratio)
    arrays = {name: _read_member(archive, info, source, name) for info, name in zip(infos, names)}
    version = arrays.pop(FORMAT_KEY)
    if version.shape != () or version.dtype.kind not in "iu" or int(version) not in (1, 2):
        raise CheckpointError(
            f"nn.load(): {source!r} has checkpoint format {version.tolist()!r}; "
            f"this version of dagrad reads formats 1 and {FORMAT_VERSION}"
        )
    if int(version) == 1:  # a flat state dict, name -> array
        return {name: Tensor(arr) for name, arr in arrays.items()}
    tree = arrays.pop(TREE_KEY, None)
    if tree is None or tree.dtype != np.uint8 or tree.ndim != 1:
        raise CheckpointError(f"nn.load(): {source!r} has no readable structure")
    ordered = list(arrays.values())  # members were written in array order
    try:
        return decode(tree.tobytes(), ordered)
    except TreeError as err:
        raise CheckpointError(f"nn.load(): {source!r} is damaged: {err}") from None


def _check_map_location(map_location: Any) -> None:
    """PyTorch's map_location: the only device here is the CPU, so anything that maps to it is
    accepted (a function is accepted and not called: every tensor is on the CPU already)."""
    if map_location is None or callable(map_location):
        return
    targets = map_location.values() if isinstance(map_location, dict) else [map_location]
    for target in targets:
        name = str(target)
        if name != "cpu" and not name.startswith("cpu:"):
            raise RuntimeError(
                f"nn.load(): map_location {name!r} is not available: dagrad runs on the CPU "
                "only (use map_location='cpu' or leave it out)"
            )


def load(
    f: Any,
    map_location: Any = None,
    pickle_module: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: bool | None = None,
    max_bytes: int = MAX_BYTES,
    max_ratio: float = MAX_RATIO,
    **pickle_load_args: Any,
) -> Any:
    """Read a checkpoint written by ``nn.save``: the object that was saved.

    ``model.load_state_dict(nn.load(path))`` restores a model. ``map_location`` (the CPU only),
    ``weights_only`` and ``mmap`` are accepted for PyTorch's signature; nothing is ever
    unpickled. ``max_bytes`` (default 16 GiB) caps the total size of the arrays and
    ``max_ratio`` (default 100) the expansion of a compressed member: raise them to read
    bigger files. A missing file raises FileNotFoundError; anything else that is not an intact
    checkpoint raises CheckpointError.
    """
    _check_map_location(map_location)
    if hasattr(f, "read") and not isinstance(f, (str, bytes, os.PathLike)):
        data = f.read()
        source = repr(getattr(f, "name", "<file object>"))
        return _load_bytes(io.BytesIO(data), data[:8], str(source), max_bytes, max_ratio)
    source = os.fspath(f)
    if isinstance(source, bytes):
        source = os.fsdecode(source)
    if not os.path.exists(source):
        raise FileNotFoundError(f"nn.load(): no such file: {source!r}")
    if os.path.isdir(source):
        raise IsADirectoryError(f"nn.load(): {source!r} is a directory, not a checkpoint file")
    with open(source, "rb") as handle:
        head = handle.read(8)
    return _load_bytes(source, head, source, max_bytes, max_ratio)


def _load_bytes(file: Any, head: bytes, source: str, max_bytes: int, max_ratio: float) -> Any:
    if not head.startswith(_ZIP_MAGIC):
        raise _not_a_checkpoint(source, head)
    try:
        with zipfile.ZipFile(file) as archive:
            return _read(source, archive, max_bytes, max_ratio)
    except CheckpointError:
        raise
    except MemoryError:
        raise CheckpointError(f"nn.load(): {source!r} needs more memory than is free") from None
    except ValueError as err:
        raise CheckpointError(f"nn.load(): {source!r} is damaged: {err}") from None
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error, NotImplementedError) as err:
        raise CheckpointError(
            f"nn.load(): {source!r} is truncated or damaged ({type(err).__name__}: {err})"
        ) from None
