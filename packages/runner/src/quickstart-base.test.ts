import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentProgress } from "@cftkit/core";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { bundledBaseModel } from "./bundled-data.js";
import { ensureQuickstartBase, quickstartBase } from "./quickstart-base.js";
import { QUICKSTART_PROFILES } from "./quickstart-profile.js";
import { writeQuickstartExperiment } from "./quickstart.js";
import { TINY_SIZES } from "./testing/tiny-run.js";

const out = mkdtempSync(join(tmpdir(), "cftkit-qs-base-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("quickstartBase", () => {
  it("starts the tiny profiles from the bundled pre-trained base", async () => {
    const base = await quickstartBase(out, QUICKSTART_PROFILES.default);
    expect(base).toMatchObject({ kind: "pretrained", origin: "bundled", preset: "tiny" });
    expect(base.kind === "pretrained" && base.dir).toBe(bundledBaseModel()!.dir);
  });

  it("initialises a bigger preset without pre-training steps", async () => {
    expect(await quickstartBase(out, { ...TINY_SIZES, preset: "mini" })).toEqual({
      kind: "init",
      preset: "mini",
    });
  });

  it("pre-trains a bigger preset in the run folder with the bundled base's recipe, once", async () => {
    const sizes = { ...TINY_SIZES, preset: "mini" as const, pretrainSteps: 2 };
    const base = await quickstartBase(out, sizes);
    expect(base).toMatchObject({ kind: "pretrained", origin: "run", preset: "mini", pretrainSteps: 2 });
    if (base.kind !== "pretrained") throw new Error("unreachable");
    // The same articles stay unseen as for the bundled base: evaluation draws from them.
    expect(base.heldoutArticles).toEqual(bundledBaseModel()!.heldoutArticles);
    await ensureQuickstartBase(out, base, silentProgress);
    const record = JSON.parse(readFileSync(join(base.dir, "pretraining.json"), "utf8"));
    expect(record).toMatchObject({ preset: "mini", steps: 2, reserved: base.heldoutArticles });
    const config = JSON.parse(readFileSync(join(base.dir, "config.json"), "utf8"));
    expect([config.hidden_size, config.num_hidden_layers]).toEqual([128, 4]);
    expect(record.parameters).toBeGreaterThan(5 * 124_224);
    const written = statSync(join(base.dir, "model.safetensors")).mtimeMs;
    await ensureQuickstartBase(out, base, silentProgress); // finished: reused, not trained again
    expect(statSync(join(base.dir, "model.safetensors")).mtimeMs).toBe(written);

    const path = await writeQuickstartExperiment(out, sizes, "test", 0, { base, strategies: ["baseline"] });
    const experiment = parseYaml(readFileSync(path, "utf8"));
    expect(experiment.base_model).toBe("base-mini"); // relative: the run folder stays portable
    expect(existsSync(join(out, experiment.base_model, "model.safetensors"))).toBe(true);
  }, 120_000);
});
