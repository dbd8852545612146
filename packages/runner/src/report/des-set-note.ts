import type { PhasePairResult } from "./experiment-results.js";

/**
 * The sentence that says what stood for a pair's Phase-1 data in DES when Phase 1 is an off-the-shelf model
 * (the paper's "Instruct" set, Table 3 ‡); undefined for a pair with Phase-1 data.
 */
export function desSetNote(pair: PhasePairResult): string | undefined {
  const set = pair.des_set;
  if (!set) return undefined;
  const embedded =
    pair.des_text === "instruction"
      ? "only the prompts were embedded (analysis.des.text: instruction), not the answers"
      : `embedded as ${pair.des_text ?? "instruction"}`;
  return (
    `DES set of ${pair.name}: ${set.model}'s greedy answers (≤ ${set.max_new_tokens} new tokens, ${set.generator} generation) ` +
    `to ${set.prompts_used} of the ${set.prompts_available} prompts of ${set.prompts} (first turns), ${set.rows} rows, ` +
    `${embedded}; the paper's "Instruct" set (Table 3 ‡: model responses on MT-Bench). File: ${set.path}.`
  );
}
