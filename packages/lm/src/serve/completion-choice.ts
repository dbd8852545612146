import type { CausalLM, GenerateResult } from "../causal-lm.js";
import type { Tokenizer } from "../tokenizer.js";
import { HttpError, type CompletionRequest } from "./openai-requests.js";
import { addedPrefixLength, codePointLength, tokenPieces } from "./token-pieces.js";

/** The OpenAI legacy-completions `logprobs` block. */
export interface CompletionLogprobsBlock {
  tokens: string[];
  token_logprobs: (number | null)[];
  top_logprobs: (Record<string, number> | null)[] | null;
  text_offset: number[];
}

export interface CompletionChoice {
  text: string;
  logprobs: CompletionLogprobsBlock | null;
  finishReason: "stop" | "length";
  promptTokens: number;
  completionTokens: number;
}

/** Completions' default `max_tokens` (OpenAI's and vLLM's). */
const DEFAULT_COMPLETION_TOKENS = 16;

/** Reject a request that does not fit the model's context, as vLLM does (HTTP 400). */
export function checkContext(model: CausalLM, promptTokens: number, maxTokens: number): void {
  const limit = model.config.maxPositionEmbeddings;
  if (promptTokens + maxTokens > limit)
    throw new HttpError(
      400,
      `This model's maximum context length is ${limit} tokens. However, you requested ${promptTokens + maxTokens} tokens (${promptTokens} in the messages, ${maxTokens} in the completion).`,
    );
}

/** Generated ids without the end-of-sequence token, and without tokens past a stop string's cut. */
function keptGeneratedIds(model: CausalLM, tok: Tokenizer, gen: GenerateResult): number[] {
  let ids = gen.tokenIds;
  const last = ids.at(-1);
  if (gen.finishReason === "stop" && last !== undefined && model.stopTokenIds().has(last))
    ids = ids.slice(0, -1);
  const length = codePointLength(gen.text);
  if (length >= codePointLength(tok.decode(ids, { skipSpecialTokens: true }))) return ids;
  const { offsets } = tokenPieces(tok, ids, { skipSpecialTokens: true });
  let keep = 0;
  while (keep < ids.length && offsets[keep]! < length) keep++;
  return ids.slice(0, keep);
}

/** Indices of the k largest values (ties: lower index first). */
function topIndices(values: Float32Array, k: number): number[] {
  const best: number[] = [];
  for (let j = 0; j < values.length; j++) {
    if (best.length === k && values[j]! <= values[best[k - 1]!]!) continue;
    let at = best.length;
    while (at > 0 && values[best[at - 1]!]! < values[j]!) at--;
    best.splice(at, 0, j);
    if (best.length > k) best.pop();
  }
  return best;
}

/** Top log-probabilities keyed by token text; tokens with the same text keep the best value. */
function topByPiece(top: Map<number, number>, pieceOf: (id: number) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [id, value] of top) {
    const key = pieceOf(id);
    if (!(key in out)) out[key] = value;
  }
  return out;
}

/** Log-probability of every token given the ones before it (position 0: null), and the top-k per position. */
async function scoreSequence(
  model: CausalLM,
  ids: number[],
  topK: number,
): Promise<{ logprobs: (number | null)[]; top: (Map<number, number> | null)[] }> {
  const { logits } = await model.forward([ids]);
  const row = logits[0]!;
  const V = model.config.vocabSize;
  const logprobs: (number | null)[] = [null];
  const top: (Map<number, number> | null)[] = [null];
  for (let p = 1; p < ids.length; p++) {
    const z = row.subarray((p - 1) * V, p * V);
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < V; j++) if (z[j]! > max) max = z[j]!;
    let sum = 0;
    for (let j = 0; j < V; j++) sum += Math.exp(z[j]! - max);
    const lse = max + Math.log(sum);
    logprobs.push(z[ids[p]!]! - lse);
    if (topK > 0) {
      const best = topIndices(z, topK);
      top.push(new Map(best.map((j) => [j, z[j]! - lse])));
    } else top.push(null);
  }
  return { logprobs, top };
}

/**
 * One `/v1/completions` choice: the prompt is tokenized as the model's tokenizer does (BOS included), the
 * continuation generated (none for `max_tokens: 0`), and, with `logprobs`, every returned token scored by one
 * forward pass over prompt + continuation — the same log-softmax of the same logits `CausalLM.forward` gives.
 */
export async function completionChoice(
  model: CausalLM,
  tok: Tokenizer,
  prompt: string,
  request: CompletionRequest,
  signal: AbortSignal,
): Promise<CompletionChoice> {
  const promptIds = tok.encode(prompt, { addSpecialTokens: true });
  const maxTokens = request.maxTokens ?? DEFAULT_COMPLETION_TOKENS;
  checkContext(model, promptIds.length, maxTokens);
  let generated: number[] = [];
  let text = "";
  let finishReason: "stop" | "length" = "length";
  if (maxTokens > 0) {
    const [gen] = await model.generate([prompt], {
      chatTemplate: false,
      maxNewTokens: maxTokens,
      temperature: request.temperature,
      topP: request.topP,
      seed: request.seed,
      stop: request.stop,
      batchSize: 1,
      signal,
    });
    text = gen!.text;
    finishReason = gen!.finishReason;
    generated = keptGeneratedIds(model, tok, gen!);
  }
  const choice: CompletionChoice = {
    text: request.echo ? prompt + text : text,
    logprobs: null,
    finishReason,
    promptTokens: promptIds.length,
    completionTokens: generated.length,
  };
  if (request.logprobs === null) return choice;
  const all = [...promptIds, ...generated];
  const scored = await scoreSequence(model, all, request.logprobs);
  const added = addedPrefixLength(promptIds, tok.encode(prompt, { addSpecialTokens: false }));
  const promptPart = tokenPieces(tok, promptIds.slice(added), { skipSpecialTokens: false });
  const genPart = tokenPieces(tok, generated, {
    skipSpecialTokens: true,
    startOffset: request.echo ? codePointLength(prompt) : 0,
  });
  const pieces = [...new Array<string>(added).fill(""), ...promptPart.pieces, ...genPart.pieces];
  const offsets = [...new Array<number>(added).fill(0), ...promptPart.offsets, ...genPart.offsets];
  const from = request.echo ? 0 : promptIds.length;
  const pieceOf = (id: number) => tok.decode([id], { skipSpecialTokens: false });
  choice.logprobs = {
    tokens: pieces.slice(from),
    token_logprobs: scored.logprobs.slice(from),
    top_logprobs:
      request.logprobs > 0 ? scored.top.slice(from).map((m) => (m ? topByPiece(m, pieceOf) : null)) : null,
    text_offset: offsets.slice(from),
  };
  return choice;
}
