import type { CommandModule } from "../command-module.js";
import { dataCommand } from "./data.js";
import { dataTranslateCommand } from "./data-translate.js";
import { evalCommand } from "./eval.js";
import { freezeCommand } from "./freeze.js";
import { inspectCommand } from "./inspect.js";
import { lmCommand } from "./lm.js";
import { lmTrainCommand } from "./lm-train.js";
import { quickstartCommand } from "./quickstart.js";
import { replayCommand } from "./replay.js";
import { runCommand } from "./run.js";
import { similarityCommand } from "./similarity.js";
import { trainCommand } from "./train.js";

/** Every command group of the `cftkit` binary. Adding a command: one file in this folder plus one line below. */
export const commandModules: CommandModule[] = [
  quickstartCommand,
  runCommand,
  inspectCommand,
  similarityCommand,
  dataCommand,
  dataTranslateCommand,
  trainCommand,
  evalCommand,
  replayCommand,
  lmCommand,
  lmTrainCommand,
  freezeCommand,
];
