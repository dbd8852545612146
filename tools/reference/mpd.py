#!/usr/bin/env python3
"""Independent MPD reference (paper Definition 2) on checkpoints written here with numpy.

usage: mpd.py make <dir> <seed>
  writes <dir>/base, <dir>/near, <dir>/far (model.safetensors each; `near` in BF16, others F32) and prints
  JSON {"near": mpd, "far": mpd, "normalized": {"near": .., "far": ..}} computed by numpy in float64 from
  the values as stored (BF16 decoded exactly).
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import bf16_bits_to_f32, f32_to_bf16_bits, write_file  # noqa: E402

SHAPES = {
    "model.embed_tokens.weight": (64, 16),
    "model.layers.0.self_attn.q_proj.weight": (16, 16),
    "model.layers.0.mlp.down_proj.weight": (16, 40),
    "model.layers.0.input_layernorm.weight": (16,),
    "model.norm.weight": (16,),
    "lm_head.weight": (64, 16),
}


def main() -> None:
    out, seed = sys.argv[2], int(sys.argv[3])
    rng = np.random.default_rng(seed)
    base = {k: rng.standard_normal(s).astype(np.float32) for k, s in SHAPES.items()}
    near = {k: (v + 0.01 * rng.standard_normal(v.shape)).astype(np.float32) for k, v in base.items()}
    far = {k: (v + 0.1 * rng.standard_normal(v.shape)).astype(np.float32) for k, v in base.items()}
    # `near` is stored as BF16: what a reader sees is the rounded value.
    near_stored = {k: bf16_bits_to_f32(f32_to_bf16_bits(v)).reshape(v.shape) for k, v in near.items()}
    for name, tensors, dtype in (("base", base, "F32"), ("near", near, "BF16"), ("far", far, "F32")):
        os.makedirs(os.path.join(out, name), exist_ok=True)
        entries = []
        for k, v in tensors.items():
            raw = f32_to_bf16_bits(v).tobytes() if dtype == "BF16" else v.astype("<f4").tobytes()
            entries.append((k, dtype, v.shape, raw))
        write_file(os.path.join(out, name, "model.safetensors"), entries)

    def mpd(model):
        return float(np.mean([np.linalg.norm((model[k].astype(np.float64) - base[k].astype(np.float64)).ravel()) for k in SHAPES]))

    result = {"near": mpd(near_stored), "far": mpd(far)}
    largest = max(result.values())
    result["normalized"] = {k: v / largest for k, v in list(result.items())}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
