import { CftkitError } from "@cftkit/core";
import type { TextEncoder } from "@cftkit/similarity";
import { z } from "zod";
import { formatTable, printHuman, printJson, progress } from "../cli-output.js";
import { count, defineCommand, flag, param, text, pathParam, optionalPath } from "../define-command.js";

// Heavy packages (transformers.js, vega, tfjs) load inside the actions so `cftkit --help` and the other
// commands start fast.
const similarityApi = () => import("@cftkit/similarity");

interface EncoderChoice {
  model?: string;
  encoder: "sentence" | "lm";
  offline: boolean;
  cache?: string;
}

async function encoderFor(options: EncoderChoice): Promise<TextEncoder> {
  const { CachedEncoder, DEFAULT_SENTENCE_MODEL, SentenceTransformerEncoder } = await similarityApi();
  const inner =
    options.encoder === "lm"
      ? await (await import("@cftkit/runner")).CausalLmEncoder.load(options.model ?? ".")
      : await SentenceTransformerEncoder.load({
          model: options.model ?? DEFAULT_SENTENCE_MODEL,
          offline: options.offline,
        });
  return options.cache ? new CachedEncoder(inner, options.cache) : inner;
}

const des = defineCommand({
  path: ["similarity", "des"],
  description: "dataset embedding similarity of two (or more) instruction data sets (paper Definition 1)",
  examples: ["cftkit similarity des data/alpaca/alpaca_5000.json data/xquad --samples 200"],
  args: {
    data: param(
      "<data...>",
      "two or more data files or folders (any format `cftkit data` reads)",
      z.array(text()).min(2),
      {
        path: "input",
      },
    ),
  },
  options: {
    model: param(
      "--model <id-or-dir>",
      "sentence encoder id or local folder (default Xenova/LaBSE); with --encoder lm, a causal-LM folder",
      text().optional(),
    ),
    encoder: param(
      "--encoder <kind>",
      "sentence (transformers.js feature extraction) | lm (mean-pooled last hidden state of a causal LM)",
      z.enum(["sentence", "lm"]).default("sentence"),
    ),
    offline: param(
      "--offline",
      "never use the network; the model must be a local folder or already cached",
      flag(),
    ),
    samples: param(
      "--samples <n>",
      "random records per set (paper: 500)",
      count(z.number().int().min(1)).default(500),
    ),
    seed: param("--seed <s>", "sampling seed", count().default(0)),
    text: param(
      "--text <part>",
      "which part of a record is embedded",
      z.enum(["instruction", "instruction+input", "instruction+input+output"]).default("instruction"),
    ),
    cache: param("--cache <file>", "embedding cache (JSONL) so re-runs are instant", text().optional()),
  },
  async run(options) {
    const { des, desMatrix } = await similarityApi();
    const { loadDataset } = await import("@cftkit/datasets");
    const sets = await Promise.all(
      options.data.map(async (p) => ({ name: p, records: await loadDataset(p) })),
    );
    const encoder = await encoderFor(options);
    const common = {
      encoder,
      samples: options.samples,
      seed: options.seed,
      text: options.text,
      progress: progress(options),
    };
    try {
      if (sets.length === 2) {
        const result = await des(sets[0]!.records, sets[1]!.records, common);
        if (options.json) printJson(result);
        else {
          printHuman(
            options,
            `DES = ${result.des.toFixed(4)} (${result.samples_a} vs ${result.samples_b} samples, ${result.model}, seed ${result.seed})`,
          );
          const langs = Object.entries(result.by_language);
          if (langs.length)
            printHuman(
              options,
              formatTable(
                ["language", "DES"],
                langs.map(([l, v]) => [l, v.toFixed(4)]),
              ),
            );
        }
      } else {
        const result = await desMatrix(sets, common);
        if (options.json) printJson(result);
        else
          printHuman(
            options,
            formatTable(
              ["", ...result.names],
              result.matrix.map((row, i) => [result.names[i]!, ...row.map((v) => v.toFixed(4))]),
            ),
          );
      }
    } finally {
      await encoder.dispose?.();
    }
  },
});

const MPD_DEFINITION =
  "MPD (paper Definition 2): mean over parameter tensors of ‖w(reference) − w(model)‖₂, normalised by the largest of the models compared (Table 4)";

const mpd = defineCommand({
  path: ["similarity", "mpd"],
  description:
    "model parameter difference (paper Definition 2): mean over parameter tensors of ‖w(reference) − w(model)‖₂ for each model, each divided by the largest (Table 4), streamed. The paper compares models fine-tuned from the same base on different datasets (reference: the MultiAlpaca-tuned model); with a base model as reference it measures fine-tuning weight change instead",
  examples: [
    "cftkit similarity mpd --reference runs/multialpaca/model runs/alpaca/model runs/instruct/model runs/openorca/model",
  ],
  args: {
    models: param(
      "<model-dir...>",
      "Θ2: models fine-tuned from the same base on other datasets",
      z.array(text()).min(1),
      { path: "model" },
    ),
  },
  options: {
    reference: optionalPath(
      "--reference <dir>",
      "Θ1: the model the others are compared with (e.g. the one fine-tuned on the Phase-2 data)",
      "model",
    ),
    base: optionalPath("--base <dir>", "alias of --reference (its name in earlier versions)", "model"),
  },
  async run(options) {
    const reference = mpdReference(options);
    const { compareModels } = await similarityApi();
    const results = await compareModels(reference, options.models, { progress: progress(options) });
    if (options.json)
      printJson({
        definition: MPD_DEFINITION,
        reference,
        base: reference, // the field's earlier name; same value
        models: results.map((r) => ({
          path: r.path,
          mpd: r.mpd,
          normalized: r.normalized,
          tensors: r.tensors,
        })),
      });
    else
      printHuman(
        options,
        `${MPD_DEFINITION}\nreference: ${reference}; models compared with it:\n${formatTable(
          ["model", "MPD", "normalised"],
          results.map((r) => [r.path, r.mpd.toPrecision(6), r.normalized.toFixed(3)]),
        )}`,
      );
  },
});

function mpdReference(options: { reference?: string; base?: string }): string {
  if (options.reference && options.base && options.reference !== options.base) {
    throw new CftkitError("CLI_BAD_OPTION", "--base is an alias of --reference: give one of them");
  }
  const reference = options.reference ?? options.base;
  if (!reference) {
    throw new CftkitError(
      "CLI_MISSING_OPTION",
      "--reference <dir> is required: the model the others are compared with (--base is an alias)",
    );
  }
  return reference;
}

const drift = defineCommand({
  path: ["similarity", "drift"],
  description: "representation drift per layer between two activation files (`cftkit lm hidden-states`)",
  examples: ["cftkit similarity drift phase1.safetensors phase2.safetensors --chart drift.svg"],
  args: {
    a: pathParam("<acts-a>", "activations of the earlier model (e.g. Phase 1)", "input"),
    b: pathParam("<acts-b>", "activations of the later model (e.g. Phase 2)", "input"),
  },
  options: {
    chart: optionalPath(
      "--chart <file.svg>",
      "also write an SVG line chart of the drift per layer",
      "output-file",
    ),
  },
  async run(options) {
    const { driftReport } = await similarityApi();
    const report = await driftReport(options.a, options.b, { chart: options.chart });
    const { layers, model_level: perModel } = report;
    if (options.json) printJson(report);
    else {
      printHuman(
        options,
        formatTable(
          ["layer", "spectral", "frobenius"],
          layers.map((l) => [l.layer, l.spectral.toPrecision(6), l.frobenius.toPrecision(6)]),
        ),
      );
      printHuman(
        options,
        `\nper-model (covariance across layers of mean activations): spectral ${perModel.spectral.toPrecision(6)}, frobenius ${perModel.frobenius.toPrecision(6)}`,
      );
    }
  },
});

/** `cftkit similarity des|mpd|drift`: the paper's forgetting predictors and explanation. */
export const similarityCommands = [des, mpd, drift];
