import { join } from "node:path";
import { CftkitError } from "@cftkit/core";
import {
  assertReplayFinished,
  describeEnglishReplay,
  describeGenerativeReplay,
  describeReplayMix,
  describeSelection,
  type EnglishReplayManifest,
  MIX_FORMAT_OF_LAYOUT,
  mixManifestPath,
  mixReplayFiles,
  qualityFiltersOf,
  type ReplayGeneratorSource,
  replayGenerationSchema,
  replayGeneratorFor,
  replayShortfall,
  replayInputsSchema,
  replayMixFilesSchema,
  runEnglishReplay,
  runGenerativeReplayFiles,
} from "@cftkit/replay";
import { log, printResult, progress, untilInterrupted } from "../cli-output.js";
import { type CommonOptions, defineCommand, text, type Values } from "../define-command.js";
import { formatOption } from "../output-format.js";
import { optionsFrom, schemaValues } from "../schema-options.js";
import { serverClient, serverParams } from "../server-options.js";

/** Which English items a replay buffer holds, and where it goes: shared by `replay er` and `replay gr`. */
const selectionFlags = {
  english: "file",
  phase2: "file",
  exclude: "files...",
  ratio: "r",
  seed: "s",
  mode: "m",
  outDir: {
    flag: "out",
    metavar: "dir",
    writes: (dir: string) => [join(dir, "replay.jsonl"), join(dir, "manifest.json")],
  },
} as const;
const selectionParams = optionsFrom(replayInputsSchema, selectionFlags);
type SelectionFlags = Values<typeof selectionParams> & CommonOptions;

const server = serverParams(120_000);

/** Where `replay gr` gets its responses from, and how it filters them (@cftkit/replay's schema). */
const generatorParams = {
  ...server,
  server: { ...server.server, schema: text().optional() },
  model: { ...server.model, schema: text().optional() },
  ...optionsFrom(replayGenerationSchema, {
    template: "name",
    modelDir: "dir",
    initTiny: "seed",
    temperature: "t",
    topP: "p",
    backoffMs: "ms",
    backoffMaxMs: "ms",
    language: "code",
  }),
};
type GrFlags = SelectionFlags & Values<typeof generatorParams>;

function selectionArgs(flags: SelectionFlags) {
  if ((flags.ratio === undefined) === (flags.count === undefined))
    throw new CftkitError("CLI_BAD_OPTION", "give exactly one of --ratio or --count");
  const inputs = schemaValues(replayInputsSchema, selectionFlags, flags);
  return { ...inputs, exclude: inputs.exclude ?? [] };
}

/** Say on stderr which mode chose the items and how many, and warn loudly about a shortfall. */
function reportSelection(flags: CommonOptions, selection: EnglishReplayManifest["selection"]): void {
  for (const line of describeSelection(selection)) log(flags, line);
}

/** The one generator the options name: a server (with --model), --model-dir or --init-tiny. */
function generatorSource(flags: GrFlags): ReplayGeneratorSource {
  if ([flags.server, flags.modelDir, flags.initTiny].filter((x) => x !== undefined).length !== 1)
    throw new CftkitError(
      "CLI_BAD_OPTION",
      "give exactly one generator: --server URL --model NAME, --model-dir DIR or --init-tiny SEED",
    );
  if (flags.modelDir) return { modelDir: flags.modelDir };
  if (flags.initTiny !== undefined) return { initTiny: flags.initTiny };
  if (!flags.model) throw new CftkitError("CLI_MISSING_OPTION", "--model is required with --server");
  const backoff = { baseMs: flags.backoffMs, maxMs: flags.backoffMaxMs, jitter: 0.5 };
  const client = serverClient(
    { ...flags, server: flags.server!, model: flags.model },
    { backoff, requestBudget: flags.requestBudget },
  );
  return { server: client, ...(flags.completions ? { completionsTemplate: flags.template } : {}) };
}

const er = defineCommand({
  path: ["replay", "er"],
  description: "English replay: English counterparts with their original responses",
  examples: [
    "cftkit replay er --phase2 phase2.jsonl --english english.jsonl --ratio 0.1 --out replay/er",
    "cftkit replay er --phase2 multialpaca.jsonl --english alpaca_data.json --ratio 0.1 --out replay/er   # no shared ids: samples Alpaca (mode counterpart)",
  ],
  options: selectionParams,
  async run(flags) {
    const manifest = await runEnglishReplay(selectionArgs(flags));
    reportSelection(flags, manifest.selection);
    printResult(flags, manifest, () => describeEnglishReplay(manifest));
  },
});

const gr = defineCommand({
  path: ["replay", "gr"],
  description:
    "Generative replay: responses to the English counterpart instructions from the Phase-1 model (resumable)",
  examples: [
    "cftkit replay gr --phase2 phase2.jsonl --english english.jsonl --ratio 0.05 --server http://127.0.0.1:8000/v1 --model phase1 --out replay/gr",
  ],
  options: { ...selectionParams, ...generatorParams },
  async run(flags) {
    const { maxTokens, temperature, topP, seed, batchSize } = flags;
    const sampling = { maxTokens, temperature, topP, seed };
    const generator = await replayGeneratorFor(generatorSource(flags), sampling, { batchSize });
    const { summary, manifest } = await untilInterrupted(flags, "flushing what finished…", (signal) =>
      runGenerativeReplayFiles({
        ...selectionArgs(flags),
        generator,
        filters: qualityFiltersOf(flags),
        signal,
        progress: progress(flags),
        fsyncEvery: flags.fsyncEvery,
      }),
    );
    reportSelection(flags, manifest.selection);
    printResult(flags, { ...summary, manifest }, () => describeGenerativeReplay(summary));
    const shortfall = replayShortfall(manifest);
    if (shortfall) log(flags, `WARNING: ${shortfall}`);
    assertReplayFinished(summary);
  },
});

const mix = defineCommand({
  path: ["replay", "mix"],
  description:
    "Merge replay buffers into the Phase-2 set (seeded shuffle) in the trainer's format, with a manifest",
  examples: ["cftkit replay mix --phase2 phase2.jsonl --replay replay/er/replay.jsonl --out mix/train.jsonl"],
  options: {
    ...optionsFrom(replayMixFilesSchema, {
      phase2: "file",
      replay: "files...",
      seed: "s",
      out: { metavar: "file", writes: (out: string) => [mixManifestPath(out)] },
    }),
    format: formatOption("--format <format>", "embedded"),
  },
  async run(flags) {
    const { phase2, replay, seed, out } = flags;
    const manifest = await mixReplayFiles({
      phase2,
      replay,
      seed,
      out,
      format: MIX_FORMAT_OF_LAYOUT[flags.format],
    });
    printResult(flags, manifest, () => describeReplayMix(manifest));
  },
});

export const replayCommands = [er, gr, mix];
