import { CftkitError } from "@cftkit/core";
import { DATASET_FORMATS, type DatasetFormat } from "@cftkit/datasets";
import { z } from "zod";
import { formatTable, printHuman, printJson, progress, untilInterrupted } from "../cli-output.js";
import { count, defineCommand, param, positive, text, pathParam } from "../define-command.js";
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
    from: param(
      "--from <format>",
      "input layout",
      z.enum(DATASET_FORMATS as [DatasetFormat, ...DatasetFormat[]]).default("auto"),
    ),
    language: param(
      "--language <tag>",
      "language of records that declare none (the source language)",
      text().default("en"),
    ),
    count: param(
      "--count <n>",
      "translate a seeded sample of this many records (the paper: 50,000 OpenOrca rows)",
      positive().optional(),
    ),
    seed: param("--seed <s>", "sampling seed for --count", count().default(0)),
    maxTokens: param("--max-tokens <n>", "most new tokens per translated field", positive().default(2048)),
  },
  async run(flags) {
    const { loadDataset, sampleRecords } = await import("@cftkit/datasets");
    const { assertTranslationFinished, translateDataset, MULTIALPACA_LANGUAGES } = await import(
      "@cftkit/replay"
    );
    const languages =
      flags.to === "multialpaca" ? [...MULTIALPACA_LANGUAGES] : flags.to.split(",").map((l) => l.trim());
    if (languages.some((l) => !/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(l))) {
      throw new CftkitError(
        "CLI_BAD_OPTION",
        `--to must be language codes such as de,fr or multialpaca; got "${flags.to}"`,
      );
    }
    let records = await loadDataset(flags.input, { format: flags.from, language: flags.language });
    if (flags.count !== undefined) records = sampleRecords(records, { count: flags.count, seed: flags.seed });
    const summary = await untilInterrupted(flags, "what finished is kept", (signal) =>
      translateDataset({
        records,
        languages,
        client: serverClient(flags),
        out: flags.out,
        maxTokens: flags.maxTokens,
        sourceLanguage: flags.language,
        signal,
        progress: progress(flags),
      }),
    );
    if (flags.json) printJson(summary);
    else {
      printHuman(
        flags,
        formatTable(
          ["language", "accepted", "rejected", "failed", "pending"],
          Object.entries(summary.byLanguage).map(([l, c]) => [
            l,
            c.accepted,
            c.rejected,
            c.failed,
            c.pending,
          ]),
        ),
      );
    }
    assertTranslationFinished(summary);
  },
});

export const dataTranslateCommands = [translate];
