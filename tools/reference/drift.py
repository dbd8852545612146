#!/usr/bin/env python3
"""Independent reference for representation drift: explicit d x d covariances (numpy.cov, unbiased) and
numpy.linalg.eigvalsh / Frobenius norm of their difference.

usage: drift.py A.bin B.bin n_a n_b d   (raw little-endian float32, row-major [n, d])
prints JSON {"spectral": ..., "frobenius": ...}
"""
import json
import sys

import numpy as np


def main() -> None:
    path_a, path_b, n_a, n_b, d = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    a = np.fromfile(path_a, dtype="<f4").reshape(n_a, d).astype(np.float64)
    b = np.fromfile(path_b, dtype="<f4").reshape(n_b, d).astype(np.float64)
    diff = np.cov(b, rowvar=False) - np.cov(a, rowvar=False)
    eig = np.linalg.eigvalsh(diff)
    print(json.dumps({"spectral": float(np.max(np.abs(eig))), "frobenius": float(np.linalg.norm(diff, "fro"))}))


if __name__ == "__main__":
    main()
