/**
 * IFEval evaluation as `evaluation_lib.py` does it: strict (the response as given, must be non-blank) and loose
 * (any of 8 variants passes), the four metrics, and the official `eval_results_{strict,loose}.jsonl` files.
 */
import { CftkitError } from "@cftkit/core/errors";
import { pyStrip } from "../python-text.js";
import { checkInstruction, type IfevalKwargs } from "./checkers.js";

export interface IfevalInput {
  key?: number;
  prompt: string;
  instruction_id_list: string[];
  kwargs: IfevalKwargs[];
}

/** One row of the official output files (keys in the order `dir()` lists them). */
export interface IfevalOutput {
  follow_all_instructions: boolean;
  follow_instruction_list: boolean[];
  instruction_id_list: string[];
  prompt: string;
  response: string;
}

export interface IfevalMetrics {
  prompt_level_strict_acc: number;
  inst_level_strict_acc: number;
  prompt_level_loose_acc: number;
  inst_level_loose_acc: number;
}

export interface IfevalResult {
  metrics: IfevalMetrics;
  strict: IfevalOutput[];
  loose: IfevalOutput[];
}

function check(input: IfevalInput, candidates: string[]): boolean[] {
  return input.instruction_id_list.map((id, i) => {
    const kwargs = input.kwargs[i] ?? {};
    for (const r of candidates) if (pyStrip(r) && checkInstruction(id, r, kwargs)) return true;
    return false;
  });
}

/** `test_instruction_following_strict`. */
export function evaluateStrict(input: IfevalInput, response: string): IfevalOutput {
  const list = check(input, [response]);
  return output(input, response, list);
}

/** The eight loose variants, in the official order. */
export function looseVariants(response: string): string[] {
  const r = response.split("\n");
  const removeFirst = pyStrip(r.slice(1).join("\n"));
  const removeLast = pyStrip(r.slice(0, -1).join("\n"));
  const removeBoth = pyStrip(r.slice(1, -1).join("\n"));
  const noStar = (s: string) => s.replaceAll("*", "");
  return [
    response,
    noStar(response),
    removeFirst,
    removeLast,
    removeBoth,
    noStar(removeFirst),
    noStar(removeLast),
    noStar(removeBoth),
  ];
}

/** `test_instruction_following_loose`. */
export function evaluateLoose(input: IfevalInput, response: string): IfevalOutput {
  return output(input, response, check(input, looseVariants(response)));
}

function output(input: IfevalInput, response: string, list: boolean[]): IfevalOutput {
  return {
    follow_all_instructions: list.every(Boolean),
    follow_instruction_list: list,
    instruction_id_list: input.instruction_id_list,
    prompt: input.prompt,
    response,
  };
}

function metricsOf(outputs: IfevalOutput[]): { prompt: number; inst: number } {
  let prompts = 0;
  let instTotal = 0;
  let instOk = 0;
  for (const o of outputs) {
    if (o.follow_all_instructions) prompts++;
    instTotal += o.follow_instruction_list.length;
    for (const f of o.follow_instruction_list) if (f) instOk++;
  }
  return { prompt: prompts / Math.max(outputs.length, 1), inst: instOk / Math.max(instTotal, 1) };
}

/** Score every input against the response for its prompt (looked up by prompt text, as the official code does). */
export function evaluateIfeval(inputs: IfevalInput[], promptToResponse: Map<string, string>): IfevalResult {
  const strict: IfevalOutput[] = [];
  const loose: IfevalOutput[] = [];
  for (const input of inputs) {
    const response = promptToResponse.get(input.prompt);
    if (response === undefined) {
      throw new CftkitError(
        "IFEVAL_MISSING_RESPONSE",
        `no response for prompt (key ${input.key ?? "?"}): ${input.prompt.slice(0, 80)}`,
      );
    }
    strict.push(evaluateStrict(input, response));
    loose.push(evaluateLoose(input, response));
  }
  const s = metricsOf(strict);
  const l = metricsOf(loose);
  return {
    metrics: {
      prompt_level_strict_acc: s.prompt,
      inst_level_strict_acc: s.inst,
      prompt_level_loose_acc: l.prompt,
      inst_level_loose_acc: l.inst,
    },
    strict,
    loose,
  };
}

/** Python `json.dumps(obj)` (ensure_ascii, ", " and ": " separators) for the output rows. */
export function pythonJsonDumps(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return JSON.stringify(value);
  if (typeof value === "string") {
    return JSON.stringify(value).replace(
      /[\u0080-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
  }
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(", ")}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([k, v]) => `${pythonJsonDumps(k)}: ${pythonJsonDumps(v)}`).join(", ")}}`;
}
