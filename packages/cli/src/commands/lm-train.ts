import { CftkitError, isCftkitError, readJsonLines } from "@cftkit/core";
import type { TrainingChatMessage, TrainingExample, TrainOptions } from "@cftkit/lm";
import type { Command } from "commander";
import {
  type CommonOptions,
  log,
  parseNumberOption,
  printHuman,
  printJson,
  progress,
} from "../cli-output.js";
import type { CommandModule } from "../command-module.js";

interface LmTrainOptions extends CommonOptions {
  data: string;
  validation?: string;
  out: string;
  lr?: string;
  epochs?: string;
  batch?: string;
  microBatch?: string;
  maxSteps?: string;
  warmup?: string;
  scheduler?: string;
  weightDecay?: string;
  maxGradNorm?: string;
  seqLen?: string;
  seed?: string;
  unfrozen?: string[];
  loraR?: string;
  loraAlpha?: string;
  loraDropout?: string;
  loraTargets?: string[];
  saveEvery?: string;
  evalEvery?: string;
  resume?: boolean;
}

const ROLE_ALIASES: Record<string, TrainingChatMessage["role"]> = {
  system: "system",
  user: "user",
  human: "user",
  assistant: "assistant",
  gpt: "assistant",
  model: "assistant",
};

/** One JSONL row → TrainingExample: `{id?, messages:[{role, content}]}` or ShareGPT-style `conversations:[{from, value}]`. */
function rowToExample(row: unknown, file: string, line: number): TrainingExample {
  const bad = (why: string) =>
    new CftkitError("LM_TRAIN_BAD_ROW", `${file}:${line}: ${why}`, { details: { file, line } });
  if (typeof row !== "object" || row === null) throw bad("expected a JSON object");
  const r = row as Record<string, unknown>;
  const list = r.messages ?? r.conversations;
  if (!Array.isArray(list) || list.length === 0)
    throw bad('expected a non-empty "messages" (or "conversations") array');
  const messages = list.map((m, i) => {
    const o = (m ?? {}) as Record<string, unknown>;
    const role = ROLE_ALIASES[String(o.role ?? o.from ?? "")];
    const content = o.content ?? o.value;
    if (!role) throw bad(`message ${i} has an unknown role ${JSON.stringify(o.role ?? o.from)}`);
    if (typeof content !== "string") throw bad(`message ${i} has no string "content"`);
    return { role, content };
  });
  return { ...(typeof r.id === "string" || typeof r.id === "number" ? { id: String(r.id) } : {}), messages };
}

async function readExamples(file: string): Promise<TrainingExample[]> {
  const out: TrainingExample[] = [];
  try {
    for await (const line of readJsonLines(file)) {
      if (!line.ok) {
        throw new CftkitError("LM_TRAIN_BAD_ROW", `${file}:${line.lineNumber}: ${line.reason}`, {
          details: { file, line: line.lineNumber },
        });
      }
      out.push(rowToExample(line.value, file, line.lineNumber));
    }
  } catch (error) {
    if (isCftkitError(error)) throw error;
    throw new CftkitError("LM_TRAIN_DATA_UNREADABLE", `cannot read ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (out.length === 0) throw new CftkitError("LM_NO_TRAINING_DATA", `${file} holds no rows`);
  return out;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function intOption(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const v = parseNumberOption(flag, raw);
  if (!Number.isInteger(v))
    throw new CftkitError("CLI_BAD_NUMBER", `${flag} expects an integer, got "${raw}"`);
  return v;
}

/** `cftkit lm train`: the embedded CPU trainer (full fine-tuning, unfrozen_parameters, LoRA). */
export const lmTrainCommand: CommandModule = {
  register(program: Command) {
    const lm =
      program.commands.find((c) => c.name() === "lm") ??
      program.command("lm").description("the embedded Llama-family language model");
    lm.command("train")
      .description(
        "fine-tune a model folder on chat examples (loss on assistant turns) with the embedded CPU trainer",
      )
      .argument(
        "<model-dir>",
        "Hugging Face model folder (config.json, safetensors, tokenizer with a chat template)",
      )
      .requiredOption(
        "--data <file>",
        "JSONL of TrainingExample rows ({id, messages:[{role, content}]}) or Axolotl chat rows",
      )
      .requiredOption("--out <dir>", "output folder: checkpoints, metrics.jsonl, the trained model")
      .option("--validation <file>", "held-out JSONL rows for eval_loss")
      .option("--lr <number>", "peak learning rate (paper default 1e-6; tiny models need ~3e-3)")
      .option("--epochs <number>", "epochs (default 4)")
      .option("--batch <n>", "global batch size (default 16)")
      .option(
        "--micro-batch <n>",
        "micro-batch size; gradient accumulation = batch / micro-batch (default 4)",
      )
      .option("--max-steps <n>", "stop after this many optimizer steps (overrides --epochs)")
      .option("--warmup <n>", "linear warmup steps (default 10)")
      .option("--scheduler <name>", "cosine | linear | constant (default cosine)")
      .option("--weight-decay <number>", "AdamW decoupled weight decay (default 0)")
      .option("--max-grad-norm <number>", "gradient clipping by global norm (default 1.0, 0 = off)")
      .option("--seq-len <n>", "truncate examples to this many tokens (default 2048)")
      .option("--seed <n>", "seed of data order, LoRA init and dropout (default 42)")
      .option(
        "--unfrozen <pattern>",
        "train only parameters matching this Axolotl unfrozen_parameters pattern (repeatable)",
        collect,
      )
      .option("--lora-r <n>", "train LoRA adapters of this rank instead of the full model")
      .option("--lora-alpha <number>", "LoRA alpha (default 2 × r)")
      .option("--lora-dropout <number>", "LoRA dropout (default 0.05)")
      .option(
        "--lora-targets <module>",
        "LoRA target module, e.g. q_proj (repeatable; default all-linear)",
        collect,
      )
      .option("--save-every <n>", "write a checkpoint every N steps (and at the end)")
      .option("--eval-every <n>", "compute eval_loss every N steps (needs --validation)")
      .option("--resume", "continue from the newest checkpoint in --out")
      .option("--json", "print one JSON document")
      .option("--quiet", "no logs on stderr")
      .action(async (modelDir: string, options: LmTrainOptions) => {
        const train = await readExamples(options.data);
        const validation = options.validation ? await readExamples(options.validation) : undefined;
        const num = (flag: string, raw: string | undefined) =>
          raw === undefined ? undefined : parseNumberOption(flag, raw);
        const scheduler = options.scheduler;
        if (scheduler !== undefined && !["cosine", "linear", "constant"].includes(scheduler)) {
          throw new CftkitError(
            "CLI_BAD_OPTION",
            `--scheduler must be cosine, linear or constant, got "${scheduler}"`,
          );
        }
        const loraR = intOption("--lora-r", options.loraR);
        const trainOptions: TrainOptions = {
          modelDir,
          outDir: options.out,
          train,
          ...(validation ? { validation } : {}),
          learningRate: num("--lr", options.lr),
          epochs: num("--epochs", options.epochs),
          globalBatchSize: intOption("--batch", options.batch),
          microBatchSize: intOption("--micro-batch", options.microBatch),
          maxSteps: intOption("--max-steps", options.maxSteps),
          warmupSteps: intOption("--warmup", options.warmup),
          lrScheduler: scheduler as TrainOptions["lrScheduler"],
          weightDecay: num("--weight-decay", options.weightDecay),
          maxGradNorm: num("--max-grad-norm", options.maxGradNorm),
          sequenceLength: intOption("--seq-len", options.seqLen),
          seed: intOption("--seed", options.seed),
          unfrozenParameters: options.unfrozen,
          saveEverySteps: intOption("--save-every", options.saveEvery),
          evalEverySteps: intOption("--eval-every", options.evalEvery),
          resume: options.resume === true,
          progress: progress(options),
        };
        if (loraR !== undefined) {
          trainOptions.lora = {
            r: loraR,
            alpha: num("--lora-alpha", options.loraAlpha) ?? 2 * loraR,
            dropout: num("--lora-dropout", options.loraDropout) ?? 0.05,
            targetModules: options.loraTargets ?? ["all-linear"],
          };
        }
        for (const key of Object.keys(trainOptions) as (keyof TrainOptions)[])
          if (trainOptions[key] === undefined) delete trainOptions[key];
        log(options, `training ${modelDir} on ${train.length} examples → ${options.out}`);
        const { trainCausalLM } = await import("@cftkit/lm");
        const result = await trainCausalLM(trainOptions);
        if (options.json) printJson(result);
        else {
          printHuman(
            options,
            [
              `steps: ${result.steps}${result.resumedFromStep ? ` (resumed from ${result.resumedFromStep})` : ""}`,
              `final loss: ${result.finalLoss.toFixed(4)}${result.evalLoss !== undefined ? `  eval loss: ${result.evalLoss.toFixed(4)}` : ""}`,
              `tokens/s: ${result.tokensPerSecond.toFixed(0)}`,
              `trainable parameters: ${result.trainableParameters} of ${result.totalParameters}`,
              `model: ${result.modelDir}${result.adapterDir ? `  adapter: ${result.adapterDir}` : ""}`,
              `metrics: ${result.metricsPath}`,
            ].join("\n"),
          );
        }
      });
  },
};
