import { desFileOptionsSchema } from "@cftkit/runner/des-file-options";
import { driftOptionsSchema, mpdOptionsSchema, mpdReference } from "@cftkit/similarity/similarity-options";
import { z } from "zod";
import { printResult, progress } from "../cli-output.js";
import { optionsFrom } from "../schema-options.js";
import { defineCommand, param, text, pathParam } from "../define-command.js";

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
  options: optionsFrom(mpdOptionsSchema, { reference: "dir", base: "dir" }),
  async run(options) {
    const { mpdReport, describeMpdReport } = await similarityApi();
    const report = await mpdReport(mpdReference(options), options.models, {
      progress: progress(options),
    });
    printResult(options, report, () => describeMpdReport(report));
  },
});

const drift = defineCommand({
  path: ["similarity", "drift"],
  description: "representation drift per layer between two activation files (`cftkit lm hidden-states`)",
  examples: ["cftkit similarity drift phase1.safetensors phase2.safetensors --chart drift.svg"],
  args: {
    a: pathParam("<acts-a>", "activations of the earlier model (e.g. Phase 1)", "input"),
    b: pathParam("<acts-b>", "activations of the later model (e.g. Phase 2)", "input"),
  },
  options: optionsFrom(driftOptionsSchema, { chart: "file.svg" }),
  async run(options) {
    const { driftReport, describeDriftReport } = await similarityApi();
    const report = await driftReport(options.a, options.b, { chart: options.chart });
    printResult(options, report, () => describeDriftReport(report));
  },
});

/** `cftkit similarity des|mpd|drift`: the paper's forgetting predictors and explanation. */
export const similarityCommands = [des, mpd, drift];
