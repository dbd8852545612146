#!/usr/bin/env bash
# Interop check with Hugging Face transformers and PEFT, in two halves (transformers is not installable on
# the CPU machines; the GPU machine lent to some sessions has torch, transformers and peft):
#
#   bash tools/gpu/run-interop-check.sh prepare   # here: cftkit writes tiny/small folders, their logits and a LoRA adapter into gpu-check/
#   bash tools/gpu/run-interop-check.sh device    # there: transformers/PEFT load them and compare; transformers writes folders into $OUT/hf.tgz
#
# Then unpack hf.tgz into test-fixtures/transformers-<version>/ for the reverse check (packages/lm/src/transformers-interop.test.ts).
set -u
IDS=256,72,101,108,108,111,44,32,119,111,114,108,100
cftkit() { CFTKIT_FROM_SOURCE=1 node packages/cli/bin/cftkit.js "$@"; }
case "${1:-}" in
  prepare)
    rm -rf gpu-check && mkdir -p gpu-check
    for p in tiny small; do
      cftkit lm init --preset $p --out gpu-check/$p --seed 1 --json >/dev/null
      cftkit lm logits gpu-check/$p --token-ids $IDS --json >gpu-check/$p.logits.json
    done
    python3 - <<'PY'
import json
rows = json.load(open("data/alpaca/alpaca_5000.json"))[:40]
with open("gpu-check/lora-train.jsonl", "w") as f:
    for i, r in enumerate(rows):
        user = r["instruction"] + (("\n\n" + r["input"]) if r["input"] else "")
        f.write(json.dumps({"id": str(i), "messages": [{"role": "user", "content": user}, {"role": "assistant", "content": r["output"]}]}) + "\n")
PY
    cftkit lm train gpu-check/tiny --data gpu-check/lora-train.jsonl --out gpu-check/tiny-lora --lr 3e-3 --max-steps 3 \
      --batch 4 --micro-batch 4 --seq-len 128 --lora-r 4 --json >/dev/null
    rm -rf gpu-check/tiny-lora/checkpoint-*
    cftkit lm logits gpu-check/tiny-lora/merged --token-ids $IDS --json >gpu-check/tiny-lora.logits.json
    ;;
  device)
    export PYTHONUNBUFFERED=1
    python3 -c "import torch, transformers, peft; print('torch', torch.__version__, 'transformers', transformers.__version__, 'peft', peft.__version__)"
    for p in tiny small; do echo "== $p"; python3 tools/gpu/check-transformers.py gpu-check/$p gpu-check/$p.logits.json --token-ids $IDS; echo "rc=$?"; done
    echo "== peft"; python3 tools/gpu/check-peft-adapter.py gpu-check/tiny gpu-check/tiny-lora gpu-check/tiny-lora.logits.json --token-ids $IDS; echo "rc=$?"
    echo "== transformers writes"; python3 tools/gpu/transformers-write-models.py "$OUT/hf" --token-ids 1,5,17,42,99,7,250,3,64,128; echo "rc=$?"
    tar czf "$OUT/hf.tgz" -C "$OUT" hf && rm -rf "$OUT/hf"
    ;;
  *) echo "usage: $0 prepare|device" >&2; exit 2 ;;
esac
