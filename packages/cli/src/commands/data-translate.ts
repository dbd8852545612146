import { CftkitError } from "@cftkit/core";
import {
  assertTranslationFinished,
  describeTranslation,
  MULTIALPACA_LANGUAGES,
  translateDatasetFile,
  translateFileOptionsSchema,
} from "@cftkit/replay";
import { printResult, progress, untilInterrupted } from "../cli-output.js";
import { defineCommand, param, pathParam, text } from "../define-command.js";
import { optionsFrom, schemaValues } from "../schema-options.js";
import { serverClient, serverParams } from "../server-options.js";

/** `cftkit data translate`: machine-translate an instruction set (e.g. OpenOrca → MOpenOrca), resumable. */
const translate = defineCommand({
  path: ["data", "translate"],
  description:
    "translate every record into each --to language through an OpenAI-compatible server (e.g. OpenOrca → MOpenOrca); parallel ids kept, crash-safe and resumable (rerun the same command), rejects kept in <out minus .jsonl>.rejects.jsonl",
  examples: [
    "cftkit data translate openorca.parquet --count 50000 --to multialpaca --server http://127.0.0.1:8000/v1 --model Qwen2.5-72B-Instruct --out mopenorca.jsonl",
  ],
  args: {
    input: pathParam("<in>", "data file or folder (any layout `cftkit data` reads)", "input"),
  },
  options: {
    to: param(
      "--to <codes>",
      "target languages, comma-separated (de,fr), or multialpaca for its 11 languages",
      text(),
    ),
    out: param("--out <file.jsonl>", "translated records (cftkit JSONL)", text(), {
      path: "output-file",
      writes: (out) => [
        `${out.replace(/\.jsonl$/, "")}.rejects.jsonl`,
        `${out.replace(/\.jsonl$/, "")}.manifest.json`,
        `${out}.settings.json`,
      ],
    }),
    ...serverParams(300_000),
    ...optionsFrom(translateFileOptionsSchema, { from: "format", language: "tag", count: "n", seed: "s" }),
  },
  async run(flags) {
    const languages =
      flags.to === "multialpaca" ? [...MULTIALPACA_LANGUAGES] : flags.to.split(",").map((l) => l.trim());
    if (languages.some((l) => !/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(l)))
      throw new CftkitError(
        "CLI_BAD_OPTION",
        `--to must be language codes such as de,fr or multialpaca; got "${flags.to}"`,
      );
    const summary = await untilInterrupted(flags, "what finished is kept", (signal) =>
      translateDatasetFile(flags.input, {
        ...schemaValues(translateFileOptionsSchema, {}, flags),
        out: flags.out,
        languages,
        client: serverClient(flags),
        signal,
        progress: progress(flags),
      }),
    );
    printResult(flags, summary, () => describeTranslation(summary));
    assertTranslationFinished(summary);
  },
});

export const dataTranslateCommands = [translate];
