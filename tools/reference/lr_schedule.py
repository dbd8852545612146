"""Independent reference for the learning-rate schedules, written from the Hugging Face transformers
definitions (optimization.py: get_cosine_schedule_with_warmup, get_linear_schedule_with_warmup,
get_constant_schedule_with_warmup), which build a LambdaLR whose lambda gets the 0-based step.

Reads JSON cases on stdin: [{"scheduler", "lr", "warmup", "total", "steps": [..]}]; prints the lrs as JSON."""
import json
import math
import sys


def cosine(step, warmup, total, num_cycles=0.5):
    if step < warmup:
        return float(step) / float(max(1, warmup))
    progress = float(step - warmup) / float(max(1, total - warmup))
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress)))


def linear(step, warmup, total):
    if step < warmup:
        return float(step) / float(max(1, warmup))
    return max(0.0, float(total - step) / float(max(1, total - warmup)))


def constant(step, warmup, total):
    if step < warmup:
        return float(step) / float(max(1.0, warmup))
    return 1.0


FNS = {"cosine": cosine, "linear": linear, "constant": constant}

cases = json.load(sys.stdin)
out = []
for c in cases:
    fn = FNS[c["scheduler"]]
    out.append([c["lr"] * fn(s, c["warmup"], c["total"]) for s in c["steps"]])
print(json.dumps(out))
