#!/usr/bin/env python3
"""Independent numpy reference for the training loss and its gradient (float64, central differences).

Uses the forward pass of llama_forward.py (written from the HF architecture description, not from cftkit's
TypeScript) and differentiates numerically, so it shares no backward-pass code with the trainer.

  llama_grad.py --model DIR --batch batch.json --out ref.json

batch.json: {"rows": [{"input_ids": [...], "labels": [...]}, ...], "probes": [["tensor name", flat index], ...]}
Loss (Hugging Face causal-LM shift): sum over rows and positions t with labels[t+1] != -100 of
-log softmax(logits[t])[labels[t+1]], divided by the number of such positions.
Output: {"loss": float, "grads": [float per probe]}
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from llama_forward import forward, read_folder  # noqa: E402

IGNORE = -100


def loss(cfg, p, rows):
    total = 0.0
    count = 0
    for row in rows:
        logits, _ = forward(cfg, p, row["input_ids"])
        labels = row["labels"]
        for t in range(len(labels) - 1):
            y = labels[t + 1]
            if y == IGNORE:
                continue
            z = logits[t] - logits[t].max()
            total -= z[y] - np.log(np.exp(z).sum())
            count += 1
    return total / count


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--batch", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--step", type=float, default=1e-5)
    a = ap.parse_args()
    with open(os.path.join(a.model, "config.json")) as f:
        cfg = json.load(f)
    p = read_folder(a.model)
    with open(a.batch) as f:
        batch = json.load(f)
    rows = batch["rows"]
    grads = []
    for name, index in batch["probes"]:
        flat = p[name].reshape(-1)
        keep = flat[index]
        flat[index] = keep + a.step
        up = loss(cfg, p, rows)
        flat[index] = keep - a.step
        down = loss(cfg, p, rows)
        flat[index] = keep
        grads.append((up - down) / (2 * a.step))
    with open(a.out, "w") as f:
        json.dump({"loss": loss(cfg, p, rows), "grads": grads}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
