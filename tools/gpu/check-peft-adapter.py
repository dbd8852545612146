#!/usr/bin/env python3
"""Check a LoRA adapter written by cftkit's embedded trainer with Hugging Face PEFT: load the base model,
apply the adapter (adapter_config.json + adapter_model.safetensors) with PeftModel.from_pretrained, and
compare the logits with cftkit's merged model (`cftkit lm logits <out>/merged --json`).

usage: check-peft-adapter.py <base-dir> <adapter-dir> <cftkit-merged-logits.json> --token-ids 1,2,3
"""
import argparse
import json
import sys

import numpy as np
import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("adapter")
    ap.add_argument("logits")
    ap.add_argument("--token-ids", required=True)
    ap.add_argument("--tolerance", type=float, default=1e-4)
    a = ap.parse_args()
    ids = [int(t) for t in a.token_ids.split(",")]
    base = AutoModelForCausalLM.from_pretrained(a.base, dtype=torch.float32, attn_implementation="eager")
    model = PeftModel.from_pretrained(base, a.adapter).eval()
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0].numpy()
    ours = np.asarray(json.load(open(a.logits))["logits"], dtype=np.float64)
    diff = float(np.max(np.abs(ours - logits)))
    rel = diff / float(np.max(np.abs(logits)))
    print(json.dumps({"peft_vs_cftkit_merged_max_abs": diff, "relative": rel, "ok": rel <= a.tolerance}))
    return 0 if rel <= a.tolerance else 1


if __name__ == "__main__":
    sys.exit(main())
