import { OUTPUT_LAYOUT_ALIASES } from "@cftkit/datasets";
import {
  assertReplayFinished,
  describeEnglishReplay,
  describeGenerativeReplay,
  describeReplayMix,
  describeSelection,
  type EnglishReplayManifest,
  mixReplayFiles,
  replayGeneratorChoicesSchema,
  replayShortfall,
  replayInputsSchema,
  replayMixFilesSchema,
  runEnglishReplay,
  runGenerativeReplayOf,
} from "@cftkit/replay";
import { log, printResult, progress, untilInterrupted } from "../cli-output.js";
import { type CommonOptions, defineCommand } from "../define-command.js";
import { checkedSchemaValues, optionsFrom } from "../schema-options.js";

/** Which English items a replay buffer holds, and where it goes: shared by `replay er` and `replay gr`. */
const selectionFlags = {
  english: "file",
  phase2: "file",
  exclude: "files...",
  ratio: "r",
  seed: "s",
  mode: "m",
  outDir: { flag: "out", metavar: "dir" },
} as const;

/** Where `replay gr` gets its responses from, and how it filters them (@cftkit/replay's schema). */
const generatorFlags = {
  server: "url",
  model: "name",
  apiKey: "key",
  timeoutMs: "ms",
  template: "name",
  modelDir: "dir",
  initTiny: "seed",
  temperature: "t",
  topP: "p",
  backoffMs: "ms",
  backoffMaxMs: "ms",
  language: "code",
} as const;

/** Say on stderr which mode chose the items and how many, and warn loudly about a shortfall. */
function reportSelection(flags: CommonOptions, selection: EnglishReplayManifest["selection"]): void {
  for (const line of describeSelection(selection)) log(flags, line);
}

const er = defineCommand({
  path: ["replay", "er"],
  description: "English replay: English counterparts with their original responses",
  examples: [
    "cftkit replay er --phase2 phase2.jsonl --english english.jsonl --ratio 0.1 --out replay/er",
    "cftkit replay er --phase2 multialpaca.jsonl --english alpaca_data.json --ratio 0.1 --out replay/er   # no shared ids: samples Alpaca (mode counterpart)",
  ],
  options: optionsFrom(replayInputsSchema, selectionFlags),
  async run(flags) {
    const manifest = await runEnglishReplay(checkedSchemaValues(replayInputsSchema, selectionFlags, flags));
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
  options: {
    ...optionsFrom(replayInputsSchema, selectionFlags),
    ...optionsFrom(replayGeneratorChoicesSchema, generatorFlags),
  },
  async run(flags) {
    const choices = checkedSchemaValues(replayGeneratorChoicesSchema, generatorFlags, flags);
    const inputs = checkedSchemaValues(replayInputsSchema, selectionFlags, flags);
    const { summary, manifest } = await untilInterrupted(flags, "flushing what finished…", (signal) =>
      runGenerativeReplayOf(inputs, choices, { signal, progress: progress(flags) }),
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
  options: optionsFrom(replayMixFilesSchema, {
    phase2: "file",
    replay: "files...",
    seed: "s",
    out: "file",
    format: { metavar: "format", aliases: OUTPUT_LAYOUT_ALIASES },
  }),
  async run(flags) {
    const manifest = await mixReplayFiles(flags);
    printResult(flags, manifest, () => describeReplayMix(manifest));
  },
});

export const replayCommands = [er, gr, mix];
