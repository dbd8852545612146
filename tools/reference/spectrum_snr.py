#!/usr/bin/env python3
"""Independent numpy reference for cftkit freeze (written from Spectrum's published method and REFERENCE.md
sections 2-4, not from the cftkit TypeScript code): checkpoints, Spectrum's SNR, per-type selection and
Frobenius norms of weight changes. python3 + numpy only.

  spectrum_snr.py make <dir> [--seed S] [--dtype F32|BF16] [--layers L] [--hidden H] [--inter I] [--kv KV]
                  [--vocab V] [--base <dir> --change X]
      writes <dir>/model.safetensors: a Llama-shaped checkpoint (embed_tokens, per layer q/k/v/o (square and
      wide k/v), gate/up (tall), down (wide), input/post-attention norms (1-D), model.norm, lm_head). Matrices
      are noise plus a low-rank signal of a per-layer strength, so SNRs differ. With --base, writes a "tuned"
      copy of that checkpoint: every tensor plus noise of size X * (1 + tensor_index % 7) (float32 math).
  spectrum_snr.py snr <file> [--types t1,t2] [--top-percent P] [--noise-empty one|infinity]
      prints {"snr": {module: value|"inf"|"nan"}, "types": {module: type}, "selected": {type: [modules]}}.
  spectrum_snr.py frobenius <base-file> <tuned-file>
      prints {name: {"diff": ||tuned-base||_F, "norm": ||base||_F}} for every tensor (float64 sums).
  spectrum_snr.py svd-time <file> <name>...
      times np.linalg.svd(W_float32, compute_uv=False) per tensor (what Spectrum's svdvals does on a CPU);
      prints {name: seconds}.
"""
import json
import math
import struct
import sys
import time

import numpy as np

SIZES = {"F32": 4, "BF16": 2, "F16": 2, "F64": 8}


# ---------------------------------------------------------------- safetensors (REFERENCE.md section 4)

def read_header(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n).decode("utf-8"))
    header.pop("__metadata__", None)
    return 8 + n, header


def load(path, name, start=None, header=None):
    if header is None:
        start, header = read_header(path)
    e = header[name]
    b, end = e["data_offsets"]
    count = int(np.prod(e["shape"], dtype=np.int64)) if e["shape"] else 1
    mm = np.memmap(path, dtype=np.uint8, mode="r", offset=start + b, shape=(end - b,))
    if e["dtype"] == "BF16":
        x = (np.frombuffer(mm, dtype="<u2").astype(np.uint32) << 16).view("<f4")
    elif e["dtype"] == "F32":
        x = np.frombuffer(mm, dtype="<f4").astype(np.float32)
    elif e["dtype"] == "F16":
        x = np.frombuffer(mm, dtype="<f2").astype(np.float32)
    else:
        x = np.frombuffer(mm, dtype="<f8").astype(np.float32)
    assert x.size == count
    return x.reshape(e["shape"])


def bf16_bits(x):
    u = np.ascontiguousarray(x, dtype="<f4").view("<u4").astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype("<u2")


def write(path, items, dtype):
    """items: list of (name, shape, generator() -> float32 array). Streams tensor by tensor."""
    header = {}
    offset = 0
    for name, shape, _ in items:
        nbytes = int(np.prod(shape)) * SIZES[dtype]
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + nbytes]}
        offset += nbytes
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for name, shape, gen in items:
            x = np.asarray(gen(), dtype=np.float32).reshape(shape)
            f.write(bf16_bits(x).tobytes() if dtype == "BF16" else x.astype("<f4").tobytes())


# ---------------------------------------------------------------- checkpoints

def layout(layers, hidden, inter, kv, vocab):
    out = [("model.embed_tokens.weight", (vocab, hidden))]
    for i in range(layers):
        p = f"model.layers.{i}."
        out += [(p + "self_attn.q_proj.weight", (hidden, hidden)), (p + "self_attn.k_proj.weight", (kv, hidden)),
                (p + "self_attn.v_proj.weight", (kv, hidden)), (p + "self_attn.o_proj.weight", (hidden, hidden)),
                (p + "mlp.gate_proj.weight", (inter, hidden)), (p + "mlp.up_proj.weight", (inter, hidden)),
                (p + "mlp.down_proj.weight", (hidden, inter)), (p + "input_layernorm.weight", (hidden,)),
                (p + "post_attention_layernorm.weight", (hidden,))]
    out += [("model.norm.weight", (hidden,)), ("lm_head.weight", (vocab, hidden))]
    return out


def make(args):
    out_dir = args[0]
    opt = dict(zip(args[1::2], args[2::2]))
    seed = int(opt.get("--seed", 0))
    dtype = opt.get("--dtype", "F32")
    layers, hidden = int(opt.get("--layers", 4)), int(opt.get("--hidden", 48))
    inter, kv, vocab = int(opt.get("--inter", 80)), int(opt.get("--kv", 16)), int(opt.get("--vocab", 64))
    import os
    os.makedirs(out_dir, exist_ok=True)
    path = f"{out_dir}/model.safetensors"
    if "--base" in opt:
        base = f"{opt['--base']}/model.safetensors"
        start, header = read_header(base)
        change = float(opt.get("--change", 1e-3))
        rng = np.random.default_rng(seed + 1)
        items = []
        for idx, name in enumerate(header):
            shape = tuple(header[name]["shape"])

            def gen(name=name, shape=shape, idx=idx):
                w = load(base, name, start, header)
                noise = rng.standard_normal(shape).astype(np.float32) * np.float32(change * (1 + idx % 7))
                return (w + noise).astype(np.float32)
            items.append((name, shape, gen))
        write(path, items, dtype)
        return
    rng = np.random.default_rng(seed)
    items = []
    for name, shape in layout(layers, hidden, inter, kv, vocab):
        def gen(name=name, shape=shape):
            if len(shape) == 1:
                return (1.0 + 0.1 * rng.standard_normal(shape)).astype(np.float32)
            m, n = shape
            w = rng.standard_normal(shape) * 0.02
            strength = rng.uniform(0.0, 3.0)
            r = max(1, min(m, n) // 8)
            w += strength * 0.02 * (rng.standard_normal((m, r)) @ rng.standard_normal((r, n))) / math.sqrt(n)
            return w.astype(np.float32)
        items.append((name, shape, gen))
    write(path, items, dtype)


# ---------------------------------------------------------------- Spectrum's SNR (REFERENCE.md section 2)

def module_type(module):
    parts = module.split(".")
    for i, p in enumerate(parts):
        if p.isdigit():
            return ".".join(parts[i + 1:])
    return module


def spectrum_value(w, noise_empty):
    w = np.asarray(w, dtype=np.float32)
    if w.ndim < 2:
        w = w.reshape(1, -1)
    s = np.linalg.svd(w.astype(np.float64), compute_uv=False)  # descending
    sigma = (np.quantile(s, 0.75) - np.quantile(s, 0.25)) / 1.349  # linear interpolation, as torch.quantile
    n, m = w.shape
    beta = n / m if n < m else m / n
    threshold = sigma * (1 + math.sqrt(beta))
    sig = s[s > threshold]
    noi = s[s <= threshold]
    signal = sig.sum() if sig.size else 0.0
    noise = noi.sum() if noi.size else (1.0 if noise_empty == "one" else 0.0)
    snr = signal / noise if noise != 0 else math.inf
    return snr / s[0] if s[0] != 0 else (math.inf if snr > 0 else math.nan)


def enc(x):
    return x if math.isfinite(x) else ("inf" if x > 0 else ("-inf" if x < 0 else "nan"))


def snr_cmd(args):
    path = args[0]
    opt = dict(zip(args[1::2], args[2::2]))
    types = opt.get("--types")
    types = set(types.split(",")) if types else None
    top = float(opt.get("--top-percent", 50))
    start, header = read_header(path)
    snr, type_of = {}, {}
    for name in header:
        if not name.endswith(".weight"):
            continue
        module = name[: -len(".weight")]
        t = module_type(module)
        if types is not None and t not in types:
            continue
        snr[module] = spectrum_value(load(path, name, start, header), opt.get("--noise-empty", "one"))
        type_of[module] = t
    selected = {}
    for t in sorted(set(type_of.values()), key=lambda x: (x.split(".")[0], x)):
        layers = [(m, v) for m, v in snr.items() if type_of[m] == t]
        ranked = sorted(layers, key=lambda x: x[1], reverse=True)  # stable: ties keep checkpoint order
        selected[t] = [m for m, _ in ranked[: int(len(layers) * top / 100)]]
    print(json.dumps({"snr": {k: enc(v) for k, v in snr.items()}, "types": type_of, "selected": selected}))


def frobenius_cmd(args):
    base, tuned = args
    s1, h1 = read_header(base)
    s2, h2 = read_header(tuned)
    out = {}
    for name in h1:
        a = load(base, name, s1, h1).astype(np.float64)
        b = load(tuned, name, s2, h2).astype(np.float64)
        out[name] = {"diff": float(np.sqrt(((b - a) ** 2).sum())), "norm": float(np.sqrt((a ** 2).sum()))}
    print(json.dumps(out))


def svd_time_cmd(args):
    path, names = args[0], args[1:]
    start, header = read_header(path)
    out = {}
    for name in names:
        w = np.ascontiguousarray(load(path, name, start, header), dtype=np.float32)
        t = time.perf_counter()
        np.linalg.svd(w, compute_uv=False)
        out[name] = time.perf_counter() - t
    print(json.dumps(out))


if __name__ == "__main__":
    cmd, rest = sys.argv[1], sys.argv[2:]
    {"make": make, "snr": snr_cmd, "frobenius": frobenius_cmd, "svd-time": svd_time_cmd}[cmd](rest)
