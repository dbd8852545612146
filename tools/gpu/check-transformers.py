#!/usr/bin/env python3
"""Check that a cftkit-written model folder loads in Hugging Face transformers with the same outputs.

Usage (run where `torch` and `transformers` are installed; a GPU is optional):

  node packages/cli/bin/cftkit.js lm init --preset tiny --out /tmp/cft-tiny --seed 1      # CFTKIT_FROM_SOURCE=1
  node packages/cli/bin/cftkit.js lm logits /tmp/cft-tiny --token-ids 256,72,101,108,108,111 --json > /tmp/cft-logits.json
  python3 tools/gpu/check-transformers.py /tmp/cft-tiny /tmp/cft-logits.json --token-ids 256,72,101,108,108,111

It loads the folder with AutoModelForCausalLM.from_pretrained (float32, eager attention) and AutoTokenizer,
runs the token ids with output_hidden_states=True, and compares the logits and the per-layer mean hidden
states with cftkit's JSON ({logits: [[...vocab] per position], hidden_mean: [[...hidden] per layer]}).
Relative error = max|a - b| / max|b| per tensor (b = transformers). Exit 1 when any exceeds --tolerance
(default 1e-4). It also checks that the tokenizer round-trips a sample text and renders the chat template.
"""
import argparse
import json
import sys


def rel(a, b):
    import numpy as np

    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return float("inf"), float("inf")
    diff = float(np.max(np.abs(a - b)))
    return diff, diff / max(float(np.max(np.abs(b))), 1e-30)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model_dir")
    ap.add_argument("cftkit_json", help="output of `cftkit lm logits <dir> --token-ids ... --json`")
    ap.add_argument("--token-ids", required=True)
    ap.add_argument("--tolerance", type=float, default=1e-4)
    ap.add_argument("--device", default=None, help="cpu | cuda (default: cuda when available)")
    a = ap.parse_args()

    import numpy as np
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    device = a.device or ("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda":
        # Full-precision matmuls on GPU (no TF32), so the comparison is about the model, not the hardware.
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    ids = [int(t) for t in a.token_ids.split(",")]
    with open(a.cftkit_json) as f:
        ours = json.load(f)

    model = AutoModelForCausalLM.from_pretrained(a.model_dir, dtype=torch.float32, attn_implementation="eager")
    model.to(device).eval()
    with torch.no_grad():
        out = model(torch.tensor([ids], device=device), output_hidden_states=True)
    logits = out.logits[0].float().cpu().numpy()
    hidden_mean = [h[0].float().cpu().numpy().mean(axis=0) for h in out.hidden_states]

    worst = 0.0
    d, r = rel(ours["logits"], logits)
    print(f"logits            max abs diff {d:.3e}  rel {r:.3e}  shape {list(logits.shape)}")
    worst = max(worst, r)
    if len(ours["hidden_mean"]) != len(hidden_mean):
        print(f"hidden state count differs: cftkit {len(ours['hidden_mean'])}, transformers {len(hidden_mean)}")
        worst = float("inf")
    for i, (x, y) in enumerate(zip(ours["hidden_mean"], hidden_mean)):
        d, r = rel(x, y)
        print(f"hidden_mean[{i}]    max abs diff {d:.3e}  rel {r:.3e}")
        worst = max(worst, r)

    tok_ok = True
    try:
        tok = AutoTokenizer.from_pretrained(a.model_dir)
        sample = "Hello, wörld! 日本語"
        enc = tok(sample, add_special_tokens=False)["input_ids"]
        back = tok.decode(enc)
        print(f"tokenizer: {len(enc)} ids, round-trip {'ok' if back == sample else 'MISMATCH: ' + repr(back)}")
        tok_ok = back == sample
        if tok.chat_template:
            text = tok.apply_chat_template([{"role": "user", "content": "Hi"}], tokenize=False, add_generation_prompt=True)
            print(f"chat template renders: {text!r}")
    except Exception as e:  # a folder without a tokenizer is allowed for the logits check
        print(f"tokenizer: not checked ({e})")

    ok = worst <= a.tolerance and tok_ok
    print(json.dumps({"max_relative_error": worst, "tolerance": a.tolerance, "tokenizer_ok": tok_ok, "ok": ok,
                      "device": device, "transformers": __import__("transformers").__version__}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
