#!/usr/bin/env python3
"""Independent LoRA merge check (python3 + numpy; no peft/torch).

  merge_lora.py <base_dir> <adapter_dir> <merged_dir>
      merges adapter_model.safetensors into the base weights as PEFT's merge_and_unload does
      (W + lora_alpha / r * B @ A, in float64), then prints JSON {"tensors": n, "merged": m,
      "max_abs_diff": d, "missing": [...]} comparing with merged_dir/model.safetensors.

Written from PEFT's documented LoRA formula, not from the cftkit TypeScript code.
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import read_file  # noqa: E402


def load(path):
    _, _, tensors = read_file(path)
    return {k: v["f32"].astype(np.float64).reshape(v["shape"]) for k, v in tensors.items()}


def main():
    base_dir, adapter_dir, merged_dir = sys.argv[1:4]
    base = load(os.path.join(base_dir, "model.safetensors"))
    adapter = load(os.path.join(adapter_dir, "adapter_model.safetensors"))
    with open(os.path.join(adapter_dir, "adapter_config.json")) as f:
        cfg = json.load(f)
    scaling = cfg["lora_alpha"] / cfg["r"]
    expected = dict(base)
    merged_count = 0
    for name, a in adapter.items():
        if not name.endswith(".lora_A.weight"):
            continue
        module = name[len("base_model.model."):-len(".lora_A.weight")]
        b = adapter[f"base_model.model.{module}.lora_B.weight"]
        expected[f"{module}.weight"] = base[f"{module}.weight"] + scaling * (b @ a)
        merged_count += 1
    got = load(os.path.join(merged_dir, "model.safetensors"))
    missing = sorted(set(expected) - set(got))
    diff = max(float(np.max(np.abs(got[k] - expected[k]))) for k in expected if k in got)
    print(json.dumps({"tensors": len(expected), "merged": merged_count, "max_abs_diff": diff, "missing": missing}))


if __name__ == "__main__":
    main()
