#!/usr/bin/env python3
"""Independent reference for cftkit's Axolotl log parser.

Reads a saved Axolotl/HF-Trainer log (stdin), finds every metric dict the Trainer printed
(`print(logs)` of a dict, i.e. its Python repr; the newer style prints floats as strings), evaluates
each with Python itself (nan/inf bound to floats), converts numeric strings to floats, and prints a JSON
list of the dicts (non-finite floats written as "NaN", "Infinity", "-Infinity").
"""
import json
import math
import re
import sys

METRIC_KEYS = {"loss", "eval_loss", "train_loss", "learning_rate", "grad_norm", "train_runtime", "eval_runtime"}


def encode(v):
    if isinstance(v, str):
        try:
            v = float(v)
        except ValueError:
            return v
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, float) and not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    return v


def main():
    text = sys.stdin.read()
    out = []
    for segment in re.split(r"\r\n|\r|\n", text):
        for m in re.finditer(r"\{'[^{}]*\}", segment):
            try:
                d = eval(m.group(0), {"__builtins__": {}}, {"nan": float("nan"), "inf": float("inf")})
            except Exception:
                continue
            if not isinstance(d, dict) or not (set(d) & METRIC_KEYS):
                continue
            out.append({k: encode(v) for k, v in d.items()})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
