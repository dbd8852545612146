import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { ActivationFileShape } from "@cftkit/similarity";
import { fileKey, type RunContext } from "../run-context.js";
import { modelMeanHiddenStates } from "../model-hidden-states.js";
import { type ModelRef, pairModels } from "../run-state.js";
import { type PipelineStep, type StepUnit, unit } from "../step.js";

/**
 * Mean activations per layer of every drift prompt, as an activation file (docs/formats.md). A model too big
 * to hold is read one decoder layer at a time; its per-layer work stays in the step folder, so a killed run
 * goes on from the last finished layer.
 */
async function writeHiddenStates(ctx: RunContext, model: ModelRef, dir: string) {
  const { writeActivationFile } = await import("@cftkit/similarity");
  const perPrompt = await modelMeanHiddenStates(model.dir, ctx.drift.prompts, {
    progress: ctx.progress,
    maxTokens: 256,
    workDir: join(dir, "streamed-work"),
    log: (line) => ctx.log.event("hidden-states", "step", { note: line }),
  });
  const shape = await writeActivationFile(join(dir, "acts.safetensors"), perPrompt, {
    model: model.dir,
    prompts: ctx.drift.path,
  });
  await rm(join(dir, "streamed-work"), { recursive: true, force: true });
  return { file: "acts.safetensors", ...shape };
}

/** Hidden states of every model on the drift prompts (MT-Bench by default), for drift and projection. */
export const hiddenStatesStep: PipelineStep = {
  name: "hidden-states",
  summary: "mean hidden state per layer of every model on the drift prompts (activation files)",
  async units(ctx, state) {
    const units: StepUnit[] = [];
    const prompts = {
      prompts: await fileKey(ctx, ctx.drift.path),
      max: ctx.experiment.analysis.drift.max_prompts,
    };
    for (const pair of state.pairs) {
      for (const { label, model } of pairModels(pair)) {
        units.push(
          unit<ActivationFileShape & { file: string }>({
            label: `hidden-${pair.name}-${label}`,
            inputs: { model: model.key, ...prompts },
            run: (dir) => writeHiddenStates(ctx, model, dir),
            keep: ({ result, dir, key }) => {
              pair.activations[label] = { file: join(dir, result.file), key };
            },
          }),
        );
      }
    }
    return units;
  },
};
