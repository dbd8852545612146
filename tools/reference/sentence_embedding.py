#!/usr/bin/env python3
"""Independent sentence-transformers embedding of a tiny encoder folder (tools/make-tiny-encoder.ts), with numpy.

Reads JSON {"dir": <folder>, "ids": [[token ids of text 1], ...]} on stdin and prints
{"hidden": [[[...] per token] per text], "embeddings": [[...] per text]}:
  hidden    = tanh(E[ids] P + mean(E[ids]) C) (the tiny ONNX graph, from weights.json; one text at a time, so no padding)
  embedding = sentence-transformers' modules as modules.json lists them: Pooling (1_Pooling/config.json modes,
              concatenated in the order cls, max, mean, mean_sqrt_len, weightedmean, lasttoken), each Dense
              (y = act(W x + b) with W, b read from its model.safetensors by safetensors_io.py), Normalize (L2).
Written from sentence-transformers' documented module semantics, not from the cftkit TypeScript code.
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import read_file  # noqa: E402

ACTIVATIONS = {
    "torch.nn.modules.activation.Tanh": np.tanh,
    "torch.nn.modules.linear.Identity": lambda x: x,
    "torch.nn.modules.activation.ReLU": lambda x: np.maximum(x, 0),
    "torch.nn.modules.activation.Sigmoid": lambda x: 1 / (1 + np.exp(-x)),
}


def tensor(tensors, name):
    t = tensors[name]
    return t["f32"].astype(np.float64).reshape(t["shape"])


def token_outputs(weights, ids):
    h = weights["hidden"]
    E = np.asarray(weights["embeddings"], dtype=np.float64).reshape(-1, h)
    P = np.asarray(weights["projection"], dtype=np.float64).reshape(h, h)
    C = np.asarray(weights["context"], dtype=np.float64).reshape(h, h)
    x = E[np.asarray(ids)]
    return np.tanh(x @ P + x.mean(axis=0) @ C)


def pool(config, h):
    n = h.shape[0]
    parts = []
    if config.get("pooling_mode_cls_token"):
        parts.append(h[0])
    if config.get("pooling_mode_max_tokens"):
        parts.append(h.max(axis=0))
    if config.get("pooling_mode_mean_tokens"):
        parts.append(h.mean(axis=0))
    if config.get("pooling_mode_mean_sqrt_len_tokens"):
        parts.append(h.sum(axis=0) / np.sqrt(n))
    if config.get("pooling_mode_weightedmean_tokens"):
        w = np.arange(1, n + 1, dtype=np.float64)
        parts.append((h * w[:, None]).sum(axis=0) / w.sum())
    if config.get("pooling_mode_lasttoken"):
        parts.append(h[-1])
    return np.concatenate(parts)


def embed(folder, h):
    with open(os.path.join(folder, "modules.json")) as f:
        modules = json.load(f)
    v = h
    for m in modules:
        kind = m["type"].split(".")[-1]
        path = os.path.join(folder, m["path"])
        if kind == "Pooling":
            with open(os.path.join(path, "config.json")) as f:
                v = pool(json.load(f), h)
        elif kind == "Dense":
            with open(os.path.join(path, "config.json")) as f:
                config = json.load(f)
            _, _, tensors = read_file(os.path.join(path, "model.safetensors"))
            y = tensor(tensors, "linear.weight") @ v
            if config.get("bias", True):
                y = y + tensor(tensors, "linear.bias")
            v = ACTIVATIONS[config["activation_function"]](y)
        elif kind == "Normalize":
            v = v / max(np.linalg.norm(v), 1e-12)
    return v


def main():
    request = json.load(sys.stdin)
    with open(os.path.join(request["dir"], "weights.json")) as f:
        weights = json.load(f)
    hidden = [token_outputs(weights, ids) for ids in request["ids"]]
    print(json.dumps({
        "hidden": [h.tolist() for h in hidden],
        "embeddings": [embed(request["dir"], h).tolist() for h in hidden],
    }))


if __name__ == "__main__":
    main()
