import type { ChatMessage } from "@cftkit/core";
import type { CausalLM } from "@cftkit/lm";

/** A generation request: a chat prompt (the model's chat template is applied) or raw text. */
export interface GenerationRequest {
  prompt: ChatMessage[] | string;
  maxNewTokens: number;
  stop?: string[];
}

/** Log-likelihood of `continuation` after `context` (a chat prompt is rendered with its template first). */
export interface LikelihoodRequest {
  context: ChatMessage[] | string;
  continuation: string;
}

export interface LikelihoodResult {
  logprob: number;
  tokenCount: number;
  isGreedy: boolean;
}

/**
 * What a task needs from a model. Implemented by the embedded @cftkit/lm model and by OpenAI-compatible
 * servers, so every task runs against either.
 */
export interface EvalModel {
  readonly id: string;
  generate(requests: GenerationRequest[]): Promise<string[]>;
  logLikelihood(requests: LikelihoodRequest[]): Promise<LikelihoodResult[]>;
}

/** The embedded model as an {@link EvalModel}: greedy generation, batched scoring. */
export class EmbeddedEvalModel implements EvalModel {
  constructor(
    private readonly model: CausalLM,
    readonly id: string,
    private readonly batchSize = 8,
  ) {}

  private render(prompt: ChatMessage[] | string): string {
    if (typeof prompt === "string") return prompt;
    const tokenizer = this.model.tokenizer;
    if (!tokenizer) throw new Error(`${this.id}: the model has no tokenizer`);
    return tokenizer.applyChatTemplate(prompt, { addGenerationPrompt: true });
  }

  async generate(requests: GenerationRequest[]): Promise<string[]> {
    const out: string[] = [];
    // Requests with the same limits go together so batches share one generate call.
    const byLimits = new Map<string, number[]>();
    requests.forEach((r, i) => {
      const key = JSON.stringify([r.maxNewTokens, r.stop ?? []]);
      byLimits.set(key, [...(byLimits.get(key) ?? []), i]);
    });
    for (const indexes of byLimits.values()) {
      const first = requests[indexes[0]!]!;
      // Chat prompts go as messages: the model applies its template and adds no special tokens of its own,
      // as a chat server (and transformers' apply_chat_template) does; a template holding {{ bos_token }}
      // would otherwise start with two BOS tokens.
      const results = await this.model.generate(
        indexes.map((i) => requests[i]!.prompt),
        {
          maxNewTokens: first.maxNewTokens,
          stop: first.stop,
          temperature: 0,
          batchSize: this.batchSize,
        },
      );
      indexes.forEach((i, k) => {
        out[i] = results[k]!.text;
      });
    }
    return out;
  }

  async logLikelihood(requests: LikelihoodRequest[]): Promise<LikelihoodResult[]> {
    return this.model.logLikelihood(
      requests.map((r) => ({ context: this.render(r.context), continuation: r.continuation })),
      { batchSize: this.batchSize },
    );
  }
}
