import { join } from "node:path";
import { CftkitError, writeFileAtomic } from "@cftkit/core";
import {
  DEFAULT_DIFF_TYPES,
  DEFAULT_SPECTRUM_TYPES,
  finiteForJson,
  INFINITY_ENCODING,
  layerDiff,
  parseTypes,
  randomLayers,
  requireSpectrumMode,
  SPECTRUM_MODES,
  spectrum,
} from "@cftkit/freeze";
import type { Command } from "commander";
import {
  type CommonOptions,
  formatTable,
  log,
  parseNumberOption,
  printHuman,
  printJson,
  progress,
} from "../cli-output.js";
import type { CommandModule } from "../command-module.js";

interface SpectrumCliOptions extends CommonOptions {
  topPercent?: string;
  out?: string;
  mode?: string;
  types?: string;
  cache?: string;
  modelName?: string;
  threads?: string;
  legacyInfinity?: boolean;
}

interface DiffCliOptions extends CommonOptions {
  topK?: string;
  types?: string;
  out?: string;
}

interface RandomCliOptions extends CommonOptions {
  k?: string;
  seed?: string;
  out?: string;
}

function finiteRecord(values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, finiteForJson(v)]));
}

async function writeSelection(
  out: string | undefined,
  fileBase: string,
  yaml: string,
  json: unknown,
): Promise<Record<string, string>> {
  if (!out) return {};
  const yamlPath = join(out, `${fileBase}.yaml`);
  const jsonPath = join(out, `${fileBase}.json`);
  await writeFileAtomic(yamlPath, yaml);
  await writeFileAtomic(jsonPath, `${JSON.stringify(json, null, 2)}\n`);
  return { yaml: yamlPath, json: jsonPath };
}

/** `cftkit freeze spectrum|diff|random`: layer selection for the layer-freezing mitigations (Axolotl-ready output). */
export const freezeCommand: CommandModule = {
  register(program: Command) {
    const freeze = program
      .command("freeze")
      .description("choose layers to freeze or train (Spectrum SNR, LF_H2 weight change, LF_H1 random)");

    freeze
      .command("spectrum")
      .description(
        "Spectrum SNR of every projection, per-type top-percent selection, Axolotl unfrozen_parameters",
      )
      .argument("<model-dir>", "safetensors file or Hugging Face model folder")
      .requiredOption("--top-percent <P>", "percent of modules per type to select (Spectrum's floor rule)")
      .option(
        "--mode <mode>",
        `required, no default — ${Object.entries(SPECTRUM_MODES)
          .map(([m, what]) => `${m}: ${what}`)
          .join("; ")}`,
      )
      .option(
        "--types <list>",
        `module types, comma-separated; shorthands q,k,v,o,gate,up,down (default: ${DEFAULT_SPECTRUM_TYPES.join(",")})`,
      )
      .option(
        "--out <dir>",
        "write snr_results_<slug>.json and unfrozen_parameters_<P>percent.yaml there (and the SNR cache)",
      )
      .option("--cache <file>", "per-tensor SNR cache (JSONL; default <out>/.spectrum-cache.jsonl)")
      .option("--model-name <name>", "model name for the results file's slug (default: the folder name)")
      .option("--threads <n>", "worker threads for the SVDs (default: all cores)")
      .option(
        "--legacy-infinity",
        "old Spectrum rule: no singular value at or below the threshold gives Infinity (not signal/1)",
      )
      .option("--json", "print one JSON document")
      .option("--quiet", "no logs on stderr")
      .action(async (modelDir: string, options: SpectrumCliOptions) => {
        const topPercent = parseNumberOption("--top-percent", options.topPercent);
        if (topPercent < 0 || topPercent > 100)
          throw new CftkitError("CLI_BAD_NUMBER", `--top-percent must be in 0..100, got ${topPercent}`);
        const mode = requireSpectrumMode(options.mode, "--mode");
        const threads =
          options.threads !== undefined ? parseNumberOption("--threads", options.threads) : undefined;
        const started = Date.now();
        const result = await spectrum(modelDir, {
          topPercent,
          mode,
          types: parseTypes(options.types, DEFAULT_SPECTRUM_TYPES),
          out: options.out,
          cachePath: options.cache,
          modelName: options.modelName,
          noiseEmpty: options.legacyInfinity ? "infinity" : "one",
          threads,
          progress: progress(options),
        });
        const cached = result.modules.filter((m) => m.cached).length;
        log(
          options,
          `scanned ${result.modules.length} modules (${cached} from cache) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
        if (options.json) {
          printJson({
            snr: finiteRecord(result.snr),
            unfrozen_parameters: result.unfrozen_parameters,
            mode: result.mode,
            top_percent: topPercent,
            selected: result.selected,
            frozen: result.frozen,
            types: result.types,
            files: result.files,
            infinity_encoding: INFINITY_ENCODING,
          });
          return;
        }
        const rows = result.modules.map((m) => [
          m.module,
          m.type,
          `${m.rows}×${m.cols}`,
          result.snr[m.module].toPrecision(6),
          result.selected[m.type]?.includes(m.module) ? "top" : "",
        ]);
        printHuman(options, formatTable(["module", "type", "shape", "snr", ""], rows));
        printHuman(options, `\n${result.yaml}`);
        if (result.files.yaml)
          printHuman(options, `wrote ${result.files.snrResults} and ${result.files.yaml}`);
      });

    freeze
      .command("diff")
      .description(
        "LF_H2: freeze the top-K most-changed modules per type between a base and a tuned checkpoint",
      )
      .argument("<base-dir>", "base model (safetensors file or folder)")
      .argument("<tuned-dir>", "phase-1 model of the same architecture")
      .requiredOption("--top-k <K>", "modules to freeze per type")
      .option(
        "--types <list>",
        `module types (default: ${DEFAULT_DIFF_TYPES.join(",")}); shorthands q,k,v,o,gate,up,down`,
      )
      .option("--out <dir>", "write unfrozen_parameters_lf_h2.yaml and .json there")
      .option("--json", "print one JSON document")
      .option("--quiet", "no logs on stderr")
      .action(async (baseDir: string, tunedDir: string, options: DiffCliOptions) => {
        const topK = parseNumberOption("--top-k", options.topK);
        const result = await layerDiff(baseDir, tunedDir, {
          topK,
          types: parseTypes(options.types, DEFAULT_DIFF_TYPES),
          progress: progress(options),
        });
        const doc = {
          scores: result.scores,
          relative_change: finiteRecord(result.relative_change),
          frozen: result.frozen,
          unfrozen_parameters: result.unfrozen_parameters,
          types: result.types,
          top_k: topK,
        };
        const files = await writeSelection(options.out, "unfrozen_parameters_lf_h2", result.yaml, doc);
        if (options.json) {
          printJson({ ...doc, files });
          return;
        }
        const rows = Object.entries(result.scores).map(([m, s]) => [
          m,
          s.toPrecision(6),
          result.relative_change[m].toPrecision(4),
          result.frozen.includes(m) ? "frozen" : "",
        ]);
        printHuman(options, formatTable(["module", "||ΔW||_F", "relative", ""], rows));
        printHuman(options, `\n${result.yaml}`);
      });

    freeze
      .command("random")
      .description("LF_H1: freeze K decoder layers drawn at random (seeded)")
      .argument("<model-dir>", "safetensors file or folder")
      .requiredOption("--k <K>", "number of decoder layers to freeze")
      .requiredOption("--seed <S>", "random seed (recorded in the output)")
      .option("--out <dir>", "write unfrozen_parameters_lf_h1.yaml and .json there")
      .option("--json", "print one JSON document")
      .option("--quiet", "no logs on stderr")
      .action(async (modelDir: string, options: RandomCliOptions) => {
        const k = parseNumberOption("--k", options.k);
        const seed = parseNumberOption("--seed", options.seed);
        const result = await randomLayers(modelDir, { k, seed });
        const doc = {
          scores: result.scores,
          frozen: result.frozen,
          unfrozen_parameters: result.unfrozen_parameters,
          layers: result.layers,
          k,
          seed,
        };
        const files = await writeSelection(options.out, "unfrozen_parameters_lf_h1", result.yaml, doc);
        if (options.json) {
          printJson({ ...doc, files });
          return;
        }
        printHuman(options, `frozen layers (seed ${seed}): ${result.layers.join(", ")}\n\n${result.yaml}`);
      });
  },
};
