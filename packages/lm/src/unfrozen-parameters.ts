import { CftkitError } from "@cftkit/core";

/**
 * Axolotl's `unfrozen_parameters` semantics (axolotl `utils/freeze.py`): every parameter is frozen,
 * then a parameter is trainable iff, for some pattern, Python's `re.match` (anchored at the start only)
 * of the pattern with each `.` made literal hits its name. So `model.layers.6.mlp.down_proj` matches
 * `model.layers.6.mlp.down_proj.weight` but not `model.layers.62.mlp.down_proj.weight`, and Spectrum's
 * `^lm_head.weight$` matches `lm_head.weight` only.
 *
 * Axolotl also accepts a row range suffix (`model.embed_tokens.weight[:32000]`) that unfreezes part of a
 * tensor; the embedded trainer does not support partial tensors and rejects such patterns.
 */
export type ParameterPredicate = (name: string) => boolean;

/** Translate one Axolotl pattern into the equivalent JavaScript RegExp (same transform as Axolotl). */
export function unfrozenPatternToRegExp(pattern: string): RegExp {
  if (/\[\s*-?\d*\s*:\s*-?\d*\s*\]\s*$/.test(pattern)) {
    throw new CftkitError(
      "LM_UNFROZEN_RANGE_UNSUPPORTED",
      `unfrozen_parameters pattern "${pattern}" unfreezes a row range of a tensor; the embedded trainer only unfreezes whole tensors`,
      { details: { pattern } },
    );
  }
  // Python: re.compile(pattern.replace(".", "\\.")); re.match anchors at the start only.
  const source = pattern.replaceAll(".", "\\.");
  try {
    return new RegExp(`^(?:${source})`);
  } catch (cause) {
    throw new CftkitError(
      "LM_BAD_UNFROZEN_PATTERN",
      `unfrozen_parameters pattern "${pattern}" is not a valid regular expression`,
      {
        details: { pattern },
        cause,
      },
    );
  }
}

/** A predicate that is true for the parameter names the patterns unfreeze (false for all when empty). */
export function compileUnfrozenPatterns(patterns: readonly string[]): ParameterPredicate {
  const regexps = patterns.map(unfrozenPatternToRegExp);
  return (name: string) => regexps.some((re) => re.test(name));
}

/** Split parameter names into trainable and frozen ones under the patterns. */
export function partitionParameters(
  names: readonly string[],
  patterns: readonly string[],
): { trainable: string[]; frozen: string[] } {
  const predicate = compileUnfrozenPatterns(patterns);
  const trainable: string[] = [];
  const frozen: string[] = [];
  for (const name of names) (predicate(name) ? trainable : frozen).push(name);
  return { trainable, frozen };
}
