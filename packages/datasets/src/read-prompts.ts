import { CftkitError, readJsonLines } from "@cftkit/core";

/**
 * Prompts from JSONL: MT-Bench rows (`turns[0]`, the first turn), or a `prompt`/`text`/`instruction`
 * (+ `input`) field, or a bare JSON string per line.
 */
export async function readPrompts(file: string): Promise<string[]> {
  const prompts: string[] = [];
  for await (const line of readJsonLines(file)) {
    if (!line.ok)
      throw new CftkitError(
        "DATA_BAD_PROMPTS",
        `${file}:${line.lineNumber}: not valid JSON (${line.reason})`,
        {
          details: { file, line: line.lineNumber },
        },
      );
    const v = line.value;
    let text: unknown;
    if (typeof v === "string") text = v;
    else if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      if (Array.isArray(o.turns)) text = o.turns[0];
      else if (typeof o.prompt === "string") text = o.prompt;
      else if (typeof o.text === "string") text = o.text;
      else if (typeof o.instruction === "string")
        text = typeof o.input === "string" && o.input ? `${o.instruction}\n\n${o.input}` : o.instruction;
    }
    if (typeof text !== "string" || text.length === 0)
      throw new CftkitError(
        "DATA_BAD_PROMPTS",
        `${file}:${line.lineNumber}: expected "turns" (MT-Bench), "prompt", "text" or "instruction"`,
        { details: { file, line: line.lineNumber } },
      );
    prompts.push(text);
  }
  if (prompts.length === 0) throw new CftkitError("DATA_BAD_PROMPTS", `${file}: no prompts`);
  return prompts;
}
