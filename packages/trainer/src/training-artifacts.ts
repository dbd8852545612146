import { existsSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { resolveInsideFolder } from "@cftkit/core";

export interface TrainingArtifacts {
  outputDir: string;
  /** True when the final model (full weights or LoRA adapter) is present. */
  complete: boolean;
  /** `model.safetensors` or the shards listed by `model.safetensors.index.json`. */
  weights: string[];
  indexFile?: string;
  /** LoRA: `adapter_model.safetensors` + `adapter_config.json`. */
  adapter?: { weights: string; config: string };
  config?: string;
  tokenizerFiles: string[];
  checkpoints: { step: number; path: string }[];
  lastCheckpoint?: string;
  /** `trainer_state.json` of the last checkpoint (holds the final log_history). */
  trainerState?: string;
  logHistory?: Record<string, unknown>[];
}

/** `checkpoint-N` folders of an output dir, sorted by step. */
export async function listCheckpoints(outputDir: string): Promise<{ step: number; path: string }[]> {
  let entries: string[];
  try {
    entries = await readdir(outputDir);
  } catch {
    return [];
  }
  const out: { step: number; path: string }[] = [];
  for (const e of entries) {
    const m = /^checkpoint-(\d+)$/.exec(e);
    if (!m) continue;
    const path = join(outputDir, e);
    if ((await stat(path)).isDirectory()) out.push({ step: Number(m[1]), path });
  }
  return out.sort((a, b) => a.step - b.step);
}

/** The newest checkpoint folder, if any (what `resume_from_checkpoint` should point at). */
export async function findLastCheckpoint(outputDir: string): Promise<string | undefined> {
  const all = await listCheckpoints(outputDir);
  return all.at(-1)?.path;
}

const TOKENIZER_FILES = [
  "tokenizer.json",
  "tokenizer_config.json",
  "special_tokens_map.json",
  "tokenizer.model",
  "chat_template.jinja",
];

/** What a finished Hugging Face / Axolotl run left in its output folder. */
export async function collectArtifacts(outputDir: string): Promise<TrainingArtifacts> {
  const has = (name: string) => existsSync(join(outputDir, name));
  const weights: string[] = [];
  let indexFile: string | undefined;
  if (has("model.safetensors.index.json")) {
    indexFile = join(outputDir, "model.safetensors.index.json");
    let shards: string[] = [];
    try {
      const index = JSON.parse(await readFile(indexFile, "utf8")) as { weight_map?: Record<string, string> };
      shards = [...new Set(Object.values(index.weight_map ?? {}))].filter((f) => typeof f === "string");
    } catch {
      // an unreadable index leaves weights empty → complete = false
    }
    // A shard named outside the folder is refused (PATH_OUTSIDE_FOLDER), never looked at.
    for (const f of shards) weights.push(await resolveInsideFolder(outputDir, f, indexFile));
  } else if (has("model.safetensors")) {
    weights.push(join(outputDir, "model.safetensors"));
  }
  const adapter =
    has("adapter_model.safetensors") && has("adapter_config.json")
      ? {
          weights: join(outputDir, "adapter_model.safetensors"),
          config: join(outputDir, "adapter_config.json"),
        }
      : undefined;
  const checkpoints = await listCheckpoints(outputDir);
  const lastCheckpoint = checkpoints.at(-1)?.path;
  let trainerState: string | undefined;
  let logHistory: Record<string, unknown>[] | undefined;
  if (lastCheckpoint && existsSync(join(lastCheckpoint, "trainer_state.json"))) {
    trainerState = join(lastCheckpoint, "trainer_state.json");
    try {
      // Python's json.dump writes NaN/Infinity bare; make them parseable.
      const text = (await readFile(trainerState, "utf8")).replace(
        /(?<=[:\s[,])(-?Infinity|NaN)(?=\s*[,}\]])/g,
        '"$1"',
      );
      const state = JSON.parse(text) as { log_history?: Record<string, unknown>[] };
      logHistory = state.log_history;
    } catch {
      logHistory = undefined;
    }
  }
  const missingShard = weights.some((w) => !existsSync(w));
  return {
    outputDir,
    complete: (weights.length > 0 && !missingShard) || adapter !== undefined,
    weights,
    indexFile,
    adapter,
    config: has("config.json") ? join(outputDir, "config.json") : undefined,
    tokenizerFiles: TOKENIZER_FILES.filter(has).map((f) => join(outputDir, f)),
    checkpoints,
    lastCheckpoint,
    trainerState,
    logHistory,
  };
}

/** What a run that should have left a model lacks, in words (empty when the model is there). */
export function describeMissingModel(artifacts: TrainingArtifacts): string {
  if (artifacts.complete) return "";
  const missingShards = artifacts.weights.filter((w) => !existsSync(w));
  if (missingShards.length > 0) {
    return `${artifacts.indexFile} names ${missingShards.length} shard(s) that were not written: ${missingShards.map((w) => basename(w)).join(", ")}`;
  }
  if (artifacts.indexFile) return `${artifacts.indexFile} names no shard`;
  return `${artifacts.outputDir} holds no model.safetensors, no model.safetensors.index.json and no LoRA adapter (adapter_model.safetensors + adapter_config.json)${artifacts.lastCheckpoint ? `; the last checkpoint is ${artifacts.lastCheckpoint}` : ""}`;
}
