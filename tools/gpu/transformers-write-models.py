#!/usr/bin/env python3
"""Write random model folders with Hugging Face transformers itself and record their outputs, so cftkit can
check that a folder `transformers` writes loads in @cftkit/lm with the same logits and hidden states.

usage: transformers-write-models.py <out-dir> --token-ids 1,2,3
Writes <out-dir>/<name>/ (save_pretrained, safetensors) and <out-dir>/<name>.expected.json
({logits: [[...]], hidden_mean: [[...] per layer]}) for: a Llama with GQA (float32), a Qwen2 with q/k/v bias
and tied embeddings (bfloat16 weights), a Mistral (float32), and a Llama with rope_scaling llama3.
"""
import argparse
import json
import os

import torch
from transformers import LlamaConfig, LlamaForCausalLM, MistralConfig, MistralForCausalLM, Qwen2Config, Qwen2ForCausalLM

COMMON = dict(vocab_size=300, hidden_size=64, intermediate_size=160, num_hidden_layers=3, num_attention_heads=4,
              num_key_value_heads=2, max_position_embeddings=256, rms_norm_eps=1e-5)


def models():
    yield "llama-gqa-f32", LlamaForCausalLM(LlamaConfig(**COMMON, rope_theta=10000.0, tie_word_embeddings=False)), torch.float32
    yield "qwen2-bias-tied-bf16", Qwen2ForCausalLM(Qwen2Config(**COMMON, rope_theta=1000000.0, tie_word_embeddings=True)), torch.bfloat16
    yield "mistral-f32", MistralForCausalLM(MistralConfig(**COMMON, rope_theta=10000.0, sliding_window=None)), torch.float32
    yield "llama3-rope-scaling-f32", LlamaForCausalLM(LlamaConfig(**COMMON, rope_theta=500000.0, rope_scaling={
        "rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
        "original_max_position_embeddings": 64})), torch.float32


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--token-ids", required=True)
    a = ap.parse_args()
    ids = [int(t) for t in a.token_ids.split(",")]
    torch.manual_seed(0)
    for name, model, dtype in models():
        try:
            # Non-trivial norms and biases, so a reader that ignores them fails.
            with torch.no_grad():
                for pname, p in model.named_parameters():
                    if "norm" in pname or pname.endswith(".bias"):
                        p.copy_(torch.randn_like(p) * 0.1 + (1.0 if "norm" in pname else 0.0))
            model = model.to(dtype)
            folder = os.path.join(a.out, name)
            model.save_pretrained(folder, safe_serialization=True)
            # The reference outputs come from the stored weights, computed in float32.
            ref = type(model).from_pretrained(folder, dtype=torch.float32, attn_implementation="eager").eval()
            with torch.no_grad():
                out = ref(torch.tensor([ids]), output_hidden_states=True)
            with open(os.path.join(a.out, f"{name}.expected.json"), "w") as f:
                json.dump({"logits": out.logits[0].tolist(),
                           "hidden_mean": [h[0].mean(dim=0).tolist() for h in out.hidden_states]}, f)
            print(f"wrote {folder}")
        except Exception as e:  # keep going: one architecture failing must not hide the others
            print(f"FAILED {name}: {e!r}")



if __name__ == "__main__":
    main()
