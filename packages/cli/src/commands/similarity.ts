import { CftkitError } from "@cftkit/core";
import { desFileOptionsSchema } from "@cftkit/runner/des-file-options";
import { z } from "zod";
import { printResult, progress } from "../cli-output.js";
import { optionsFrom } from "../schema-options.js";
import { defineCommand, param, text, pathParam, optionalPath } from "../define-command.js";

// Heavy packages (transformers.js, vega, tfjs) load inside the actions so `cftkit --help` and the other
// commands start fast.
const similarityApi = () => import("@cftkit/similarity");

const des = defineCommand({
  path: ["similarity", "des"],
  description: "dataset embedding similarity of two (or more) instruction data sets (paper Definition 1)",
  examples: ["cftkit similarity des data/alpaca/alpaca_5000.json data/xquad --samples 200"],
  args: {
    data: param(
      "<data...>",
      "two or more data files or folders (any format `cftkit data` reads)",
      z.array(text()).min(2),
      { path: "input" },
    ),
  },
  options: optionsFrom(desFileOptionsSchema, {
    model: "id-or-dir",
    encoder: "kind",
    samples: "n",
    seed: "s",
    text: "part",
    cache: "file",
  }),
  async run(options) {
    const { desOfFiles, describeDesOfFiles } = await import("@cftkit/runner");
    const result = await desOfFiles(options.data, { ...options, progress: progress(options) });
    const json = "matrix" in result ? result.matrix : result.pair;
    printResult(options, json, () => describeDesOfFiles(result));
  },
});

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
    const { mpdReport, describeMpdReport } = await similarityApi();
    const report = await mpdReport(mpdReference(options), options.models, {
      progress: progress(options),
    });
    printResult(options, report, () => describeMpdReport(report));
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
    const { driftReport, describeDriftReport } = await similarityApi();
    const report = await driftReport(options.a, options.b, { chart: options.chart });
    printResult(options, report, () => describeDriftReport(report));
  },
});

/** `cftkit similarity des|mpd|drift`: the paper's forgetting predictors and explanation. */
export const similarityCommands = [des, mpd, drift];
