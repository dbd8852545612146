#!/usr/bin/env python3
"""Independent numpy reference for the Hugging Face Llama / Mistral / Qwen2 causal-LM forward pass.

Written from the architecture description (transformers' modeling_llama / modeling_qwen2 / modeling_mistral
docs and the RoPE papers), not from cftkit's TypeScript. Computation is in float64 on the weights as stored
(BF16/F16 weights are decoded to their exact values first).

Modes
  make      write a random checkpoint (config.json + safetensors, own writer) for a named case, then dump
            the reference outputs:   llama_forward.py make --case llama-gqa --out DIR --token-ids "1,2,3;4,5,6"
  forward   dump reference outputs for an existing HF folder (config.json + *.safetensors):
            llama_forward.py forward --model DIR --token-ids "1,2,3" --out ref.json

Output JSON: {"token_ids": [[..]], "logits": [row][pos][vocab], "hidden_states": [row][layer][pos][hidden],
              "hidden_means": [row][layer][hidden]}  (hidden_means = each hidden state's mean over the row's tokens)
hidden_states follow HF output_hidden_states: index 0 = embedding output, i = output of decoder layer i-1,
and the last entry is the final RMSNorm applied to the last layer's output.
"""
import argparse
import json
import math
import os
import struct
import sys

import numpy as np

# ---------------------------------------------------------------- safetensors (own reader / writer)

DTYPE_SIZES = {"F32": 4, "F16": 2, "BF16": 2, "F64": 8}


def f32_to_bf16_bits(a):
    """Round-to-nearest-even float32 -> bfloat16 bit patterns (uint16)."""
    bits = np.asarray(a, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounding = ((bits >> 16) & 1) + 0x7FFF
    return ((bits + rounding) >> 16).astype(np.uint16)


def bf16_bits_to_f32(u16):
    return (np.asarray(u16, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)


def encode(arr, dtype):
    if dtype == "F32":
        return np.asarray(arr, dtype="<f4").tobytes()
    if dtype == "F16":
        return np.asarray(arr, dtype="<f2").tobytes()
    if dtype == "BF16":
        return f32_to_bf16_bits(arr).astype("<u2").tobytes()
    raise ValueError(dtype)


def decode(buf, dtype, shape):
    if dtype == "F32":
        a = np.frombuffer(buf, dtype="<f4")
    elif dtype == "F16":
        a = np.frombuffer(buf, dtype="<f2")
    elif dtype == "BF16":
        a = bf16_bits_to_f32(np.frombuffer(buf, dtype="<u2"))
    elif dtype == "F64":
        a = np.frombuffer(buf, dtype="<f8")
    else:
        raise ValueError("unsupported dtype " + dtype)
    return a.astype(np.float64).reshape(shape)


def write_safetensors(path, tensors, dtype, metadata=None):
    """tensors: list of (name, ndarray). Header JSON, offsets relative to the data buffer."""
    header = {}
    blobs = []
    offset = 0
    for name, arr in tensors:
        b = encode(arr, dtype)
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    if metadata:
        header["__metadata__"] = metadata
    hb = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hb += b" " * ((8 - len(hb) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8 : 8 + n].decode("utf-8"))
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        s, e = info["data_offsets"]
        out[name] = decode(data[base + s : base + e], info["dtype"], info["shape"])
    return out


def read_folder(folder):
    idx = os.path.join(folder, "model.safetensors.index.json")
    params = {}
    if os.path.exists(idx):
        with open(idx) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
        for fn in files:
            params.update(read_safetensors(os.path.join(folder, fn)))
    else:
        params.update(read_safetensors(os.path.join(folder, "model.safetensors")))
    return params


# ---------------------------------------------------------------- the model


def rms_norm(x, w, eps):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * w


def rope_inv_freq(cfg, head_dim, seq_len):
    base = float(cfg.get("rope_theta", 10000.0))
    rs = cfg.get("rope_scaling") or None
    kind = None if rs is None else (rs.get("rope_type") or rs.get("type"))
    maxpos = cfg.get("max_position_embeddings", 2048)
    if kind == "dynamic" and seq_len > maxpos:
        f = rs["factor"]
        base = base * ((f * seq_len / maxpos) - (f - 1)) ** (head_dim / (head_dim - 2))
    inv = 1.0 / (base ** (np.arange(0, head_dim, 2, dtype=np.float64) / head_dim))
    if kind == "linear":
        inv = inv / rs["factor"]
    elif kind == "llama3":
        # Llama 3.1: long wavelengths are slowed by `factor`, short ones kept, a linear blend in between.
        factor = rs["factor"]
        lo, hi = rs["low_freq_factor"], rs["high_freq_factor"]
        old = rs["original_max_position_embeddings"]
        out = []
        for f in inv:
            wavelen = 2 * math.pi / f
            if wavelen < old / hi:
                out.append(f)
            elif wavelen > old / lo:
                out.append(f / factor)
            else:
                smooth = (old / wavelen - lo) / (hi - lo)
                out.append((1 - smooth) * f / factor + smooth * f)
        inv = np.array(out)
    return inv


def rotate_half(x):
    d = x.shape[-1] // 2
    return np.concatenate([-x[..., d:], x[..., :d]], axis=-1)


def forward(cfg, p, ids):
    """One unpadded sequence. Returns logits [s, V] and the list of hidden states [s, H]."""
    mt = cfg["model_type"]
    H = cfg["hidden_size"]
    nh = cfg["num_attention_heads"]
    kvh = cfg.get("num_key_value_heads") or nh
    hd = cfg.get("head_dim") or H // nh
    eps = cfg.get("rms_norm_eps", 1e-6)
    L = cfg["num_hidden_layers"]
    qkv_bias = mt == "qwen2" or cfg.get("attention_bias", False)
    o_bias = mt != "qwen2" and cfg.get("attention_bias", False)
    mlp_bias = cfg.get("mlp_bias", False)
    window = None
    if mt == "mistral" and cfg.get("sliding_window"):
        window = cfg["sliding_window"]
    if mt == "qwen2" and cfg.get("use_sliding_window") and cfg.get("sliding_window"):
        window = cfg["sliding_window"]
    s = len(ids)

    def lin(x, name, bias):
        y = x @ p[name + ".weight"].T
        if bias:
            y = y + p[name + ".bias"]
        return y

    pos = np.arange(s, dtype=np.float64)
    inv = rope_inv_freq(cfg, hd, s)
    ang = np.outer(pos, inv)
    emb = np.concatenate([ang, ang], axis=-1)
    cos, sin = np.cos(emb), np.sin(emb)  # [s, hd]

    allowed = np.tril(np.ones((s, s), dtype=bool))
    if window is not None:
        i = np.arange(s)[:, None]
        j = np.arange(s)[None, :]
        allowed &= (i - j) < window
    x = p["model.embed_tokens.weight"][np.asarray(ids)]
    hidden = [x]
    for layer in range(L):
        pre = "model.layers.%d." % layer
        h = rms_norm(x, p[pre + "input_layernorm.weight"], eps)
        q = lin(h, pre + "self_attn.q_proj", qkv_bias).reshape(s, nh, hd).transpose(1, 0, 2)
        k = lin(h, pre + "self_attn.k_proj", qkv_bias).reshape(s, kvh, hd).transpose(1, 0, 2)
        v = lin(h, pre + "self_attn.v_proj", qkv_bias).reshape(s, kvh, hd).transpose(1, 0, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        rep = nh // kvh
        k = np.repeat(k, rep, axis=0)  # head i uses kv head i // rep
        v = np.repeat(v, rep, axis=0)
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(hd)
        scores = np.where(allowed[None], scores, -np.inf)
        scores = scores - scores.max(axis=-1, keepdims=True)
        w = np.exp(scores)
        w = w / w.sum(axis=-1, keepdims=True)
        ctx = (w @ v).transpose(1, 0, 2).reshape(s, nh * hd)
        x = x + lin(ctx, pre + "self_attn.o_proj", o_bias)
        h = rms_norm(x, p[pre + "post_attention_layernorm.weight"], eps)
        g = lin(h, pre + "mlp.gate_proj", mlp_bias)
        u = lin(h, pre + "mlp.up_proj", mlp_bias)
        x = x + lin(g / (1 + np.exp(-g)) * u, pre + "mlp.down_proj", mlp_bias)
        hidden.append(x)
    normed = rms_norm(x, p["model.norm.weight"], eps)
    hidden[-1] = normed
    head = p["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings", False) else p["lm_head.weight"]
    return normed @ head.T, hidden


# ---------------------------------------------------------------- random checkpoints

CASES = {
    # Llama with GQA (4 query heads, 2 KV heads), untied lm_head, F32 weights.
    "llama-gqa": dict(
        dtype="F32",
        config=dict(architectures=["LlamaForCausalLM"], model_type="llama", hidden_size=32, intermediate_size=56,
                    num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-5,
                    rope_theta=10000.0, vocab_size=67, tie_word_embeddings=False, max_position_embeddings=128,
                    hidden_act="silu", attention_bias=False),
    ),
    # Qwen2: q/k/v biases, tied embeddings, BF16 weights, two shards with an index.
    "qwen2-bias": dict(
        dtype="BF16", shards=2,
        config=dict(architectures=["Qwen2ForCausalLM"], model_type="qwen2", hidden_size=48, intermediate_size=80,
                    num_hidden_layers=3, num_attention_heads=6, num_key_value_heads=2, rms_norm_eps=1e-6,
                    rope_theta=1000000.0, vocab_size=71, tie_word_embeddings=True, max_position_embeddings=256,
                    hidden_act="silu", use_sliding_window=False, sliding_window=4096),
    ),
    # Llama 3.1-style RoPE scaling, explicit head_dim != hidden/heads, attention_bias, F16 weights.
    "llama3-rope": dict(
        dtype="F16",
        config=dict(architectures=["LlamaForCausalLM"], model_type="llama", hidden_size=40, intermediate_size=64,
                    num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=1, head_dim=16,
                    rms_norm_eps=1e-5, rope_theta=500000.0, vocab_size=61, tie_word_embeddings=False,
                    max_position_embeddings=64, hidden_act="silu", attention_bias=True,
                    rope_scaling=dict(rope_type="llama3", factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0,
                                      original_max_position_embeddings=16)),
    ),
    # Dynamic NTK RoPE scaling: sequences longer than max_position_embeddings raise the RoPE base.
    "llama-dynamic": dict(
        dtype="F32",
        config=dict(architectures=["LlamaForCausalLM"], model_type="llama", hidden_size=32, intermediate_size=40,
                    num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=2, rms_norm_eps=1e-5,
                    rope_theta=10000.0, vocab_size=47, tie_word_embeddings=True, max_position_embeddings=12,
                    hidden_act="silu", rope_scaling=dict(type="dynamic", factor=2.0)),
    ),
    # Llama with GQA, F32 weights in three shards with an index.
    "llama-gqa-sharded": dict(
        dtype="F32", shards=3,
        config=dict(architectures=["LlamaForCausalLM"], model_type="llama", hidden_size=32, intermediate_size=56,
                    num_hidden_layers=3, num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-5,
                    rope_theta=10000.0, vocab_size=67, tie_word_embeddings=False, max_position_embeddings=128,
                    hidden_act="silu", attention_bias=False),
    ),
    # Mistral with a sliding window shorter than the test sequences.
    "mistral-window": dict(
        dtype="F32",
        config=dict(architectures=["MistralForCausalLM"], model_type="mistral", hidden_size=32, intermediate_size=48,
                    num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=4, rms_norm_eps=1e-5,
                    rope_theta=10000.0, vocab_size=53, tie_word_embeddings=False, max_position_embeddings=64,
                    hidden_act="silu", sliding_window=3),
    ),
}


def param_shapes(cfg):
    H = cfg["hidden_size"]
    nh = cfg["num_attention_heads"]
    kvh = cfg.get("num_key_value_heads") or nh
    hd = cfg.get("head_dim") or H // nh
    F = cfg["intermediate_size"]
    V = cfg["vocab_size"]
    mt = cfg["model_type"]
    qkv_bias = mt == "qwen2" or cfg.get("attention_bias", False)
    o_bias = mt != "qwen2" and cfg.get("attention_bias", False)
    out = [("model.embed_tokens.weight", (V, H), "w")]
    for i in range(cfg["num_hidden_layers"]):
        pre = "model.layers.%d." % i
        out.append((pre + "input_layernorm.weight", (H,), "n"))
        for name, o, inp, b in [("q_proj", nh * hd, H, qkv_bias), ("k_proj", kvh * hd, H, qkv_bias),
                                ("v_proj", kvh * hd, H, qkv_bias), ("o_proj", H, nh * hd, o_bias)]:
            out.append((pre + "self_attn." + name + ".weight", (o, inp), "w"))
            if b:
                out.append((pre + "self_attn." + name + ".bias", (o,), "b"))
        out.append((pre + "post_attention_layernorm.weight", (H,), "n"))
        for name, o, inp in [("gate_proj", F, H), ("up_proj", F, H), ("down_proj", H, F)]:
            out.append((pre + "mlp." + name + ".weight", (o, inp), "w"))
    out.append(("model.norm.weight", (H,), "n"))
    if not cfg.get("tie_word_embeddings", False):
        out.append(("lm_head.weight", (V, H), "w"))
    return out


def make(case, folder, seed):
    spec = CASES[case]
    cfg = dict(spec["config"])
    cfg["torch_dtype"] = {"F32": "float32", "BF16": "bfloat16", "F16": "float16"}[spec["dtype"]]
    rng = np.random.default_rng(seed)
    tensors = []
    for name, shape, kind in param_shapes(cfg):
        if kind == "w":
            a = rng.normal(0.0, 0.3, size=shape)
        elif kind == "n":
            a = 1.0 + rng.normal(0.0, 0.2, size=shape)
        else:
            a = rng.normal(0.0, 0.2, size=shape)
        tensors.append((name, a.astype(np.float32)))
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    shards = spec.get("shards", 1)
    dtype = spec["dtype"]
    if shards == 1:
        write_safetensors(os.path.join(folder, "model.safetensors"), tensors, dtype, {"format": "pt"})
    else:
        per = math.ceil(len(tensors) / shards)
        weight_map = {}
        total = 0
        for k in range(shards):
            part = tensors[k * per : (k + 1) * per]
            fn = "model-%05d-of-%05d.safetensors" % (k + 1, shards)
            write_safetensors(os.path.join(folder, fn), part, dtype, {"format": "pt"})
            for name, a in part:
                weight_map[name] = fn
                total += a.size * DTYPE_SIZES[dtype]
        with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)


def dump(folder, token_rows, out):
    with open(os.path.join(folder, "config.json")) as f:
        cfg = json.load(f)
    p = read_folder(folder)
    logits, hidden, means = [], [], []
    for ids in token_rows:
        lg, hs = forward(cfg, p, ids)
        logits.append(lg.tolist())
        hidden.append([h.tolist() for h in hs])
        means.append([h.mean(axis=0).tolist() for h in hs])
    with open(out, "w") as f:
        json.dump({"token_ids": token_rows, "logits": logits, "hidden_states": hidden, "hidden_means": means}, f)


def parse_rows(text):
    return [[int(t) for t in row.split(",") if t.strip() != ""] for row in text.split(";")]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="mode", required=True)
    m = sub.add_parser("make")
    m.add_argument("--case", choices=sorted(CASES), required=True)
    m.add_argument("--out", required=True, help="folder: writes <out>/model/ and <out>/reference.json")
    m.add_argument("--token-ids", required=True, help='rows separated by ";", ids by ","')
    m.add_argument("--seed", type=int, default=0)
    fw = sub.add_parser("forward")
    fw.add_argument("--model", required=True)
    fw.add_argument("--token-ids", required=True)
    fw.add_argument("--out", required=True)
    a = ap.parse_args()
    rows = parse_rows(a.token_ids)
    if a.mode == "make":
        folder = os.path.join(a.out, "model")
        make(a.case, folder, a.seed)
        dump(folder, rows, os.path.join(a.out, "reference.json"))
    else:
        dump(a.model, rows, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
