import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ProgressReporter } from "@cftkit/core";
import type { ModelPreset } from "@cftkit/lm";
import { PRETRAIN_RECIPE, pretrainBase, unseenArticles } from "./base-pretraining.js";
import { bundledBaseModel, bundledDataDir } from "./bundled-data.js";
import type { QuickstartSizes } from "./quickstart-profile.js";

/** What a quickstart starts from. */
export type QuickstartBase =
  | {
      kind: "pretrained";
      dir: string;
      preset: ModelPreset;
      /** Where it comes from: the bundled fixture, or pre-trained in the run folder for the profile's preset. */
      origin: "bundled" | "run";
      /** Pre-training steps the run still has to make the base with (origin "run"). */
      pretrainSteps?: number;
      heldoutArticles: string[];
      firstHeldoutAlpacaRow: number;
    }
  | { kind: "init"; preset: ModelPreset };

/** The preset a pre-trained folder was made with (pretraining.json; the bundled fixture is `tiny`). */
function pretrainedPreset(dir: string): ModelPreset {
  const record = join(dir, "pretraining.json");
  if (!existsSync(record)) return "tiny";
  return (JSON.parse(readFileSync(record, "utf8")) as { preset: ModelPreset }).preset;
}

/**
 * The base a profile starts from: the bundled pre-trained base when its preset is the profile's; else, when
 * the profile gives pre-training steps (`full`), the same recipe run for the profile's preset inside the run
 * folder (`base-<preset>/`); else a fresh initialisation.
 */
export async function quickstartBase(out: string, sizes: QuickstartSizes): Promise<QuickstartBase> {
  const bundled = bundledBaseModel();
  if (bundled && pretrainedPreset(bundled.dir) === sizes.preset)
    return { kind: "pretrained", origin: "bundled", preset: sizes.preset, ...bundled };
  if (!sizes.pretrainSteps) return { kind: "init", preset: sizes.preset };
  return {
    kind: "pretrained",
    origin: "run",
    dir: join(out, `base-${sizes.preset}`),
    preset: sizes.preset,
    pretrainSteps: sizes.pretrainSteps,
    heldoutArticles: await unseenArticles(bundledDataDir()),
    // Alpaca rows from here on are not pre-training data.
    firstHeldoutAlpacaRow: PRETRAIN_RECIPE.alpacaRows,
  };
}

/** Pre-train the run's own base when the profile needs one (resumed after an interruption, reused when done). */
export async function ensureQuickstartBase(
  out: string,
  base: QuickstartBase,
  progress: ProgressReporter,
): Promise<void> {
  if (base.kind !== "pretrained" || base.origin !== "run" || !base.pretrainSteps) return;
  const steps = base.pretrainSteps;
  progress.start(`pre-train ${base.preset} base`, steps);
  await pretrainBase({
    dataDir: bundledDataDir(),
    preset: base.preset,
    steps,
    outDir: base.dir,
    workDir: join(out, `base-${base.preset}-checkpoints`),
    onMetrics: (m) =>
      progress.update({
        done: m.step,
        values: { loss: Number(m.loss.toFixed(4)), tok_s: Math.round(m.tokensPerSecond) },
      }),
  });
  progress.stop();
}
