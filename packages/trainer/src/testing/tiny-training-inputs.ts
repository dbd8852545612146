import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CausalLM } from "@cftkit/lm";
import { repoPath } from "./repo-paths.js";

export interface TinyTrainingInputs {
  /** A fresh tiny model folder (the base to fine-tune). */
  base: string;
  /** Short Alpaca rows as JSONL. */
  data: string;
}

/** Where the inputs live in `dir` (known before they are written, so tests can build plans at load time). */
export function tinyTrainingPaths(dir: string): TinyTrainingInputs {
  return { base: join(dir, "base"), data: join(dir, "alpaca.jsonl") };
}

/**
 * Write the inputs the trainer's training tests share: a tiny random model (seeded) and the first `rows`
 * single-turn rows of the bundled Alpaca sample shorter than `maxChars`, so a few steps train in seconds.
 */
export async function writeTinyTrainingInputs(
  dir: string,
  options: { seed: number; rows: number; maxChars: number },
): Promise<TinyTrainingInputs> {
  const paths = tinyTrainingPaths(dir);
  const model = await CausalLM.init({ preset: "tiny", seed: options.seed });
  await model.save(paths.base);
  model.dispose();
  const rows = (
    JSON.parse(readFileSync(repoPath("data/alpaca/alpaca_5000.json"), "utf8")) as {
      instruction: string;
      input: string;
      output: string;
    }[]
  )
    .filter((r) => r.input === "" && r.instruction.length + r.output.length < options.maxChars)
    .slice(0, options.rows);
  await writeFile(paths.data, rows.map((r) => JSON.stringify(r)).join("\n"));
  return paths;
}
