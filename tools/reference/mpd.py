#!/usr/bin/env python3
"""Independent MPD reference: the paper's Definition 2 and Table 4's normalisation, on checkpoints written here
with numpy.

Definition 2: for two models Θ1, Θ2 fine-tuned from the same base Θ_B on datasets D1 and D2,
    f_MPD(Θ1, Θ2; Θ_B) = (1/n) Σ_i ‖w(Θ1,i) − w(Θ2,i)‖₂
over the n parameter tensors (the L2 norm of a tensor is that of its flattened values). Θ_B does not enter the
sum: it is the shared origin that makes the two comparable. Table 4 fixes Θ1 (the MultiAlpaca-tuned model, the
"reference"), varies Θ2 over three models and divides each MPD by the largest of the three.

usage: mpd.py compare <reference folder> <model folder>...
  Definition 2 of each model folder (single model.safetensors) against the reference, and each divided by the
  largest, in float64 over every tensor of the reference; prints the same JSON keyed by folder.
usage: mpd.py make <dir> <seed>
  writes <dir>/base (Θ_B), <dir>/reference (Θ1 = Θ_B + its own fine-tuning change) and three Θ2 models
  <dir>/similar, <dir>/other, <dir>/far (Θ_B + a change correlated with Θ1's by 0.9, 0.3 and 0.0); `similar`
  is stored in BF16, the rest in F32. Prints JSON {"mpd": {name: value}, "normalized": {name: value}} computed
  by numpy in float64 from the values as stored (BF16 decoded exactly).
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import bf16_bits_to_f32, f32_to_bf16_bits, read_file, write_file  # noqa: E402

SHAPES = {
    "model.embed_tokens.weight": (64, 16),
    "model.layers.0.self_attn.q_proj.weight": (16, 16),
    "model.layers.0.mlp.down_proj.weight": (16, 40),
    "model.layers.0.input_layernorm.weight": (16,),
    "model.norm.weight": (16,),
    "lm_head.weight": (64, 16),
}
# Θ2 models: how much of the reference's fine-tuning change they share (the rest is their own).
MODELS = {"similar": 0.9, "other": 0.3, "far": 0.0}


def save(path, tensors, dtype):
    os.makedirs(path, exist_ok=True)
    entries = []
    for k, v in tensors.items():
        raw = f32_to_bf16_bits(v).tobytes() if dtype == "BF16" else v.astype("<f4").tobytes()
        entries.append((k, dtype, v.shape, raw))
    write_file(os.path.join(path, "model.safetensors"), entries)


def stored(tensors, dtype):
    """What a reader sees: BF16 values are the rounded ones."""
    if dtype == "F32":
        return tensors
    return {k: bf16_bits_to_f32(f32_to_bf16_bits(v)).reshape(v.shape) for k, v in tensors.items()}


def definition2(theta1, theta2):
    return float(np.mean([
        np.linalg.norm((theta1[k].astype(np.float64) - theta2[k].astype(np.float64)).ravel()) for k in SHAPES
    ]))


def load_folder(folder):
    _, _, tensors = read_file(os.path.join(folder, "model.safetensors"))
    return {k: v["f32"] for k, v in tensors.items()}


def compare(reference_dir, model_dirs):
    reference = load_folder(reference_dir)
    mpd = {}
    for folder in model_dirs:
        model = load_folder(folder)
        mpd[folder] = float(np.mean([
            np.linalg.norm(reference[k].astype(np.float64) - model[k].astype(np.float64)) for k in reference
        ]))
    largest = max(mpd.values())
    print(json.dumps({"mpd": mpd, "normalized": {k: v / largest for k, v in mpd.items()}}))


def main() -> None:
    if sys.argv[1] == "compare":
        compare(sys.argv[2], sys.argv[3:])
        return
    out, seed = sys.argv[2], int(sys.argv[3])
    rng = np.random.default_rng(seed)
    base = {k: rng.standard_normal(s).astype(np.float32) for k, s in SHAPES.items()}
    delta1 = {k: 0.05 * rng.standard_normal(s) for k, s in SHAPES.items()}
    reference = {k: (base[k] + delta1[k]).astype(np.float32) for k in SHAPES}
    save(os.path.join(out, "base"), base, "F32")
    save(os.path.join(out, "reference"), reference, "F32")
    mpd = {}
    for name, share in MODELS.items():
        own = {k: 0.05 * rng.standard_normal(s) for k, s in SHAPES.items()}
        theta2 = {k: (base[k] + share * delta1[k] + np.sqrt(1 - share**2) * own[k]).astype(np.float32) for k in SHAPES}
        dtype = "BF16" if name == "similar" else "F32"
        save(os.path.join(out, name), theta2, dtype)
        mpd[name] = definition2(reference, stored(theta2, dtype))
    largest = max(mpd.values())
    print(json.dumps({"mpd": mpd, "normalized": {k: v / largest for k, v in mpd.items()}}))


if __name__ == "__main__":
    main()
