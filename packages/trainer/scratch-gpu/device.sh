#!/usr/bin/env bash
cd "$(dirname "$0")"
exec > >(tee "$OUT/device.log") 2>&1
nvidia-smi -L
echo "--- tools"; for t in axolotl accelerate torchrun python python3 node pip; do printf '%s: ' $t; command -v $t || echo missing; done
python3 - <<'PY'
import importlib
for m in ["torch", "transformers", "axolotl", "peft", "accelerate", "deepspeed", "datasets", "trl"]:
    try:
        mod = importlib.import_module(m); print(m, getattr(mod, "__version__", "?"))
    except Exception as e:
        print(m, "MISSING", type(e).__name__, str(e)[:120])
PY
if command -v axolotl >/dev/null; then
  for cfg in phase1 lf lora; do
    echo "=== axolotl train $cfg.yml"
    timeout 150 axolotl train $cfg.yml --launcher python > "$OUT/$cfg.log" 2>&1; echo "exit $?"
    tail -25 "$OUT/$cfg.log"
    ls out/$cfg 2>/dev/null; ls out/phase1 2>/dev/null | head
  done
  cp -r out/lf/checkpoint-* "$OUT/" 2>/dev/null
fi
