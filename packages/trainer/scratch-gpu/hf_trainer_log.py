"""Record real Hugging Face Trainer output (the trainer Axolotl drives) on the GPU, for cftkit's log parser,
and check the LoRA name prefix that makes freeze patterns and LoRA incompatible."""
import json, os, re, sys
import torch
from transformers import AutoModelForCausalLM, PreTrainedTokenizerFast, Trainer, TrainingArguments

here = os.path.dirname(os.path.abspath(__file__))
tok = PreTrainedTokenizerFast(tokenizer_file=os.path.join(here, "model", "tokenizer.json"))
tok.pad_token = tok.pad_token or tok.eos_token or tok.convert_ids_to_tokens(0)
model = AutoModelForCausalLM.from_pretrained(os.path.join(here, "model"), dtype=torch.bfloat16).cuda()
rows = [json.loads(l) for l in open(os.path.join(here, "data", "alpaca.jsonl"))]
def enc(r):
    ids = tok(r["instruction"] + "\n" + r["output"], truncation=True, max_length=128)["input_ids"]
    return {"input_ids": ids, "labels": ids}
train = [enc(r) for r in rows[:96]]
evalset = [enc(r) for r in rows[96:112]]
def collate(batch):
    n = max(len(b["input_ids"]) for b in batch)
    ids = torch.full((len(batch), n), tok.pad_token_id or 0)
    lab = torch.full((len(batch), n), -100)
    att = torch.zeros((len(batch), n), dtype=torch.long)
    for i, b in enumerate(batch):
        k = len(b["input_ids"]); ids[i, :k] = torch.tensor(b["input_ids"]); lab[i, :k] = torch.tensor(b["labels"]); att[i, :k] = 1
    return {"input_ids": ids, "labels": lab, "attention_mask": att}
# Axolotl's unfrozen_parameters rule on the real names
patterns = ["model.layers.1.self_attn", "model.layers.1.mlp.down_proj"]
for name, p in model.named_parameters():
    p.requires_grad = any(re.match(pat.replace(".", "\\."), name) for pat in patterns)
print("TRAINABLE", [n for n, p in model.named_parameters() if p.requires_grad])
args = TrainingArguments(output_dir=os.path.join(os.environ["OUT"], "hf-out"), per_device_train_batch_size=4, gradient_accumulation_steps=4,
    learning_rate=1e-3, lr_scheduler_type="cosine", warmup_steps=2, max_steps=6, optim="adamw_torch", weight_decay=0.0,
    bf16=True, logging_steps=1, save_strategy="steps", save_steps=3, eval_strategy="steps", eval_steps=3,
    per_device_eval_batch_size=4, report_to=[], seed=3, disable_tqdm=False)
Trainer(model=model, args=args, train_dataset=train, eval_dataset=evalset, data_collator=collate).train()
try:
    from peft import LoraConfig, get_peft_model
    pm = get_peft_model(AutoModelForCausalLM.from_pretrained(os.path.join(here, "model")), LoraConfig(r=8, lora_alpha=16, target_modules="all-linear"))
    names = [n for n, _ in pm.named_parameters()]
    print("PEFT_NAMES", names[:4])
    print("PATTERN_HITS_UNDER_LORA", sum(any(re.match(p.replace(".", "\\."), n) for p in patterns) for n in names))
except Exception as e:
    print("PEFT failed", e)
