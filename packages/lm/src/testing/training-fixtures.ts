// Test helpers for the trainer's tests (not exported from the package).
import { readFileSync } from "node:fs";
import type { TrainingExample } from "../training-batch.js";

/**
 * Alpaca records from the bundled data as chat examples (user = instruction + input, assistant = output),
 * taking the short ones (at most `maxChars` characters in all) from `offset` on, so tiny tests stay fast.
 */
export function alpacaExamples(offset: number, count: number, maxChars = 160): TrainingExample[] {
  const path = new URL("../../../../data/alpaca/alpaca_5000.json", import.meta.url);
  const rows = JSON.parse(readFileSync(path, "utf8")) as {
    instruction: string;
    input: string;
    output: string;
  }[];
  return rows
    .map((r, index) => ({ ...r, index }))
    .slice(offset)
    .filter((r) => r.instruction.length + r.input.length + r.output.length <= maxChars)
    .slice(0, count)
    .map((r) => ({
      id: `alpaca-${r.index}`,
      messages: [
        { role: "user" as const, content: r.input ? `${r.instruction}\n\n${r.input}` : r.instruction },
        { role: "assistant" as const, content: r.output },
      ],
    }));
}
