"""Independent numpy reference for torch.optim.AdamW (decoupled weight decay) and
torch.nn.utils.clip_grad_norm_, written from the PyTorch documentation's algorithm.
stdin: {"params": {name: [..]}, "grads": [ {name: [..]} per step ], "lrs": [..], "wd": float,
        "decay": [names with decay], "max_norm": float}; stdout: {"params": {name: [..]}, "norms": [..]}"""
import json
import sys

import numpy as np

d = json.load(sys.stdin)
params = {k: np.array(v, dtype=np.float64) for k, v in d["params"].items()}
m = {k: np.zeros_like(v) for k, v in params.items()}
v2 = {k: np.zeros_like(v) for k, v in params.items()}
b1, b2, eps = 0.9, 0.999, 1e-8
norms = []
for t, (grads, lr) in enumerate(zip(d["grads"], d["lrs"]), start=1):
    g = {k: np.array(x, dtype=np.float64) for k, x in grads.items()}
    total = np.sqrt(sum(float(np.sum(x * x)) for x in g.values()))
    norms.append(total)
    coef = d["max_norm"] / (total + 1e-6)
    if coef < 1:
        g = {k: x * coef for k, x in g.items()}
    for k in params:
        if k in d["decay"]:
            params[k] = params[k] * (1 - lr * d["wd"])
        m[k] = b1 * m[k] + (1 - b1) * g[k]
        v2[k] = b2 * v2[k] + (1 - b2) * g[k] * g[k]
        denom = np.sqrt(v2[k]) / np.sqrt(1 - b2**t) + eps
        params[k] = params[k] - (lr / (1 - b1**t)) * m[k] / denom
print(json.dumps({"params": {k: v.tolist() for k, v in params.items()}, "norms": norms}))
