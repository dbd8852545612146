import { CftkitError, importOptional } from "@cftkit/core";
import type { LoraOptions } from "@cftkit/lm";

export interface TensorShape {
  name: string;
  shape: readonly number[];
}

export interface PatternMatch {
  pattern: string;
  /** Tensor names the pattern unfreezes. */
  matches: string[];
  /** A `[start:end]` row range (Axolotl accepts it, but the optimizer still holds and updates the whole tensor). */
  range?: string;
}

export interface UnfrozenCheck {
  patterns: PatternMatch[];
  trainable: string[];
  trainableParameters: number;
  totalParameters: number;
  /** Why the config would waste a run (a pattern that matches nothing, nothing trainable). Empty = fine. */
  problems: string[];
  /** Things that work but not as a reader may expect (row ranges). */
  warnings: string[];
}

/** Axolotl's optional row-range suffix of a pattern (`name[:32000]`, `name[5]`). */
const RANGE = /^(.+)\[([0-9]*)(?::([0-9]*))?\]$/;

const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Apply Axolotl's `unfrozen_parameters` to a checkpoint's tensor names: what each pattern unfreezes, the
 * trainable parameter count, and the two mistakes that cost GPU hours — a pattern that matches nothing (a
 * typo'd regex that froze every layer, axolotl PR #3586) and a config that leaves nothing trainable. Row
 * ranges are reported: they cannot partially freeze a tensor (axolotl PR #3416), the whole tensor trains.
 */
export function checkUnfrozenParameters(
  tensors: readonly TensorShape[],
  patterns: readonly string[],
  /** How the trainer reads a pattern (@cftkit/lm's `unfrozenPatternToRegExp`, passed in: lm is an optional peer). */
  toRegExp: (pattern: string) => RegExp,
): UnfrozenCheck {
  const problems: string[] = [];
  const warnings: string[] = [];
  const unfrozen = new Set<string>();
  const results = patterns.map((pattern): PatternMatch => {
    const ranged = RANGE.exec(pattern);
    let regexp: RegExp;
    try {
      regexp = toRegExp(ranged ? ranged[1]! : pattern);
    } catch (error) {
      problems.push((error as Error).message);
      return { pattern, matches: [] };
    }
    const matches = tensors.filter((t) => regexp.test(t.name)).map((t) => t.name);
    for (const m of matches) unfrozen.add(m);
    if (matches.length === 0) problems.push(`pattern "${pattern}" matches no tensor of the base model`);
    if (ranged && matches.length > 0)
      warnings.push(
        `pattern "${pattern}" names rows [${ranged[2]}${ranged[3] !== undefined ? `:${ranged[3]}` : ""}]; the whole tensor is trained (axolotl cannot partially freeze, PR #3416)`,
      );
    return ranged ? { pattern, matches, range: pattern.slice(ranged[1]!.length) } : { pattern, matches };
  });
  const trainable = tensors.filter((t) => unfrozen.has(t.name));
  const trainableParameters = trainable.reduce((s, t) => s + count(t.shape), 0);
  if (trainableParameters === 0)
    problems.push("the config leaves no parameter trainable (every tensor is frozen)");
  return {
    patterns: results,
    trainable: trainable.map((t) => t.name),
    trainableParameters,
    totalParameters: tensors.reduce((s, t) => s + count(t.shape), 0),
    problems,
    warnings,
  };
}

/** Throw the check's problems as one typed error (the runner refuses to launch such a config). */
export function assertUnfrozenCheck(check: UnfrozenCheck, configPath: string): void {
  if (check.problems.length === 0) return;
  throw new CftkitError(
    "TRAIN_UNFROZEN_CHECK_FAILED",
    `${configPath}: unfrozen_parameters would waste the run:\n  - ${check.problems.join("\n  - ")}`,
    { details: { problems: check.problems } },
  );
}

/**
 * What trains in the model folder `baseModel`: the tensors `unfrozenParameters` unfreeze, the LoRA matrices
 * of the targeted linear layers (r · (in + out) each), or every tensor.
 */
export async function checkTrainable(
  baseModel: string,
  options: { unfrozenParameters?: readonly string[]; lora?: LoraOptions },
): Promise<UnfrozenCheck> {
  const lmApi = () => import("@cftkit/lm");
  const { readModelConfig, parameterSpecs, loraTargetModules } = await importOptional(
    "@cftkit/lm",
    "train rehearse --check",
    lmApi,
  );
  const { unfrozenPatternToRegExp } = await import("@cftkit/lm/internal");
  const tensors = parameterSpecs(await readModelConfig(baseModel));
  if (options.unfrozenParameters)
    return checkUnfrozenParameters(tensors, options.unfrozenParameters, unfrozenPatternToRegExp);
  // "" matches every tensor
  const all = { ...checkUnfrozenParameters(tensors, [""], unfrozenPatternToRegExp), patterns: [] };
  const lora = options.lora;
  if (!lora) return all;
  const shapes = new Map(tensors.map((t) => [t.name, t.shape]));
  const modules = loraTargetModules([...shapes.keys()], lora.targetModules);
  const loraParameters = modules.reduce((sum, m) => {
    const [out, inFeatures] = shapes.get(`${m}.weight`)! as [number, number];
    return sum + lora.r * (out + inFeatures);
  }, 0);
  return {
    ...all,
    trainable: modules.map((m) => `${m} (LoRA r=${lora.r})`),
    trainableParameters: loraParameters,
    problems: modules.length === 0 ? ["the LoRA target modules match no linear layer"] : [],
  };
}
