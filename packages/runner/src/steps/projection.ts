import type { ActivationLayer } from "@cftkit/similarity";
import type { RunContext } from "../run-context.js";
import type { ProjectionPoint } from "../report/experiment-results.js";
import { pairModels, type RunState } from "../run-state.js";
import { type PipelineStep, unit } from "../step.js";

/** One row per layer: the mean over prompts of that layer's activations (paper Figure 1). */
function layerMeans(layers: ActivationLayer[]): { layer: number; vector: number[] }[] {
  return layers.map((l) => {
    const v = new Array<number>(l.dim).fill(0);
    for (let r = 0; r < l.rows; r++) for (let j = 0; j < l.dim; j++) v[j]! += l.data[r * l.dim + j]! / l.rows;
    return { layer: l.layer, vector: v };
  });
}

/** Every model's activation file, named as the report's legend shows it (`<pair> phase 1`, `<pair> <strategy>`). */
function projectedModels(state: RunState) {
  return state.pairs.flatMap((pair) =>
    pairModels(pair).flatMap(({ label }) => {
      const acts = pair.activations[label];
      return acts ? [{ model: `${pair.name} ${label === "phase1" ? "phase 1" : label}`, ...acts }] : [];
    }),
  );
}

async function projectAll(
  ctx: RunContext,
  models: ReturnType<typeof projectedModels>,
): Promise<ProjectionPoint[]> {
  const { project, readActivationFile } = await import("@cftkit/similarity");
  const rows: { model: string; layer: number; vector: number[] }[] = [];
  for (const m of models)
    for (const row of layerMeans((await readActivationFile(m.file)).layers))
      rows.push({ model: m.model, ...row });
  if (rows.length < 3) return [];
  const { projection } = ctx.experiment.analysis;
  return project(
    rows.map((r) => r.vector),
    { method: projection, seed: ctx.experiment.seed },
  ).map(([x, y], i) => ({ model: rows[i]!.model, layer: rows[i]!.layer, x, y }));
}

/** A 2-D projection (t-SNE or UMAP) of every model's per-layer mean activations. */
export const projectionStep: PipelineStep = {
  name: "projection",
  summary: "2-D projection (t-SNE/UMAP) of every model's per-layer mean activations",
  async units(ctx, state) {
    const models = projectedModels(state);
    if (!models.length) return [];
    return [
      unit<ProjectionPoint[]>({
        label: "projection",
        inputs: {
          models: models.map((m) => [m.model, m.key]),
          method: ctx.experiment.analysis.projection,
          seed: ctx.experiment.seed,
        },
        run: () => projectAll(ctx, models),
        keep: ({ result }) => {
          state.projection = { method: ctx.experiment.analysis.projection, points: result };
        },
      }),
    ];
  },
};
