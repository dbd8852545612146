#!/usr/bin/env python3
"""Per-layer mean hidden states of prompts with Hugging Face transformers (torch; a GPU when present), written as a
cftkit activation file: `layer.<i>` F32 [samples, hidden] for i = 0 (embeddings) .. num_hidden_layers (the last
after the final norm, as transformers' `output_hidden_states`), each the mean over a prompt's tokens.

cftkit spawns this script for `cftkit lm hidden-states --engine transformers`; the prompts arrive already
tokenized (a JSON file of token-id rows), so every engine sees the same ids.

  transformers_hidden_states.py --model DIR --token-ids IDS.json --out FILE.safetensors
      [--device auto|cpu|cuda] [--dtype auto|float32|bfloat16|float16] [--batch-size 8] [--metadata JSON]

--dtype auto = bfloat16 on a GPU, float32 on the CPU. Exit status: 0 done, 2 bad arguments or input,
3 torch/transformers cannot be imported.
"""
import argparse
import json
import os
import struct
import sys


def fail(status, message):
    sys.stderr.write("transformers_hidden_states: %s\n" % message)
    sys.exit(status)


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--token-ids", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    ap.add_argument("--dtype", default="auto", choices=["auto", "float32", "bfloat16", "float16"])
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--metadata", default="{}")
    args = ap.parse_args(argv)
    if args.batch_size < 1:
        fail(2, "--batch-size must be at least 1")
    return args


def read_token_ids(path):
    try:
        with open(path) as f:
            rows = json.load(f)
    except (OSError, ValueError) as e:
        fail(2, "%s: cannot read token ids (%s)" % (path, e))
    ok = isinstance(rows, list) and len(rows) > 0 and all(
        isinstance(r, list) and len(r) > 0 and all(isinstance(t, int) and t >= 0 for t in r) for r in rows
    )
    if not ok:
        fail(2, "%s: expected a non-empty JSON array of non-empty arrays of token ids" % path)
    return rows


def write_activation_file(path, layers, metadata):
    """safetensors: 8-byte little-endian header length, JSON header, then the F32 data; written atomically."""
    header = {}
    offset = 0
    for i, a in enumerate(layers):
        n = a.size * 4
        header["layer.%d" % i] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + n]}
        offset += n
    header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * ((8 - len(raw) % 8) % 8)
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for a in layers:
            f.write(a.astype("<f4").tobytes())
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def mean_hidden_states(model, torch, rows, device, batch_size):
    """Per layer, [samples, hidden] float32 means over each row's real tokens (rows right-padded in batches)."""
    import numpy as np

    order = sorted(range(len(rows)), key=lambda i: (len(rows[i]), i))
    layers = None
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        width = max(len(rows[i]) for i in idx)
        ids = [rows[i] + [0] * (width - len(rows[i])) for i in idx]
        mask = [[1] * len(rows[i]) + [0] * (width - len(rows[i])) for i in idx]
        input_ids = torch.tensor(ids, dtype=torch.long, device=device)
        attention = torch.tensor(mask, dtype=torch.long, device=device)
        with torch.inference_mode():
            out = model(input_ids=input_ids, attention_mask=attention, output_hidden_states=True)
        weights = attention[..., None].float()
        counts = weights.sum(dim=1)
        if layers is None:
            hidden = out.hidden_states[0].shape[-1]
            layers = [np.zeros((len(rows), hidden), dtype=np.float32) for _ in out.hidden_states]
        for layer, h in enumerate(out.hidden_states):
            means = ((h.float() * weights).sum(dim=1) / counts).cpu().numpy()
            for r, i in enumerate(idx):
                layers[layer][i] = means[r]
    return layers


def main(argv):
    args = parse_args(argv)
    rows = read_token_ids(args.token_ids)
    try:
        metadata = json.loads(args.metadata)
        assert isinstance(metadata, dict)
    except (ValueError, AssertionError):
        fail(2, "--metadata must be a JSON object")
    try:
        import torch
        from transformers import AutoModelForCausalLM
    except ImportError as e:
        fail(3, "needs torch and transformers (%s)" % e)
    device = args.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    dtype_name = args.dtype if args.dtype != "auto" else ("bfloat16" if device == "cuda" else "float32")
    if dtype_name == "float32" and device == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False  # true float32 matmuls, comparable with the CPU engines
    model = AutoModelForCausalLM.from_pretrained(args.model, torch_dtype=getattr(torch, dtype_name))
    model.eval()
    model.to(device)
    vocab = model.config.vocab_size
    bad = [t for r in rows for t in r if t >= vocab]
    if bad:
        fail(2, "token id %d is outside the vocabulary [0, %d)" % (bad[0], vocab))
    layers = mean_hidden_states(model, torch, rows, device, args.batch_size)
    meta = dict(metadata)
    meta.update({"engine": "transformers", "device": device, "dtype": dtype_name})
    write_activation_file(args.out, layers, meta)
    sys.stdout.write(json.dumps({"layers": len(layers), "samples": len(rows), "hidden_size": int(layers[0].shape[1]),
                                 "device": device, "dtype": dtype_name}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
