import { promises as fs } from "node:fs";
import { join } from "node:path";
import { CftkitError, writeJsonAtomic } from "@cftkit/core";
import { SafetensorsCheckpoint, type TensorToWrite, writeSafetensors } from "@cftkit/safetensors";
import type { AdamWState } from "./adamw.js";

/** One `log_history` / metrics.jsonl entry (Hugging Face Trainer key names). */
export interface TrainLogEntry {
  step: number;
  epoch: number;
  loss: number;
  learning_rate: number;
  grad_norm: number;
  tokens_per_second: number;
  eval_loss?: number;
}

/** `trainer_state.json` of a checkpoint (HF Trainer's fields plus what an exact resume needs). */
export interface TrainerState {
  global_step: number;
  epoch: number;
  max_steps: number;
  num_train_epochs: number;
  train_batch_size: number;
  logging_steps: number;
  save_steps: number | null;
  log_history: TrainLogEntry[];
  /** Randomness is derived from the seed and the step (data order per epoch, dropout per micro-batch). */
  rng_state: { seed: number; scheme: string };
  /** Hash of the options that must not change across a resume. */
  options_hash: string;
  /** Tokens seen so far (non-pad input tokens). */
  num_input_tokens_seen: number;
}

export const CHECKPOINT_PREFIX = "checkpoint-";
export const OPTIMIZER_FILE = "optimizer.safetensors";
export const TRAINER_STATE_FILE = "trainer_state.json";

/** Names of files in a model folder that hold weights (not copied verbatim into outputs). */
export function isWeightFile(name: string): boolean {
  return (
    name.endsWith(".safetensors") ||
    name === "model.safetensors.index.json" ||
    name === "adapter_config.json" ||
    name.endsWith(".bin") ||
    name.endsWith(".pt") ||
    name === TRAINER_STATE_FILE
  );
}

/**
 * The non-weight files of a Hugging Face model folder: config, generation config and tokenizer files.
 * An allow-list, because a base model folder is often an earlier run's output and holds that run's
 * artifacts (metrics.jsonl, logs) that must not leak into the new run's folder.
 */
export function isModelSideFile(name: string): boolean {
  return /^(config\.json|generation_config\.json|tokenizer(_config)?\.json|tokenizer\.model|special_tokens_map\.json|added_tokens\.json|vocab\.(json|txt)|merges\.txt|chat_template\.(jinja|json)|preprocessor_config\.json)$/.test(
    name,
  );
}

/** Copy config, tokenizer and generation files (not weights, not run artifacts) from `from` to `to`. */
export async function copyModelFiles(from: string, to: string): Promise<void> {
  await fs.mkdir(to, { recursive: true });
  for (const entry of await fs.readdir(from, { withFileTypes: true })) {
    if (!entry.isFile() || isWeightFile(entry.name) || !isModelSideFile(entry.name)) continue;
    await fs.copyFile(join(from, entry.name), join(to, entry.name));
  }
}

/** Optimizer state as safetensors: `exp_avg.<param>` and `exp_avg_sq.<param>` (F32), step in metadata. */
export function optimizerTensors(
  state: AdamWState,
  shapes: ReadonlyMap<string, readonly number[]>,
): TensorToWrite[] {
  const out: TensorToWrite[] = [];
  for (const [name, data] of state.expAvg) {
    const shape = [...(shapes.get(name) ?? [data.length])];
    out.push({ name: `exp_avg.${name}`, dtype: "F32", shape, data });
    out.push({ name: `exp_avg_sq.${name}`, dtype: "F32", shape, data: state.expAvgSq.get(name)! });
  }
  return out;
}

export async function readOptimizerState(dir: string): Promise<AdamWState> {
  const ckpt = await SafetensorsCheckpoint.open(join(dir, OPTIMIZER_FILE));
  try {
    const expAvg = new Map<string, Float32Array>();
    const expAvgSq = new Map<string, Float32Array>();
    for await (const { info, data } of ckpt.iterate()) {
      if (info.name.startsWith("exp_avg_sq.")) expAvgSq.set(info.name.slice("exp_avg_sq.".length), data);
      else if (info.name.startsWith("exp_avg.")) expAvg.set(info.name.slice("exp_avg.".length), data);
    }
    const step = Number(ckpt.metadata.step);
    if (!Number.isInteger(step) || step < 0) {
      throw new CftkitError(
        "LM_BAD_CHECKPOINT",
        `${join(dir, OPTIMIZER_FILE)}: metadata has no valid "step"`,
        {
          details: { dir },
        },
      );
    }
    return { step, expAvg, expAvgSq };
  } finally {
    await ckpt.close();
  }
}

/** The content of one checkpoint folder. */
export interface CheckpointContent {
  /** Weight files: name → tensors (e.g. model.safetensors or adapter_model.safetensors). */
  weights: { file: string; tensors: TensorToWrite[]; metadata?: Record<string, string> }[];
  /** Extra JSON files (e.g. adapter_config.json). */
  json: { file: string; value: unknown }[];
  optimizer: TensorToWrite[];
  optimizerStep: number;
  state: TrainerState;
  /** Folder whose config/tokenizer files are copied in (the base model folder). */
  modelFilesFrom: string;
}

/**
 * Write `outDir/checkpoint-<step>/` atomically: everything goes to a hidden temp folder which is renamed
 * into place at the end, so a crash never leaves a half-written checkpoint that resume would pick up.
 */
export async function writeCheckpoint(outDir: string, content: CheckpointContent): Promise<string> {
  const step = content.state.global_step;
  const final = join(outDir, `${CHECKPOINT_PREFIX}${step}`);
  const tmp = join(outDir, `.${CHECKPOINT_PREFIX}${step}.${process.pid}.tmp`);
  await fs.rm(tmp, { recursive: true, force: true });
  await fs.mkdir(tmp, { recursive: true });
  await copyModelFiles(content.modelFilesFrom, tmp);
  for (const w of content.weights) await writeSafetensors(join(tmp, w.file), w.tensors, w.metadata);
  for (const j of content.json) await writeJsonAtomic(join(tmp, j.file), j.value);
  await writeSafetensors(join(tmp, OPTIMIZER_FILE), content.optimizer, {
    step: String(content.optimizerStep),
  });
  await writeJsonAtomic(join(tmp, TRAINER_STATE_FILE), content.state);
  await fs.rm(final, { recursive: true, force: true });
  await fs.rename(tmp, final);
  return final;
}

/** The checkpoint folder with the highest step under `outDir` (complete ones only), or null. */
export async function findLatestCheckpoint(outDir: string): Promise<{ dir: string; step: number } | null> {
  let entries: string[];
  try {
    entries = await fs.readdir(outDir);
  } catch {
    return null;
  }
  let best: { dir: string; step: number } | null = null;
  for (const name of entries) {
    const m = /^checkpoint-(\d+)$/.exec(name);
    if (!m) continue;
    const dir = join(outDir, name);
    try {
      await fs.access(join(dir, TRAINER_STATE_FILE));
    } catch {
      continue;
    }
    const step = Number(m[1]);
    if (!best || step > best.step) best = { dir, step };
  }
  return best;
}

export async function readTrainerState(dir: string): Promise<TrainerState> {
  const path = join(dir, TRAINER_STATE_FILE);
  try {
    return JSON.parse(await fs.readFile(path, "utf8")) as TrainerState;
  } catch (cause) {
    throw new CftkitError("LM_BAD_CHECKPOINT", `${path}: cannot read the trainer state`, {
      details: { path },
      cause,
    });
  }
}

/** Read every tensor of a safetensors file into a map. */
export async function readTensorMap(path: string): Promise<Map<string, Float32Array>> {
  const ckpt = await SafetensorsCheckpoint.open(path);
  try {
    const out = new Map<string, Float32Array>();
    for await (const { info, data } of ckpt.iterate()) out.set(info.name, data);
    return out;
  } finally {
    await ckpt.close();
  }
}

/** Keep only the newest `keep` checkpoints (by step). */
export async function pruneCheckpoints(outDir: string, keep: number): Promise<void> {
  if (!(keep > 0)) return;
  const steps = (await fs.readdir(outDir))
    .map((n) => /^checkpoint-(\d+)$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => b - a);
  for (const s of steps.slice(keep))
    await fs.rm(join(outDir, `${CHECKPOINT_PREFIX}${s}`), { recursive: true, force: true });
}
