import { CftkitError, writeFileAtomic } from "@cftkit/core";
import type { EmbeddingText, TextEncoder } from "@cftkit/similarity";
import type { Command } from "commander";
import {
  type CommonOptions,
  formatTable,
  parseNumberOption,
  printHuman,
  printJson,
  progress,
} from "../cli-output.js";
import type { CommandModule } from "../command-module.js";

interface DesCliOptions extends CommonOptions {
  model?: string;
  encoder: "sentence" | "lm";
  offline?: boolean;
  samples?: string;
  seed?: string;
  text: EmbeddingText;
  cache?: string;
}

// Heavy packages (transformers.js, vega, tfjs) load inside the actions so `cftkit --help` and the other
// commands start fast.
const similarityApi = () => import("@cftkit/similarity");

async function encoderFor(options: DesCliOptions): Promise<TextEncoder> {
  const { CachedEncoder, CausalLmEncoder, DEFAULT_SENTENCE_MODEL, SentenceTransformerEncoder } =
    await similarityApi();
  const inner =
    options.encoder === "lm"
      ? await CausalLmEncoder.load(options.model ?? ".")
      : await SentenceTransformerEncoder.load({
          model: options.model ?? DEFAULT_SENTENCE_MODEL,
          offline: options.offline,
        });
  return options.cache ? new CachedEncoder(inner, options.cache) : inner;
}

const MPD_DEFINITION =
  "MPD (paper Definition 2): mean over parameter tensors of ‖w(reference) − w(model)‖₂, normalised by the largest of the models compared (Table 4)";

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

/** `cftkit similarity des|mpd|drift`: the paper's forgetting predictors and explanation. */
export const similarityCommand: CommandModule = {
  register(program: Command) {
    const similarity = program.command("similarity").description("DES, MPD and representation drift");

    similarity
      .command("des")
      .description("dataset embedding similarity of two (or more) instruction data sets (paper Definition 1)")
      .argument("<data...>", "two or more data files or folders (any format `cftkit data` reads)")
      .option(
        "--model <id-or-dir>",
        `sentence encoder id or local folder (default Xenova/LaBSE); with --encoder lm, a causal-LM folder`,
      )
      .option(
        "--encoder <kind>",
        "sentence (transformers.js feature extraction) | lm (mean-pooled last hidden state of a causal LM)",
        "sentence",
      )
      .option("--offline", "never use the network; the model must be a local folder or already cached")
      .option("--samples <n>", "random records per set (paper: 500)", "500")
      .option("--seed <s>", "sampling seed", "0")
      .option("--text <part>", "instruction | instruction+input | instruction+input+output", "instruction")
      .option("--cache <file>", "embedding cache (JSONL) so re-runs are instant")
      .option("--json", "print one JSON document")
      .option("--quiet", "no progress on stderr")
      .action(async (paths: string[], options: DesCliOptions) => {
        const { des, desMatrix } = await similarityApi();
        const { loadDataset } = await import("@cftkit/datasets");
        if (paths.length < 2)
          throw new CftkitError("CLI_MISSING_ARGUMENT", "des needs at least two data sets");
        const sets = await Promise.all(paths.map(async (p) => ({ name: p, records: await loadDataset(p) })));
        const encoder = await encoderFor(options);
        const common = {
          encoder,
          samples: parseNumberOption("--samples", options.samples),
          seed: parseNumberOption("--seed", options.seed),
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
      });

    similarity
      .command("mpd")
      .description(
        "model parameter difference (paper Definition 2): mean over parameter tensors of ‖w(reference) − w(model)‖₂ for each model, each divided by the largest (Table 4). The paper compares models fine-tuned from the same base on different datasets (reference: the MultiAlpaca-tuned model); given a base model as reference it measures fine-tuning weight change instead",
      )
      .option(
        "--reference <dir>",
        "Θ1: the model the others are compared with (e.g. the one fine-tuned on the Phase-2 data)",
      )
      .option("--base <dir>", "alias of --reference (the name of earlier versions)")
      .argument("<model-dir...>", "Θ2: models fine-tuned from the same base on other datasets")
      .option("--json", "print one JSON document")
      .option("--quiet", "no progress on stderr")
      .action(async (models: string[], options: CommonOptions & { reference?: string; base?: string }) => {
        const reference = mpdReference(options);
        const { compareModels } = await similarityApi();
        const results = await compareModels(reference, models, { progress: progress(options) });
        if (options.json)
          printJson({
            definition: MPD_DEFINITION,
            reference,
            base: reference, // the earlier name of the field; same value
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
      });

    similarity
      .command("drift")
      .description("representation drift per layer between two activation files (`cftkit lm hidden-states`)")
      .argument("<acts-a>", "activations of the earlier model (e.g. Phase 1)")
      .argument("<acts-b>", "activations of the later model (e.g. Phase 2)")
      .option("--chart <file.svg>", "also write an SVG line chart of the drift per layer")
      .option("--json", "print one JSON document")
      .action(async (a: string, b: string, options: CommonOptions & { chart?: string }) => {
        const { layerDriftFromFiles, lineChartSvg, modelDrift, readActivationFile } = await similarityApi();
        const layers = await layerDriftFromFiles(a, b);
        const [fa, fb] = await Promise.all([readActivationFile(a), readActivationFile(b)]);
        const perModel = modelDrift(fa.layers, fb.layers);
        if (options.chart) {
          await writeFileAtomic(
            options.chart,
            await lineChartSvg(
              [{ name: `${b} vs ${a}`, points: layers.map((l) => ({ x: l.layer, y: l.spectral })) }],
              {
                title: "Representation drift per layer",
                xLabel: "layer",
                yLabel: "‖Σ_b − Σ_a‖₂",
                integerX: true,
              },
            ),
          );
        }
        if (options.json) printJson({ layers, model_level: perModel });
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
      });
  },
};
