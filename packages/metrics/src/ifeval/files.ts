/** Node only: the official IFEval files — `input_data.jsonl`, responses JSONL, `eval_results_{strict,loose}.jsonl`. */
import { join } from "node:path";
import { CftkitError } from "@cftkit/core/errors";
import { type IfevalInput, type IfevalOutput, type IfevalResult, pythonJsonDumps } from "./evaluate.js";

// @cftkit/core's main entry (HTTP client, progress, test servers) loads on the first file read, not on import.
const core = () => import("@cftkit/core");

/** Read `input_data.jsonl` (`key`, `prompt`, `instruction_id_list`, `kwargs`). */
export async function readIfevalInputs(path: string): Promise<IfevalInput[]> {
  const out: IfevalInput[] = [];
  const { readJsonLines } = await core();
  for await (const line of readJsonLines(path)) {
    if (!line.ok)
      throw new CftkitError("IFEVAL_BAD_INPUT", `${path} line ${line.lineNumber}: ${line.reason}`);
    const v = line.value as Partial<IfevalInput>;
    if (typeof v.prompt !== "string" || !Array.isArray(v.instruction_id_list) || !Array.isArray(v.kwargs)) {
      throw new CftkitError(
        "IFEVAL_BAD_INPUT",
        `${path} line ${line.lineNumber}: expected {prompt, instruction_id_list, kwargs}`,
      );
    }
    if (v.kwargs.length !== v.instruction_id_list.length) {
      throw new CftkitError(
        "IFEVAL_BAD_INPUT",
        `${path} line ${line.lineNumber}: ${v.kwargs.length} kwargs for ${v.instruction_id_list.length} instructions`,
      );
    }
    out.push(v as IfevalInput);
  }
  return out;
}

/** Read `{prompt, response}` JSONL into the prompt → response map (later lines win, as a Python dict). */
export async function readIfevalResponses(path: string): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  const { readJsonLines } = await core();
  for await (const line of readJsonLines(path)) {
    if (!line.ok)
      throw new CftkitError("IFEVAL_BAD_RESPONSES", `${path} line ${line.lineNumber}: ${line.reason}`);
    const v = line.value as { prompt?: unknown; response?: unknown };
    if (typeof v.prompt !== "string" || typeof v.response !== "string") {
      throw new CftkitError(
        "IFEVAL_BAD_RESPONSES",
        `${path} line ${line.lineNumber}: expected {prompt, response} strings`,
      );
    }
    map.set(v.prompt, v.response);
  }
  return map;
}

/** Write `eval_results_strict.jsonl` and `eval_results_loose.jsonl` (atomically) into `dir`. */
export async function writeIfevalOutputs(
  dir: string,
  result: IfevalResult,
): Promise<{ strict: string; loose: string }> {
  const strict = join(dir, "eval_results_strict.jsonl");
  const loose = join(dir, "eval_results_loose.jsonl");
  const lines = (rows: IfevalOutput[]) => rows.map((r) => `${pythonJsonDumps(r)}\n`).join("");
  const { writeFileAtomic } = await core();
  await writeFileAtomic(strict, lines(result.strict));
  await writeFileAtomic(loose, lines(result.loose));
  return { strict, loose };
}
