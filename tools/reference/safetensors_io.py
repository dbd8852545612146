#!/usr/bin/env python3
"""Independent safetensors reader/writer (python3 + numpy only, no safetensors library).

Written from the format description (REFERENCE.md section 4 / huggingface/safetensors docs), not from the
cftkit TypeScript code. Used by the interop tests.

  safetensors_io.py write <out.safetensors> [seed]
      writes F32, F16 and BF16 tensors (random values plus special values: +-0, subnormals, +-inf, NaN, max)
      and prints JSON {name: {dtype, shape, f32_hex}} with the exact float32 value of every stored element.
  safetensors_io.py read <file.safetensors>
      prints JSON {metadata, header_length, tensors: {name: {dtype, shape, data_offsets, raw_hex, f32_hex}}}.
  safetensors_io.py f16table
      prints the float32 bits (hex, little-endian) of all 65536 float16 values, converted by numpy.
  safetensors_io.py check <originals_f32.safetensors> <converted.safetensors>
      converts every F32 tensor of the first file with numpy to the dtype it has in the second file
      (F16: numpy astype, round-to-nearest-even; BF16: round-to-nearest-even on the bits) and prints JSON
      {name: {"dtype": d, "equal": bool, "mismatches": n}}.
"""
import json
import struct
import sys

import numpy as np

SIZES = {"BOOL": 1, "U8": 1, "I8": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2, "I32": 4, "U32": 4,
         "F32": 4, "F64": 8, "I64": 8, "U64": 8}
NUMPY = {"BOOL": "?", "U8": "<u1", "I8": "<i1", "I16": "<i2", "U16": "<u2", "F16": "<f2", "I32": "<i4",
         "U32": "<u4", "F32": "<f4", "F64": "<f8", "I64": "<i8", "U64": "<u8"}


def f32_to_bf16_bits(x):
    """Round-to-nearest-even float32 -> bfloat16 bits; NaN stays NaN."""
    u = np.ascontiguousarray(x, dtype="<f4").view("<u4").astype(np.uint64)
    rounded = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)
    nan = np.isnan(np.asarray(x, dtype=np.float32))
    rounded[nan] = ((u[nan] >> 16) | 0x40).astype(np.uint16)
    return rounded


def bf16_bits_to_f32(bits):
    return (bits.astype(np.uint32) << 16).view("<f4")


def write_file(path, tensors, metadata=None):
    """tensors: list of (name, dtype, shape, raw bytes)."""
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    offset = 0
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for _, _, _, raw in tensors:
            f.write(raw)


def read_file(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError("file shorter than 8 bytes")
    (n,) = struct.unpack("<Q", data[:8])
    if n > 100_000_000 or 8 + n > len(data):
        raise ValueError("bad header length")
    header = json.loads(data[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    body = data[8 + n:]
    out = {}
    end_max = 0
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        count = int(np.prod(entry["shape"], dtype=np.int64))
        if end - begin != count * SIZES[entry["dtype"]]:
            raise ValueError(f"byte length mismatch for {name}")
        end_max = max(end_max, end)
        raw = body[begin:end]
        if entry["dtype"] == "BF16":
            f32 = bf16_bits_to_f32(np.frombuffer(raw, dtype="<u2"))
        else:
            f32 = np.frombuffer(raw, dtype=NUMPY[entry["dtype"]]).astype(np.float32)
        out[name] = {"dtype": entry["dtype"], "shape": entry["shape"], "data_offsets": [begin, end],
                     "raw": raw, "f32": f32}
    if end_max != len(body):
        raise ValueError("buffer does not end at end of file")
    return metadata, n, out


SPECIALS = np.array([0.0, -0.0, 1.0, -2.5, 65504.0, 1e-7, 5.96e-8, -6.1e-5, 3.0e38, np.inf, -np.inf, np.nan,
                     1.401298464324817e-45, 0.1, 1 / 3], dtype=np.float32)


def cmd_write(path, seed):
    rng = np.random.default_rng(seed)
    result = {}
    tensors = []
    np.seterr(over="ignore")
    f32 = np.concatenate([rng.standard_normal(48 - SPECIALS.size).astype(np.float32), SPECIALS]).astype("<f4")
    f32 = f32.reshape(6, 8)
    tensors.append(("model.layers.0.self_attn.q_proj.weight", "F32", f32.shape, f32.tobytes()))
    result["model.layers.0.self_attn.q_proj.weight"] = f32
    # F16: random halves plus every special (numpy does the f16 conversion, RNE).
    with np.errstate(over="ignore"):
        specials16 = SPECIALS.astype(np.float16)
    f16 = np.concatenate([(rng.standard_normal(25) * 3).astype(np.float16), specials16,
                          np.array([0x0001, 0x03FF, 0x8001, 0x7C01, 0xFC00], dtype=np.uint16).view(np.float16)])
    f16 = f16.reshape(5, 9).astype("<f2")
    tensors.append(("model.layers.0.mlp.down_proj.weight", "F16", f16.shape, f16.tobytes()))
    result["model.layers.0.mlp.down_proj.weight"] = f16.astype(np.float32)
    # BF16: arbitrary bit patterns, including subnormals, inf and NaN payloads.
    bf = np.concatenate([rng.integers(0, 65536, size=52, dtype=np.uint16),
                         np.array([0x0000, 0x8000, 0x0001, 0x807F, 0x7F80, 0xFF80, 0x7FC0, 0x7F81, 0x3F80,
                                   0xC049, 0x7F7F, 0x0080], dtype=np.uint16)]).astype("<u2")
    bf = bf.reshape(4, 16)
    tensors.append(("lm_head.weight", "BF16", bf.shape, bf.tobytes()))
    result["lm_head.weight"] = bf16_bits_to_f32(bf.reshape(-1))
    write_file(path, tensors, {"format": "pt", "writer": "numpy-reference"})
    print(json.dumps({name: {"dtype": dt, "shape": list(shape), "f32_hex": result[name].astype("<f4").tobytes().hex()}
                      for name, dt, shape, _ in tensors}))


def cmd_read(path):
    metadata, n, tensors = read_file(path)
    print(json.dumps({"metadata": metadata, "header_length": n, "tensors": {
        name: {"dtype": t["dtype"], "shape": t["shape"], "data_offsets": t["data_offsets"],
               "raw_hex": t["raw"].hex(), "f32_hex": t["f32"].astype("<f4").tobytes().hex()}
        for name, t in tensors.items()}}))


def cmd_check(originals, converted):
    _, _, orig = read_file(originals)
    _, _, conv = read_file(converted)
    report = {}
    for name, t in conv.items():
        x = orig[name]["f32"]
        if t["dtype"] == "F16":
            with np.errstate(over="ignore"):
                expected = x.astype("<f2").view("<u2")
            got = np.frombuffer(t["raw"], dtype="<u2")
        elif t["dtype"] == "BF16":
            expected = f32_to_bf16_bits(x)
            got = np.frombuffer(t["raw"], dtype="<u2")
        else:
            expected = x.view("<u4")
            got = np.frombuffer(t["raw"], dtype="<u4")
        # NaN: any NaN encoding counts as equal.
        if t["dtype"] == "F16":
            nan_ok = np.isnan(x) & np.isnan(got.view("<f2"))
        elif t["dtype"] == "BF16":
            nan_ok = np.isnan(x) & np.isnan(bf16_bits_to_f32(got))
        else:
            nan_ok = np.isnan(x) & np.isnan(got.view("<f4"))
        mismatches = int(np.sum((expected != got) & ~nan_ok))
        report[name] = {"dtype": t["dtype"], "equal": mismatches == 0, "mismatches": mismatches}
    print(json.dumps(report))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "write":
        cmd_write(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 0)
    elif cmd == "read":
        cmd_read(sys.argv[2])
    elif cmd == "f16table":
        print(np.arange(65536, dtype=np.uint32).astype(np.uint16).view("<f2").astype("<f4").tobytes().hex())
    elif cmd == "check":
        cmd_check(sys.argv[2], sys.argv[3])
    else:
        sys.exit(f"unknown command {cmd}")
