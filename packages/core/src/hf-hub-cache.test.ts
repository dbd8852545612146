import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hubCacheDir, hubCachedSnapshot, isHubModelId } from "./hf-hub-cache.js";

const root = mkdtempSync(join(tmpdir(), "cftkit-hub-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The layout huggingface_hub writes: refs/main holds the commit, snapshots/<commit>/ the files. */
function cache(modelId: string, commit: string): string {
  const repo = join(root, "hub", `models--${modelId.replace("/", "--")}`);
  mkdirSync(join(repo, "refs"), { recursive: true });
  writeFileSync(join(repo, "refs", "main"), `${commit}\n`);
  const snapshot = join(repo, "snapshots", commit);
  mkdirSync(snapshot, { recursive: true });
  writeFileSync(join(snapshot, "config.json"), "{}");
  return snapshot;
}

describe("Hugging Face Hub cache", () => {
  it("finds the snapshot refs/main names, under HF_HOME/hub", () => {
    const snapshot = cache("mistralai/Mistral-7B-v0.1", "7231864981174d9bee8c7687c24c8344414eae6b");
    expect(hubCachedSnapshot("mistralai/Mistral-7B-v0.1", { env: { HF_HOME: root } })).toBe(snapshot);
  });

  it("is null for an id not downloaded, and never treats a path as an id", () => {
    expect(hubCachedSnapshot("meta-llama/Meta-Llama-3-8B", { env: { HF_HOME: root } })).toBeNull();
    expect(isHubModelId("../models/x")).toBe(false);
    expect(isHubModelId("/abs/model")).toBe(false);
    expect(isHubModelId("models/phase1/out")).toBe(false);
    expect(isHubModelId("org/na..me")).toBe(false);
  });

  it("follows huggingface_hub's order of variables", () => {
    expect(hubCacheDir({ HF_HUB_CACHE: "/a", HF_HOME: "/b" })).toBe("/a");
    expect(hubCacheDir({ HF_HOME: "/b", XDG_CACHE_HOME: "/c" })).toBe(join("/b", "hub"));
    expect(hubCacheDir({ XDG_CACHE_HOME: "/c" })).toBe(join("/c", "huggingface", "hub"));
  });
});
