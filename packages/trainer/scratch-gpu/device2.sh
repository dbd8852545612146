#!/usr/bin/env bash
cd "$(dirname "$0")"
python3 hf_trainer_log.py > "$OUT/hf_trainer.log" 2>&1; echo "exit $?"
grep -E "TRAINABLE|PEFT|PATTERN" "$OUT/hf_trainer.log"; tail -c 3000 "$OUT/hf_trainer.log"
rm -rf "$OUT"/hf-out/checkpoint-*/*.safetensors "$OUT"/hf-out/checkpoint-*/optimizer.pt
