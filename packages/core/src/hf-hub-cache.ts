import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** A Hugging Face Hub model id: `org/name` (letters, digits, `-`, `_`, `.`), nothing path-like. */
export function isHubModelId(reference: string): boolean {
  return /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/.test(reference) && !reference.includes("..");
}

/**
 * The Hub cache folder, as huggingface_hub finds it: `HF_HUB_CACHE`, else `HF_HOME/hub`, else
 * `XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub`.
 */
export function hubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  if (env.HF_HOME) return join(env.HF_HOME, "hub");
  return join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "huggingface", "hub");
}

/**
 * The local snapshot folder of a Hub model already downloaded (`huggingface-cli download org/name`):
 * `<cache>/models--org--name/snapshots/<refs/main>`. Null when the id is not cached (nothing is fetched).
 */
export function hubCachedSnapshot(
  modelId: string,
  options: { revision?: string; env?: NodeJS.ProcessEnv } = {},
): string | null {
  if (!isHubModelId(modelId)) return null;
  const repo = join(hubCacheDir(options.env), `models--${modelId.replace("/", "--")}`);
  const revision = options.revision ?? "main";
  const refFile = join(repo, "refs", revision);
  const commit = existsSync(refFile) ? readFileSync(refFile, "utf8").trim() : revision;
  const snapshot = join(repo, "snapshots", commit);
  return existsSync(join(snapshot, "config.json")) ? snapshot : null;
}
