import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { CftkitError } from "@cftkit/core";
import { parse as parseYaml } from "yaml";
import type { TrainingPlan } from "./training-plan.js";

/**
 * Read an `unfrozen_parameters` list from a `@cftkit/freeze` output file (the trainer does not import the
 * freeze package; it reads its files):
 * - Spectrum-style YAML `unfrozen_parameters:\n- ^lm_head.weight$\n- model.layers.6.mlp.down_proj` (comments ok),
 * - the `--json` output `{ "unfrozen_parameters": [...], ... }`,
 * - a plain YAML/JSON list, or a `.txt` file with one pattern per line (`#` comments).
 */
export async function readUnfrozenParameters(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new CftkitError(
      "TRAIN_FREEZE_SELECTION_MISSING",
      `cannot read the freeze selection ${path}: ${(error as Error).message} (run \`cftkit freeze …\` first)`,
      { cause: error },
    );
  }
  let list: unknown;
  if (extname(path) === ".txt") {
    list = text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#"));
  } else {
    let value: unknown;
    try {
      value = parseYaml(text); // YAML is a superset of JSON
    } catch (error) {
      throw new CftkitError(
        "TRAIN_FREEZE_SELECTION_INVALID",
        `${path}: not valid YAML/JSON: ${(error as Error).message}`,
      );
    }
    list =
      value !== null && typeof value === "object" && !Array.isArray(value)
        ? (value as Record<string, unknown>).unfrozen_parameters
        : value;
  }
  if (!Array.isArray(list) || !list.every((p) => typeof p === "string" && p.trim() !== "")) {
    throw new CftkitError(
      "TRAIN_FREEZE_SELECTION_INVALID",
      `${path}: expected an unfrozen_parameters list of non-empty strings`,
    );
  }
  if (list.length === 0) {
    throw new CftkitError(
      "TRAIN_FREEZE_SELECTION_INVALID",
      `${path}: the unfrozen_parameters list is empty (every parameter would be frozen)`,
    );
  }
  return (list as string[]).map((p) => p.trim());
}

/** A plan whose freeze list is still only a file reference gets the list read in (other plans unchanged). */
export async function resolvePlanInputs(plan: TrainingPlan): Promise<TrainingPlan> {
  if (plan.freeze && plan.freeze.unfrozen_parameters === undefined && plan.freeze.source) {
    const unfrozen = await readUnfrozenParameters(plan.freeze.source);
    return { ...plan, freeze: { ...plan.freeze, unfrozen_parameters: unfrozen } };
  }
  return plan;
}

/**
 * Axolotl's rule (docs/formats.md): a parameter trains when `re.match` (anchored at the start only) of a
 * pattern, with each `.` made literal, hits its name. Returns the compiled matcher.
 */
export function unfrozenMatcher(patterns: string[]): (name: string) => boolean {
  const regexes = patterns.map((p) => new RegExp(`^(?:${p.replace(/(?<!\\)\./g, "\\.")})`));
  return (name) => regexes.some((r) => r.test(name));
}
