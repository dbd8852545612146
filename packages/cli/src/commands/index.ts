import type { DeclaredCommand } from "../define-command.js";
import { dataCommands } from "./data.js";
import { dataTranslateCommands } from "./data-translate.js";
import { evalCommands } from "./eval.js";
import { evalRunCommands } from "./eval-run.js";
import { freezeCommands } from "./freeze.js";
import { inspectCommands } from "./inspect.js";
import { lmCommands } from "./lm.js";
import { lmServeCommands } from "./lm-serve.js";
import { lmTrainCommands } from "./lm-train.js";
import { quickstartCommands } from "./quickstart.js";
import { replayCommands } from "./replay.js";
import { runCommands } from "./run.js";
import { similarityCommands } from "./similarity.js";
import { trainCommands } from "./train.js";
import { trainRehearseCommands } from "./train-rehearse.js";

/**
 * Every command declared as data (define-command.ts), in --help order. Adding a command: declare it with
 * `defineCommand` in a file of this folder and add it to the list below; see docs/cli.md.
 */
export const declaredCommands: DeclaredCommand[] = [
  ...quickstartCommands,
  ...runCommands,
  ...inspectCommands,
  ...similarityCommands,
  ...dataCommands,
  ...dataTranslateCommands,
  ...trainCommands,
  ...trainRehearseCommands,
  ...evalCommands,
  ...evalRunCommands,
  ...replayCommands,
  ...lmCommands,
  ...lmTrainCommands,
  ...lmServeCommands,
  ...freezeCommands,
];

/** The help line of each command group (the first word of a command's path). */
export const commandGroups: Record<string, string> = {
  data: "instruction data: stats, convert, sample, mix, split, align, translate",
  eval: "score models like the official evaluation tools",
  freeze: "choose layers to freeze or train (Spectrum SNR, LF_H2 weight change, LF_H1 random)",
  lm: "the embedded Llama-family language model",
  replay: "English replay (ER) and generative replay (GR) buffers, and mixing them into the Phase-2 set",
  similarity: "DES, MPD and representation drift",
  train:
    "compile experiments into training plans and run them with Axolotl (GPU) or the embedded trainer (CPU)",
};
