import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { localModelDir, modelReference } from "./model-folder.js";
import { tinyRun } from "./testing/tiny-run.js";

const root = mkdtempSync(join(tmpdir(), "cftkit-model-folder-"));
const fixture = resolve(import.meta.dirname, "../../../test-fixtures/base-model");
const savedCache = process.env.HF_HUB_CACHE;
process.env.HF_HUB_CACHE = join(root, "hub");
afterAll(() => {
  if (savedCache === undefined) delete process.env.HF_HUB_CACHE;
  else process.env.HF_HUB_CACHE = savedCache;
  rmSync(root, { recursive: true, force: true });
});

/** A model in the Hub cache as `huggingface-cli download` leaves it (refs/main → snapshots/<commit>). */
function downloaded(modelId: string): string {
  const repo = join(root, "hub", `models--${modelId.replace("/", "--")}`);
  const snapshot = join(repo, "snapshots", "0123abcd");
  mkdirSync(join(repo, "refs"), { recursive: true });
  writeFileSync(join(repo, "refs", "main"), "0123abcd");
  cpSync(fixture, snapshot, { recursive: true });
  return snapshot;
}

describe("localModelDir", () => {
  const snapshot = downloaded("cftkit-test/base");

  it("takes a folder relative to the experiment, else a Hub id from the Hub cache", () => {
    expect(localModelDir({ baseDir: resolve(fixture, "..") }, "base-model")).toBe(fixture);
    expect(localModelDir({ baseDir: root }, "cftkit-test/base")).toBe(snapshot);
  });

  it("names the download command for a Hub id that is not cached, and downloads nothing", () => {
    expect(() => localModelDir({ baseDir: root }, "cftkit-test/missing")).toThrow(
      /RUN_MODEL_NOT_LOCAL|huggingface-cli download cftkit-test\/missing/,
    );
    try {
      localModelDir({ baseDir: root }, "cftkit-test/missing");
    } catch (e) {
      expect((e as { code: string }).code).toBe("RUN_MODEL_NOT_LOCAL");
      expect(String(e)).toContain(join(root, "hub"));
    }
  });

  it("hands on a reference that is neither local nor cached as written (a generation server may know it)", () => {
    expect(modelReference({ baseDir: resolve(fixture, "..") }, "base-model")).toBe(fixture);
    expect(modelReference({ baseDir: root }, "cftkit-test/base")).toBe(snapshot);
    expect(modelReference({ baseDir: root }, "cftkit-test/missing")).toBe("cftkit-test/missing");
  });

  it("lets a run name its base model by Hub id: the run reads the cached snapshot", async () => {
    const run = await tinyRun(["baseline"], undefined, (experiment) => {
      experiment.base_model = "cftkit-test/base";
    });
    try {
      expect(run.pair.base.dir).toBe(snapshot);
      expect(run.state.model.parameters).toBeGreaterThan(100_000);
    } finally {
      rmSync(run.dir, { recursive: true, force: true });
    }
  });
});
