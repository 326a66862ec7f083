"""A flat, uncompressed container of named numpy arrays, read without copying.

Layout: the 8-byte magic ``GWARRAYS``, a little-endian uint64 header length, a UTF-8
JSON header ``{"meta": {...}, "arrays": [{"name", "dtype", "shape", "offset"}]}``,
then each array's bytes (C order) at a 64-byte-aligned offset from the start.
:func:`unpack` returns read-only ``np.frombuffer`` views into the given buffer, so
loading costs no decompression and no copy.

Why not ``np.savez`` / ``np.savez_compressed``: reading an ``.npz`` goes through
``zipfile`` (a copy and a CRC per member, plus inflation when compressed); for the
grid index that was 0.1 s of every warm assignment, and compressing it was 1 s of
every cold one. No pickle is involved: dtypes are plain numeric or fixed-width
strings, checked on read.
"""

from __future__ import annotations

import json
import struct

import numpy as np

MAGIC = b"GWARRAYS"
_ALIGN = 64
_KINDS = set("biufU")  # bool, int, uint, float, fixed-width unicode: no objects


def pack(arrays: dict[str, np.ndarray], meta: dict) -> bytes:
    """Serialise ``arrays`` (numeric or fixed-width str) and JSON-able ``meta``."""
    entries, blobs, offset = [], [], 0
    for name, arr in arrays.items():
        arr = np.ascontiguousarray(arr)
        if arr.dtype.kind not in _KINDS:
            raise TypeError(f"array {name!r} has dtype {arr.dtype}, not storable")
        entries.append(
            {
                "name": name,
                "dtype": arr.dtype.str,
                "shape": list(arr.shape),
                "offset": offset,
            }
        )
        blobs.append(arr.reshape(-1).view(np.uint8) if arr.size else b"")
        offset += -(-len(blobs[-1]) // _ALIGN) * _ALIGN
    header = json.dumps({"meta": meta, "arrays": entries}).encode()
    head = MAGIC + struct.pack("<Q", len(header)) + header
    chunks = [head, bytes(-len(head) % _ALIGN)]
    for blob in blobs:
        chunks += [blob, bytes(-len(blob) % _ALIGN)]
    return b"".join(chunks)


def unpack(data) -> tuple[dict[str, np.ndarray], dict]:
    """(arrays, meta) from :func:`pack` output; arrays view ``data`` (read-only).

    Raises ValueError when ``data`` is not such a container or is truncated.
    """
    buf = memoryview(data).cast("B")
    if bytes(buf[: len(MAGIC)]) != MAGIC or len(buf) < len(MAGIC) + 8:
        raise ValueError("not an array container")
    (n,) = struct.unpack("<Q", buf[len(MAGIC) : len(MAGIC) + 8])
    if len(MAGIC) + 8 + n > len(buf):
        raise ValueError("truncated header")
    head = json.loads(bytes(buf[len(MAGIC) + 8 : len(MAGIC) + 8 + n]))
    start = -(-(len(MAGIC) + 8 + n) // _ALIGN) * _ALIGN
    arrays = {}
    for e in head["arrays"]:
        dtype = np.dtype(e["dtype"])
        if dtype.kind not in _KINDS:
            raise ValueError(f"array {e['name']!r} has a forbidden dtype")
        shape = tuple(int(s) for s in e["shape"])
        count = int(np.prod(shape, dtype=np.int64))
        pos = start + int(e["offset"])
        if pos < start or pos + count * dtype.itemsize > len(buf):
            raise ValueError(f"array {e['name']!r} is truncated")
        arrays[e["name"]] = np.frombuffer(buf, dtype, count, pos).reshape(shape)
    return arrays, head["meta"]
