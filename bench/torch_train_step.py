#!/usr/bin/env python3
"""Training throughput of the same Llama shapes in PyTorch (CPU, float32, AdamW), for bench/lm-train.ts.

  torch_train_step.py --config config.json --micro-batch 4 --seq-len 256 --accumulation 2 --steps 4

Written from the Hugging Face Llama architecture (RMSNorm, GQA attention with RoPE, SiLU-gated MLP,
untied lm_head). Prints one JSON line: {"tokens_per_second": …, "threads": …, "torch": version}; the
first optimizer step is not timed (allocator warm-up).
"""
import argparse
import json
import os
import time

import torch
import torch.nn.functional as F


class Block(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        h, self.nh, self.kvh = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"]
        self.hd = c.get("head_dim") or h // self.nh
        f = c["intermediate_size"]
        self.eps = c["rms_norm_eps"]
        self.n1 = torch.nn.Parameter(torch.ones(h))
        self.n2 = torch.nn.Parameter(torch.ones(h))
        self.q = torch.nn.Linear(h, self.nh * self.hd, bias=False)
        self.k = torch.nn.Linear(h, self.kvh * self.hd, bias=False)
        self.v = torch.nn.Linear(h, self.kvh * self.hd, bias=False)
        self.o = torch.nn.Linear(self.nh * self.hd, h, bias=False)
        self.gate = torch.nn.Linear(h, f, bias=False)
        self.up = torch.nn.Linear(h, f, bias=False)
        self.down = torch.nn.Linear(f, h, bias=False)

    def rms(self, x, w):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * w

    def forward(self, x, cos, sin, mask):
        b, s, _ = x.shape
        xn = self.rms(x, self.n1)

        def rope(t):
            t1, t2 = t.chunk(2, dim=-1)
            return t * cos + torch.cat([-t2, t1], dim=-1) * sin

        q = rope(self.q(xn).view(b, s, self.nh, self.hd).transpose(1, 2))
        k = rope(self.k(xn).view(b, s, self.kvh, self.hd).transpose(1, 2))
        v = self.v(xn).view(b, s, self.kvh, self.hd).transpose(1, 2)
        g = self.nh // self.kvh
        k = k.repeat_interleave(g, dim=1)
        v = v.repeat_interleave(g, dim=1)
        att = (q @ k.transpose(-1, -2)) / self.hd**0.5 + mask
        ctx = (att.softmax(-1) @ v).transpose(1, 2).reshape(b, s, -1)
        x = x + self.o(ctx)
        xn = self.rms(x, self.n2)
        return x + self.down(F.silu(self.gate(xn)) * self.up(xn))


class Llama(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embed = torch.nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = torch.nn.ModuleList(Block(c) for _ in range(c["num_hidden_layers"]))
        self.norm = torch.nn.Parameter(torch.ones(c["hidden_size"]))
        self.head = torch.nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)

    def forward(self, ids):
        b, s = ids.shape
        hd = self.layers[0].hd
        inv = 1.0 / (self.c["rope_theta"] ** (torch.arange(0, hd, 2).float() / hd))
        ang = torch.outer(torch.arange(s).float(), inv)
        emb = torch.cat([ang, ang], -1)
        cos, sin = emb.cos(), emb.sin()
        mask = torch.full((s, s), -1e9).triu(1)
        x = self.embed(ids)
        for layer in self.layers:
            x = layer(x, cos, sin, mask)
        x = self.layers[0].rms(x, self.norm) if self.layers else x
        return self.head(x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True)
    ap.add_argument("--micro-batch", type=int, default=4)
    ap.add_argument("--seq-len", type=int, default=256)
    ap.add_argument("--accumulation", type=int, default=2)
    ap.add_argument("--steps", type=int, default=4)
    a = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(os.cpu_count() or 1)
    with open(a.config) as f:
        c = json.load(f)
    model = Llama(c)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.0)
    ids = torch.randint(0, c["vocab_size"], (a.micro_batch, a.seq_len))
    timed_tokens = 0
    timed = 0.0
    for step in range(a.steps):
        t0 = time.perf_counter()
        for _ in range(a.accumulation):
            logits = model(ids)
            loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1))
            (loss / a.accumulation).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad()
        if step > 0:
            timed += time.perf_counter() - t0
            timed_tokens += a.accumulation * a.micro_batch * a.seq_len
    print(json.dumps({"tokens_per_second": timed_tokens / timed, "threads": torch.get_num_threads(), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
