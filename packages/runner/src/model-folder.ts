import { existsSync } from "node:fs";
import { join } from "node:path";
import { CftkitError, hubCachedSnapshot, hubCacheDir, isHubModelId } from "@cftkit/core";
import { absolutePath, type RunContext } from "./run-context.js";

/**
 * The local folder behind an experiment's model reference, for the steps that read weights on this machine
 * (freeze selections, MPD, hidden states, evaluation): a folder (relative to the experiment file), else a
 * Hugging Face id already in the Hub cache. Axolotl and vLLM still receive the reference as written.
 * Nothing is downloaded: a missing model is an error that says how to fetch it.
 */
export function localModelDir(ctx: Pick<RunContext, "baseDir">, reference: string): string {
  const local = absolutePath(ctx, reference);
  if (existsSync(join(local, "config.json"))) return local;
  const cached = hubCachedSnapshot(reference);
  if (cached) return cached;
  const hint = isHubModelId(reference)
    ? ` and ${reference} is not in the Hugging Face Hub cache (${hubCacheDir()}): download it first with \`huggingface-cli download ${reference}\` (or set HF_HOME / HF_HUB_CACHE), or give a local folder`
    : "";
  throw new CftkitError(
    "RUN_MODEL_NOT_LOCAL",
    `model ${reference}: ${local} is not a model folder (no config.json)${hint}`,
  );
}

/**
 * A model reference for a step that may also hand it on (to a generation server, or a sentence encoder that
 * names what it lacks): the path (relative to the experiment file) when it exists, else the Hub cache's
 * snapshot of an id, else the reference as written.
 */
export function modelReference(ctx: Pick<RunContext, "baseDir">, reference: string): string {
  const local = absolutePath(ctx, reference);
  if (existsSync(local)) return local;
  return hubCachedSnapshot(reference) ?? reference;
}
