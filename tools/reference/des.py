#!/usr/bin/env python3
"""Independent DES reference (paper Definition 1): reads JSON {"a": [[...], ...], "b": [[...], ...]} (the
per-sample embeddings) on stdin and prints {"des": <E(A), E(B)>} where E(D) is the L2-normalised mean."""
import json
import sys

import numpy as np


def dataset_embedding(vectors):
    mean = np.asarray(vectors, dtype=np.float64).mean(axis=0)
    return mean / np.linalg.norm(mean)


data = json.load(sys.stdin)
print(json.dumps({"des": float(np.dot(dataset_embedding(data["a"]), dataset_embedding(data["b"])))}))
