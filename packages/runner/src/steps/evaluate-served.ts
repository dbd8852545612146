import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { CftkitError } from "@cftkit/core";
import type { ChatRenderer, EvalModel, GenerationRequest, LikelihoodRequest } from "@cftkit/evaluation";
import type { RunContext } from "../run-context.js";

/**
 * Several servers of one model as one {@link EvalModel}: each batch of requests is dealt out round-robin
 * (every server keeps its own concurrency) and the answers come back in request order.
 */
class SharedEvalModel implements EvalModel {
  constructor(
    readonly id: string,
    private readonly models: EvalModel[],
  ) {}

  private async deal<Q, A>(requests: Q[], ask: (m: EvalModel, part: Q[]) => Promise<A[]>): Promise<A[]> {
    const out: A[] = new Array(requests.length);
    await Promise.all(
      this.models.map(async (model, m) => {
        const indexes = requests.map((_, i) => i).filter((i) => i % this.models.length === m);
        if (indexes.length === 0) return;
        const answers = await ask(
          model,
          indexes.map((i) => requests[i]!),
        );
        indexes.forEach((i, k) => {
          out[i] = answers[k]!;
        });
      }),
    );
    return out;
  }

  generate(requests: GenerationRequest[]) {
    return this.deal(requests, (m, part) => m.generate(part));
  }

  logLikelihood(requests: LikelihoodRequest[]) {
    return this.deal(requests, (m, part) => m.logLikelihood(part));
  }
}

/**
 * How the server turns chat prompts into the text it scores: the model folder's own chat template when the
 * folder holds a tokenizer (as the embedded evaluation renders them), ChatML otherwise.
 */
async function chatTemplateOf(modelDir: string): Promise<ChatRenderer | undefined> {
  const { hasTokenizer, loadTokenizer } = await import("@cftkit/lm");
  if (!(await hasTokenizer(modelDir))) return undefined;
  const tokenizer = await loadTokenizer(modelDir);
  return (messages) => tokenizer.applyChatTemplate(messages, { addGenerationPrompt: true });
}

/**
 * A running server serves one model: with `generation.server(s)` only a run with one model to evaluate can
 * evaluate through it (use `generation.launch` to start one per model).
 */
export function checkServedModelCount(ctx: RunContext, models: number): void {
  const generation = ctx.experiment.generation;
  if (!generation?.evaluate || generation.launch || models <= 1) return;
  throw new CftkitError(
    "RUN_EVAL_SERVER_ONE_MODEL",
    `generation.evaluate with generation.${generation.server ? "server" : "servers"}: a running server serves one model, but this run evaluates ${models}; use generation.launch (a server started per model)`,
  );
}

/**
 * Run `use` with the model of `modelDir` behind the experiment's OpenAI-compatible server(s): launched for
 * it from `generation.launch` (and stopped afterwards, also on failure and Ctrl-C) or the running ones.
 * Every answer goes to `<dir>/responses.jsonl`, so an interrupted evaluation asks nothing twice; the
 * launched server's output goes to `<dir>/server.log`.
 */
export async function withServedEvalModel<T>(
  ctx: RunContext,
  modelDir: string,
  id: string,
  dir: string,
  use: (model: EvalModel) => Promise<T>,
): Promise<T> {
  const generation = ctx.experiment.generation;
  if (!generation)
    throw new CftkitError("GENERATION_CONFIG_INVALID", "served evaluation needs a generation: section");
  const { withGenerationServers } = await import("@cftkit/replay");
  const { OpenAIEvalModel, ResponseCache } = await import("@cftkit/evaluation");
  const chatTemplate = await chatTemplateOf(modelDir);
  const cache = new ResponseCache(join(dir, "responses.jsonl"));
  const serverLog = createWriteStream(join(dir, "server.log"), { flags: "a" });
  try {
    return await withGenerationServers(
      generation,
      modelDir,
      async (session) => {
        const models = session.clients.map(
          (client) =>
            new OpenAIEvalModel({
              baseUrl: client.baseUrl,
              model: session.modelId,
              id,
              client,
              cache,
              chatTemplate,
            }),
        );
        const model = models.length === 1 ? models[0]! : new SharedEvalModel(id, models);
        try {
          return await use(model);
        } finally {
          // Answers still in flight when a task failed are kept for the rerun.
          await Promise.all(models.map((m) => m.settle()));
        }
      },
      { onOutput: (text) => serverLog.write(text) },
    );
  } finally {
    await new Promise((done) => serverLog.end(done));
  }
}
