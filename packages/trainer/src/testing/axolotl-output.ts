import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Axolotl/HF-Trainer output written from the documented formats (docs/formats.md): metric dicts as Python
 * reprs with numbers and (newer) string floats, nan/inf, Axolotl's ppl/memory/tokens keys, eval lines,
 * the end-of-training summary, tqdm bars redrawn with \r (data `Map` bars, the training bar, an eval bar),
 * and interleaved log lines and Python warnings.
 */
export function fixtureStdout(totalSteps = 8): string {
  const lines: string[] = [];
  lines.push("[2025-06-01 10:00:00,000] [INFO] [axolotl.cli.train:57] [PID:123] Starting trainer...");
  for (let i = 1; i <= totalSteps; i++) {
    const lr = (2e-5 * (totalSteps - i + 1)) / totalSteps;
    if (i % 2 === 1) {
      lines.push(
        `{'loss': ${(1.5 - i * 0.05).toFixed(4)}, 'grad_norm': ${(0.5 + i / 100).toFixed(3)}, 'learning_rate': ${lr.toExponential(1)}, 'epoch': ${(i / totalSteps).toFixed(2)}}`,
      );
    } else {
      lines.push(
        `{'loss': '${(1.5 - i * 0.05).toFixed(3)}', 'grad_norm': '${(0.5 + i / 100).toFixed(4)}', 'learning_rate': '${lr.toExponential(2)}', 'epoch': '${(i / totalSteps).toFixed(2)}', 'memory/max_active (GiB)': 14.5, 'memory/device_reserved (GiB)': '16.02', 'tokens/train_per_sec_per_gpu': 1234.5, 'tokens/total': ${1024 * i}, 'ppl': ${Math.exp(1.5 - i * 0.05).toFixed(4)}}`,
      );
    }
    if (i === 3) lines.push("{'loss': nan, 'grad_norm': nan, 'learning_rate': 1e-05, 'epoch': 0.4}");
    if (i === 4) lines.push("{'loss': 0.9, 'grad_norm': inf, 'learning_rate': '-inf', 'epoch': 0.5}");
    if (i === totalSteps / 2) {
      lines.push(
        "{'eval_loss': 1.1042, 'eval_runtime': 10.5, 'eval_samples_per_second': 9.52, 'eval_steps_per_second': 1.19, 'eval_ppl': 3.016, 'epoch': 0.5}",
      );
    }
  }
  lines.push(
    `{'train_runtime': 600.1, 'train_samples_per_second': 5.33, 'train_steps_per_second': 0.333, 'train_loss': 1.2345, 'epoch': 1.0}`,
  );
  return `${lines.join("\n")}\n`;
}

export function fixtureStderr(totalSteps = 8): string {
  let s = "Map (num_proc=4):   0%|          | 0/5000 [00:00<?, ? examples/s]\r";
  s += "Map (num_proc=4): 100%|██████████| 5000/5000 [00:01<00:00, 3000.00 examples/s]\n";
  s +=
    "/usr/lib/python3/site-packages/torch/utils/checkpoint.py:90: UserWarning: None of the inputs have requires_grad=True.\n";
  s += "  warnings.warn(\n";
  s += `  0%|          | 0/${totalSteps} [00:00<?, ?it/s]`;
  for (let i = 1; i <= totalSteps; i++) {
    s += `\r ${String(Math.round((100 * i) / totalSteps)).padStart(3)}%|▌         | ${i}/${totalSteps} [00:${String(i * 3).padStart(2, "0")}<00:${String((totalSteps - i) * 3).padStart(2, "0")},  3.00s/it]`;
    if (i === totalSteps / 2)
      s +=
        "\n  0%|          | 0/10 [00:00<?, ?it/s]\r 50%|█████     | 5/10 [00:01<00:01,  4.00it/s]\r100%|██████████| 10/10 [00:02<00:00,  4.00it/s]\n";
  }
  s += "\n[2025-06-01 10:10:00,000] [WARNING] [axolotl.train] some interleaved warning\n";
  return s;
}

/** Both streams in one log, as `axolotl train … 2>&1 | tee train.log` saves them. */
export function fixtureCombinedLog(totalSteps = 8): string {
  const out = fixtureStdout(totalSteps).split("\n");
  const err = fixtureStderr(totalSteps).split("\n");
  const merged: string[] = [];
  for (let i = 0; i < Math.max(out.length, err.length); i++) {
    if (err[i] !== undefined) merged.push(err[i]!);
    if (out[i] !== undefined) merged.push(out[i]!);
  }
  // A metric dict printed right after a tqdm redraw on the same physical line.
  merged.push(
    "  50%|█████     | 4/8 [00:12<00:12,  3.00s/it]{'loss': 0.777, 'grad_norm': 0.3, 'learning_rate': 5e-06, 'epoch': 0.5}",
  );
  return merged.join("\n");
}

/**
 * Write a stand-in `axolotl` executable (a node script) into `dir`. Its behaviour is chosen by
 * FAKE_AXOLOTL_MODE: ok | oom | frozen | kill | hang | fail | nomodel (exit 0, no final model) | missingshard
 * (exit 0, index names a shard it never wrote). It records its argv to FAKE_AXOLOTL_ARGV
 * (when set), prints the fixture output in chunks, and on `ok` writes a final model, a checkpoint with
 * trainer_state.json, into the config's output_dir.
 */
export async function writeFakeAxolotl(dir: string): Promise<string> {
  const stdout = JSON.stringify(fixtureStdout());
  const stderr = JSON.stringify(fixtureStderr());
  const script = `#!/usr/bin/env node
const fs = require("node:fs");
const path = require("node:path");
const mode = process.env.FAKE_AXOLOTL_MODE || "ok";
if (process.env.FAKE_AXOLOTL_ARGV) fs.writeFileSync(process.env.FAKE_AXOLOTL_ARGV, JSON.stringify(process.argv.slice(2)));
const cfgText = fs.readFileSync(process.argv[3], "utf8");
const outDir = /^output_dir: (.*)$/m.exec(cfgText)[1].trim();
const resume = /^resume_from_checkpoint: (.*)$/m.exec(cfgText);
const out = ${stdout};
const err = ${stderr};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function main() {
  if (resume) process.stdout.write("resuming from " + resume[1].trim() + "\\n");
  if (mode === "oom") {
    process.stderr.write(err.slice(0, 200));
    process.stderr.write("Traceback (most recent call last):\\n  File \\"train.py\\", line 1\\ntorch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.96 GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.2 GiB is free.\\n");
    process.exit(1);
  }
  if (mode === "frozen") {
    process.stderr.write("[2025-06-01 10:00:00,000] [WARNING] [axolotl.utils.freeze] All parameters are frozen. Model will not be trained.\\n");
    process.stderr.write("RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn\\n");
    process.exit(1);
  }
  if (mode === "fail") {
    process.stderr.write("Something unexpected happened\\n");
    process.exit(3);
  }
  const half = Math.floor(out.length / 2);
  process.stderr.write(err.slice(0, Math.floor(err.length / 2)));
  process.stdout.write(out.slice(0, half));
  await sleep(20);
  if (mode === "kill") {
    fs.mkdirSync(path.join(outDir, "checkpoint-4"), { recursive: true });
    fs.writeFileSync(path.join(outDir, "checkpoint-4", "trainer_state.json"), JSON.stringify({ global_step: 4, log_history: [] }));
    process.kill(process.pid, "SIGKILL");
  }
  if (mode === "hang") {
    await sleep(60000);
  }
  process.stdout.write(out.slice(half));
  process.stderr.write(err.slice(Math.floor(err.length / 2)));
  fs.mkdirSync(path.join(outDir, "checkpoint-8"), { recursive: true });
  fs.writeFileSync(path.join(outDir, "checkpoint-8", "trainer_state.json"), '{"global_step": 8, "log_history": [{"loss": 1.1, "step": 7}, {"loss": NaN, "grad_norm": Infinity, "step": 8}]}');
  if (mode === "nomodel") return;
  fs.writeFileSync(path.join(outDir, "model-00001-of-00002.safetensors"), "x");
  if (mode !== "missingshard") fs.writeFileSync(path.join(outDir, "model-00002-of-00002.safetensors"), "y");
  fs.writeFileSync(path.join(outDir, "model.safetensors.index.json"), JSON.stringify({ metadata: { total_size: 2 }, weight_map: { "a.weight": "model-00001-of-00002.safetensors", "b.weight": "model-00002-of-00002.safetensors" } }));
  fs.writeFileSync(path.join(outDir, "config.json"), "{}");
  fs.writeFileSync(path.join(outDir, "tokenizer.json"), "{}");
}
main();
`;
  const path = join(dir, "axolotl");
  await writeFile(path, script);
  await chmod(path, 0o755);
  return path;
}
