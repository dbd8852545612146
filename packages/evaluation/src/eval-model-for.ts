import { CftkitError, OpenAICompatibleClient } from "@cftkit/core";
import type { LmEvalModel } from "./lm-eval-bridge.js";
import { EmbeddedEvalModel, type EvalModel } from "./tasks/eval-model.js";
import { OpenAIEvalModel } from "./tasks/openai-eval-model.js";

/** Whether a `--model` value names a server (an http(s) URL) rather than a model folder. */
export const isServerUrl = (model: string) => /^https?:\/\//.test(model);

/** `http://host:8000` → `http://host:8000/v1`; URLs with a path are kept. */
export function apiBase(url: string): string {
  const u = new URL(url);
  if (u.pathname === "/" || u.pathname === "") u.pathname = "/v1";
  return u.toString().replace(/\/+$/, "");
}

/** The first model a server lists at GET /models (what it serves when it serves one). */
export async function serverModelName(baseUrl: string, apiKey: string | undefined): Promise<string> {
  const ids = await new OpenAICompatibleClient({ baseUrl, model: "?", apiKey, maxRetries: 2 }).models();
  if (ids.length === 0)
    throw new CftkitError("EVAL_NO_MODEL_NAME", `${baseUrl}/models lists no model: pass --model-name`);
  return ids[0]!;
}

export interface EvalModelSpec {
  /** A Hugging Face model folder (the embedded model) or a server URL. */
  model: string;
  /** Server: the model field (default: the first of GET /models). Both: the name in results. */
  modelName?: string;
  apiKey?: string;
  concurrency?: number;
  timeoutMs?: number;
  /** Server: the responses cache (JSONL), so a rerun asks only what is missing. */
  cache?: string;
}

/** The model `runEvaluation` asks, and how to let it go (the embedded model holds its weights). */
export async function openEvalModel(spec: EvalModelSpec): Promise<{ model: EvalModel; dispose(): void }> {
  if (isServerUrl(spec.model)) {
    const baseUrl = apiBase(spec.model);
    const model = new OpenAIEvalModel({
      baseUrl,
      model: spec.modelName ?? (await serverModelName(baseUrl, spec.apiKey)),
      apiKey: spec.apiKey,
      concurrency: spec.concurrency,
      timeoutMs: spec.timeoutMs,
      cache: spec.cache,
    });
    return { model, dispose: () => {} };
  }
  const { CausalLM } = await import("@cftkit/lm");
  const lm = await CausalLM.load(spec.model);
  return { model: new EmbeddedEvalModel(lm, spec.modelName ?? spec.model), dispose: () => lm.dispose() };
}

/** What lm-evaluation-harness runs: a model folder through `hf`, a server through `local-completions`. */
export async function lmEvalModelFor(
  model: string,
  options: { modelName?: string; dtype?: string; apiKey?: string } = {},
): Promise<LmEvalModel> {
  if (!isServerUrl(model)) return { kind: "hf", dir: model, dtype: options.dtype };
  const baseUrl = apiBase(model);
  const name = options.modelName ?? (await serverModelName(baseUrl, options.apiKey));
  return { kind: "local-completions", baseUrl: `${baseUrl}/completions`, model: name };
}
